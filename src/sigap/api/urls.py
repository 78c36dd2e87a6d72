"""``/api/v1/``: the django-ninja API (every call audited) and its documentation page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from sigap.api.api import api
from sigap.api.views import docs


def audited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """One ``api.call`` audit row for every call a client makes (after the answer is known).

    A call refused by the rate limit is not written (a client hammering the API would otherwise fill
    the log); calls without a valid token have no client to name and are counted per address.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        who = getattr(request, "api_principal", None)
        if who is not None and response.status_code != 429:
            from sigap.audit.actions import audit_record

            audit_record(
                acting_user=who.actor,
                action="api.call",
                object_type="api.apiclient",
                object_id=who.client.pk,
                after={
                    "method": request.method,
                    "path": request.path[:300],
                    "query": request.META.get("QUERY_STRING", "")[:300],
                    "status": response.status_code,
                    "scopes": sorted(who.scopes),
                },
                note=str(getattr(request, "api_note", ""))[:200],
                area_code=who.area,
            )
        return response

    return wrapper


def _wrap(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    wrapped: list[URLPattern | URLResolver] = []
    for p in patterns:
        if isinstance(p, URLPattern):
            wrapped.append(URLPattern(p.pattern, audited(p.callback), p.default_args, p.name))
        else:
            wrapped.append(p)
    return wrapped


_patterns, _app, _namespace = api.urls
app_name = _app
urlpatterns = [path("docs", docs, name="docs"), *_wrap(_patterns)]
