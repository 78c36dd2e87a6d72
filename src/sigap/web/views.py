"""Dashboard, programme and run pages: aggregates only (no NIK, no names).

Downloads of personal data are audited.  Area: a user sees the programmes whose region overlaps
the user's area (see :mod:`sigap.web.access`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from sigap.audit.actions import audit_record
from sigap.programmes.models import TargetingRun
from sigap.reference import regions
from sigap.registry.models import Snapshot
from sigap.status.selectors import dashboard_figures
from sigap.web import geo, labels
from sigap.web.access import (
    AUDIT_ROLES,
    DASHBOARD_ROLES,
    OPS_ROLES,
    PROGRAMME_ROLES,
    SEARCH_ROLES,
    allowed,
    forbidden,
    lists_in_force,
    role_required,
    visible_programmes,
    visible_runs,
)
from sigap.web.pagecache import cached_for_leaders

GEOJSON_CACHE_SECONDS = 3600


def dashboard_panel(run: TargetingRun) -> dict[str, Any]:
    """Everything the dashboard shows for one programme: its list in force and the precomputed
    aggregates (:func:`sigap.status.selectors.dashboard_figures`), with the charts' data."""
    from django.utils import timezone

    from sigap.coverage.selectors import workforce_coverage
    from sigap.enrolment.figures import figure_rows
    from sigap.web.dashboard import chart_json, coverage_months

    region = run.programme.region
    found = regions().get(region)
    leaders = dashboard_figures(run.programme)  # precomputed aggregates (sigap.status)
    return {
        "run": run,
        "programme": run.programme,
        "region_name": found.name if found is not None else region,
        "has_map": geo.has_boundaries(region),
        "leaders": leaders,
        "member_figures": figure_rows(leaders["totals"]) if leaders else [],
        "coverage_months": coverage_months(leaders) if leaders else [],
        "charts": chart_json(leaders),
        "data_id": f"dasbor-data-{run.programme.pk}",
        # the region's informal workforce covered, every segment it funds (ADR 0020)
        "workforce": workforce_coverage(run.programme, timezone.localdate(), run),
    }


@login_required
@cached_for_leaders  # the page from the cache while nothing it shows changed (sigap.web.pagecache)
def home(request: HttpRequest) -> HttpResponse:
    """Beranda: the dashboard for leaders; other roles land on their own first page."""
    user = request.user
    if allowed(user, DASHBOARD_ROLES):
        panels = [dashboard_panel(run) for run in lists_in_force(user)]
        return render(request, "sigap/dashboard.html", {"panels": panels, "nav": "home"})
    if allowed(user, AUDIT_ROLES):
        return redirect("web:audit-log")
    if allowed(user, SEARCH_ROLES):
        return redirect("web:person-search")
    return forbidden(request)


@role_required(PROGRAMME_ROLES)
def programmes(request: HttpRequest) -> HttpResponse:
    visible = visible_programmes(request.user)
    context = {
        "programmes": visible[:50],
        "runs": visible_runs(request.user)[:20],
        "snapshots": Snapshot.objects.all()[:20],
        "can_run": allowed(request.user, OPS_ROLES),
        "nav": "programmes",
    }
    return render(request, "sigap/programmes.html", context)


def _visible_run(request: HttpRequest, run_id: int) -> TargetingRun:
    run = get_object_or_404(visible_runs(request.user).select_related("roster"), pk=run_id)
    return run


@role_required(PROGRAMME_ROLES)
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _visible_run(request, run_id)
    from sigap.programmes.selectors import compare_with_list_in_force, list_in_force

    in_force = list_in_force(run.programme)
    context = {
        "run": run,
        "tables": labels.summary_tables(run.summary or {}),
        "exports": [(name, labels.export_label(name)) for name in sorted(run.exports or {})],
        "nav": "programmes",
        "in_force": in_force,
        "is_in_force": in_force is not None and in_force.pk == run.pk,
        "comparison": compare_with_list_in_force(run),
    }
    return render(request, "sigap/run_detail.html", context)


@login_required
@permission_required("programmes.view_targetingrun", raise_exception=True)
def run_export(request: HttpRequest, run_id: int, name: str) -> FileResponse:
    """Exports carry NIK and names: only staff with the view permission, and every download is logged."""
    run = get_object_or_404(visible_runs(request.user), pk=run_id)
    relative = (run.exports or {}).get(name)
    if not relative:
        raise Http404("no such export")
    path = (Path(settings.DATA_DIR) / relative).resolve()
    if not path.is_file() or Path(settings.DATA_DIR).resolve() not in path.parents:
        raise Http404("export file missing")
    audit_record(acting_user=request.user, action="export.download", obj=run, note=f"{name}: {relative}")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


def run_geojson_text(run: TargetingRun) -> str:
    """The run's region as GeoJSON with per-area counts (kelurahan; kab/kota for a province)."""
    region = run.programme.region
    summary = run.summary or {}
    counts: dict[str, dict[str, int]] = {}
    if len(region) == 2:
        level = "kabupaten_kota"
        for row in summary.get("per_kelurahan", []):
            code = str(row.get("code", ""))[:4]
            if code.isdigit():
                bucket = counts.setdefault(code, {"people": 0, "eligible": 0, "selected": 0, "waiting": 0})
                for key in bucket:
                    bucket[key] += int(row.get(key) or 0)
    else:
        level = "desa_kelurahan"
        for row in summary.get("per_kelurahan", []):
            counts[str(row.get("code", ""))] = {
                key: int(row.get(key) or 0) for key in ("people", "eligible", "selected", "waiting")
            }
    features = []
    for feature in geo.region_features(region, level=level):
        code = str(feature["properties"]["kode"])
        found = regions().get(code)
        parent = regions().get(code[:6]) if level == "desa_kelurahan" else None
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "kode": code,
                    "nama": found.name if found is not None else feature["properties"]["nama"],
                    "induk": parent.name if parent is not None else "",
                    **counts.get(code, {"people": 0, "eligible": 0, "selected": 0, "waiting": 0}),
                },
                "geometry": feature["geometry"],
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))


@role_required(PROGRAMME_ROLES)
def run_geojson(request: HttpRequest, run_id: int) -> HttpResponse:
    """Boundaries of the run's region with counts: cached per run (a run never changes)."""
    run = _visible_run(request, run_id)
    if not geo.has_boundaries(run.programme.region):
        raise Http404("no boundaries for this region")
    key = f"sigap:geojson:run:{run.pk}:{run.decisions_sha256[:12]}"
    text = cache.get(key)
    if text is None:
        text = run_geojson_text(run)
        cache.set(key, text, GEOJSON_CACHE_SECONDS)
    response = HttpResponse(text, content_type="application/geo+json")
    response["Cache-Control"] = f"private, max-age={GEOJSON_CACHE_SECONDS}"
    return response
