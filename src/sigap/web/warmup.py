"""Work every server process would otherwise do on its first requests, done once at start.

Django imports the URLconf (and with it every view, the API's schemas, pyarrow, numpy...) on the
first request, reads the translation catalogs on the first request in each language and compiles a
template the first time it is rendered.  Under gunicorn that first request cost ~1.2 s of CPU in each
worker, and its neighbours on the same worker waited behind it: the p99 of the status check at 32
connections was one worker's cold start (bench/README.md).  :func:`warm_up` runs at import of
``sigap.wsgi``; with ``preload_app`` (sigap.gunicorn_conf) that is the master, before the workers fork,
so they share the result and never pay it.  No database connection is opened.
"""

from __future__ import annotations

import importlib

from django.conf import settings
from django.template import engines
from django.template.backends.django import DjangoTemplates
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation
from django.utils.module_loading import import_string

#: Templates of the public and the most used pages (the others are compiled on first use).
TEMPLATES = (
    "sigap/citizen_check.html",
    "sigap/citizen_limited.html",
    "sigap/dashboard.html",
    "sigap/base.html",
    "sigap/messages.html",
    "sigap/login.html",
    "sigap/not_found.html",
    "sigap/forbidden.html",
)
#: Modules imported inside functions on the public check's path.
MODULES = ("sigap.engine.lookup", "sigap.status.selectors", "sigap.status.actions", "pyarrow.parquet")


def warm_up() -> None:
    """Import the URLconf, the context processors and the message and session back-ends, load every
    language's catalog, compile the public templates, read the region codes and import what the public
    check imports lazily."""
    from sigap.reference import regions

    reverse("web:citizen-check")  # imports and indexes the whole URLconf
    for module in MODULES:
        importlib.import_module(module)
    regions()
    backend = engines["django"]
    if isinstance(backend, DjangoTemplates):
        backend.engine.template_context_processors  # noqa: B018 -- imports them
    import_string(settings.MESSAGE_STORAGE)
    import_string(settings.SESSION_SERIALIZER)
    for name in TEMPLATES:  # a compiled template serves every language
        get_template(name)
    for code, _ in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Cek status")  # loads the language's catalog
