"""Cari penduduk: search a run's decisions and show one person's decision and its reasons.

Personal data: every search and every detail view writes an audit row (``person.search``,
``person.view``).  The area prefix is applied inside the DuckDB query; a person outside the
area is answered with 404, exactly like a NIK that does not exist.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sigap.accounts.scoping import area_prefix
from sigap.audit.actions import audit_record
from sigap.programmes.models import TargetingRun
from sigap.reference import regions
from sigap.web.access import SEARCH_ROLES, lists_in_force, role_required
from sigap.web.selectors import MAX_RESULTS, QueryError, person_in_force, person_search


def _pick_run(request: HttpRequest) -> tuple[TargetingRun | None, list[TargetingRun]]:
    """The list in force asked for (``?run=``, one of the user's lists in force), else the newest one.
    A draft, submitted or returned run is a preview on its own page, never a search source (ADR 0013)."""
    runs = lists_in_force(request.user)
    wanted = request.GET.get("run", "")
    if wanted.isdigit():
        for run in runs:
            if run.pk == int(wanted):
                return run, runs
    newest = max(runs, key=lambda r: r.pk) if runs else None
    return newest, runs


def _area_name(code: str) -> str:
    if not code:
        return _("seluruh wilayah")
    found = regions().get(code)
    return f"{found.name} ({code})" if found is not None else code


def _place(code: str | None) -> str:
    if not code:
        return ""
    found = regions().get(code)
    return found.name if found is not None else code


@role_required(SEARCH_ROLES)
def person_search_view(request: HttpRequest) -> HttpResponse:
    prefix = area_prefix(request.user)
    run, runs = _pick_run(request)
    query = request.GET.get("q", "").strip()
    context: dict[str, object] = {
        "nav": "search",
        "run": run,
        "runs": runs,
        "query": query,
        "area": _area_name(prefix),
        "max_results": MAX_RESULTS,
        "results": None,
        "error": "",
    }
    if query and run is not None:
        try:
            people = person_search(run=run, area_prefix=prefix, query=query, language=get_language())
        except QueryError as e:
            context["error"] = str(e)
        else:
            context["results"] = [(p, _place(p.kode_kelurahan)) for p in people]
            context["truncated"] = len(people) >= MAX_RESULTS
        audit_record(
            acting_user=request.user,
            action="person.search",
            obj=run,
            after={"area": prefix, "results": len(people) if context["results"] is not None else None},
            note=query[:200],
        )
    return render(request, "sigap/person_search.html", context)


@role_required(SEARCH_ROLES)
def person_detail(request: HttpRequest, nik: str) -> HttpResponse:
    prefix = area_prefix(request.user)
    run, runs = _pick_run(request)
    if request.GET.get("run", "").isdigit() and run is not None:
        runs = [run]  # the list asked for
    run, person = person_in_force(runs=runs, area_prefix=prefix, nik=nik, language=get_language())
    audit_record(
        acting_user=request.user,
        action="person.view",
        obj=run,
        after={"area": prefix, "found": person is not None},
        note=nik[:32],
    )
    if person is None or run is None:
        return render(request, "sigap/not_found.html", {"nav": "search"}, status=404)
    context = {
        "nav": "search",
        "run": run,
        "person": person,
        "kelurahan": _place(person.kode_kelurahan),
        "kecamatan": _place(person.kode_kecamatan),
        "reasons": [r.strip() for r in (person.reasons or "").split(";") if r.strip()],
    }
    return render(request, "sigap/person_detail.html", context)
