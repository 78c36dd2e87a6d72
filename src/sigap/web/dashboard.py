"""The leaders' dashboard beyond the page itself: chart data, map data and the Excel download.

Everything comes from the precomputed aggregates (:func:`sigap.status.selectors.dashboard_figures`):
no personal data, no scan of members per request.  The charts' numbers are handed to the page as
JSON in a ``<script type="application/json">`` block (drawn by ``static/sigap/dashboard.js``; the CSP
allows no inline script) and are the same numbers as the tables beside them.  The Excel download is
aggregate too, and audited like every other export.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Sequence
from typing import Any

import xlsxwriter
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import formats
from django.utils.translation import gettext as _

from sigap.audit.actions import audit_record
from sigap.core.targets import share_bp
from sigap.enrolment import figures as member_figures
from sigap.programmes.models import Programme, TargetingRun
from sigap.reference import regions
from sigap.status.selectors import dashboard_figures
from sigap.web import geo
from sigap.web.access import DASHBOARD_ROLES, lists_in_force, role_required

GEOJSON_CACHE_SECONDS = 3600
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The figures each per-area/desil/occupation chart stacks, in this order (sigap.enrolment.figures).
STACK = member_figures.FIGURES


def _month_label(day: dt.date) -> str:
    return formats.date_format(day, "M Y")


def area_name(row: dict[str, Any]) -> str:
    return row.get("name") or _("di luar wilayah program")


def occupation_name(row: dict[str, Any]) -> str:
    if row.get("pekerjaan") is None:  # the others, summed
        return _("Pekerjaan lainnya (%(n)s jenis)") % {"n": row.get("kinds", 0)}
    return row["pekerjaan"] or _("tidak tercatat")


def _stacked(labels: list[str], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The member figures of each row, then its waiting list: together they make the eligible."""
    series = [
        {"key": key, "label": str(member_figures.SHORT_LABELS[key]), "data": [int(r[key]) for r in rows]}
        for key in STACK
    ]
    waiting = {
        "key": "waiting",
        "label": str(member_figures.WAITING_LABEL),
        "data": [int(r["waiting"]) for r in rows],
    }
    return {"labels": labels, "series": [*series, waiting]}


def coverage_months(leaders: dict[str, Any]) -> list[dict[str, Any]]:
    """The months the coverage chart and its table show: from the first month with members covered
    (no leading rows of zeros) to December."""
    months: list[dict[str, Any]] = leaders["months"]
    first = next((i for i, m in enumerate(months) if m["covered"]), len(months))
    return months[first:]


def chart_data(leaders: dict[str, Any]) -> dict[str, Any]:
    """What ``dashboard.js`` draws, keyed by chart: labels and series of plain integers."""
    covered = coverage_months(leaders)
    months = leaders["months"]
    occupations = list(leaders["per_occupation"])
    if leaders.get("occupation_others"):
        occupations.append(leaders["occupation_others"])
    return {
        "coverage": {
            "labels": [_month_label(m["month"]) for m in covered],
            "future": [bool(m["future"]) for m in covered],
            "series": [
                {"key": "covered", "label": _("Peserta terlindungi"), "data": [m["covered"] for m in covered]}
            ],
            "future_label": _("perkiraan (peserta saat ini tetap)"),
        },
        "budget": {
            "labels": [_month_label(m["month"]) for m in months],
            "future": [bool(m["future"]) for m in months],
            "series": [
                {
                    "key": "paid",
                    "label": _("Dibayar (SP2D), kumulatif"),
                    "data": [m["paid_total"] for m in months],
                },
                {
                    "key": "invoiced",
                    "label": _("Ditagih, kumulatif"),
                    "data": [m["invoiced_total"] for m in months],
                },
                {
                    "key": "forecast",
                    "label": _("Ditagih + iuran yang akan ditagih"),
                    "data": [m["forecast_total"] for m in months],
                },
                {
                    "key": "plan",
                    "label": _("Rencana (garis lurus)"),
                    "data": [m["plan_total"] for m in months],
                },
            ],
            "allocated": leaders["allocated"],
            "allocated_label": _("Pagu anggaran"),
            "money": True,
        },
        "kecamatan": _stacked([area_name(r) for r in leaders["per_kecamatan"]], leaders["per_kecamatan"]),
        "desil": _stacked(
            [
                _("Desil %(d)s") % {"d": r["desil"]} if r["desil"] is not None else "–"
                for r in leaders["per_desil"]
            ],
            leaders["per_desil"],
        ),
        "occupation": _stacked([occupation_name(r) for r in occupations], occupations),
    }


def chart_json(leaders: dict[str, Any] | None) -> dict[str, Any]:
    return {"charts": chart_data(leaders)} if leaders else {}


# --------------------------------------------------------------------------- programme lookup


def _in_force(request: HttpRequest, programme_id: int) -> TargetingRun:
    """The list in force of a programme the user may see on the dashboard (404 otherwise)."""
    for run in lists_in_force(request.user):
        if run.programme_id == programme_id:
            return run
    raise Http404("no such programme on your dashboard")


# --------------------------------------------------------------------------- map


_MAP_KEYS = ("eligible", "members", "covered", "pending", "exited", "rejected")


def geojson_text(programme: Programme, leaders: dict[str, Any]) -> str:
    """The programme's region as GeoJSON with each area's member figures (kelurahan; kab/kota for a
    province programme) -- the same numbers as the kelurahan table."""
    region = programme.region
    level = "kabupaten_kota" if len(region) == 2 else "desa_kelurahan"
    counts: dict[str, dict[str, int]] = {}
    for row in leaders["per_kelurahan"]:
        code = str(row["code"])
        code = code[:4] if level == "kabupaten_kota" else code
        bucket = counts.setdefault(code, dict.fromkeys(_MAP_KEYS, 0))
        for key in _MAP_KEYS:
            bucket[key] += int(row.get(key) or 0)
    features = []
    for feature in geo.region_features(region, level=level):
        code = str(feature["properties"]["kode"])
        found = regions().get(code)
        parent = regions().get(code[:6]) if level == "desa_kelurahan" else None
        values = counts.get(code, dict.fromkeys(_MAP_KEYS, 0))
        bp = share_bp(values["covered"], values["eligible"])
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "kode": code,
                    "nama": found.name if found is not None else feature["properties"]["nama"],
                    "induk": parent.name if parent is not None else "",
                    **values,
                    "coverage_bp": bp,
                },
                "geometry": feature["geometry"],
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))


@role_required(DASHBOARD_ROLES)
def dashboard_geojson(request: HttpRequest, programme_id: int) -> HttpResponse:
    """Boundaries of the programme's region with its member figures, cached per refresh."""
    run = _in_force(request, programme_id)
    programme = run.programme
    if not geo.has_boundaries(programme.region):
        raise Http404("no boundaries for this region")
    leaders = dashboard_figures(programme)
    if leaders is None:
        raise Http404("no aggregates yet")
    stamp = leaders["figures"].computed_at.timestamp()
    key = f"sigap:geojson:dashboard:{programme.pk}:{stamp}"
    text = cache.get(key)
    if text is None:
        text = geojson_text(programme, leaders)
        cache.set(key, text, GEOJSON_CACHE_SECONDS)
    response = HttpResponse(text, content_type="application/geo+json")
    response["Cache-Control"] = "private, max-age=60"
    return response


# --------------------------------------------------------------------------- Excel


def _percent(bp: int | None) -> str:
    from sigap.core.targets import format_bp

    return f"{format_bp(bp)}%" if bp is not None else "–"


def workforce_rows(workforce: dict[str, Any]) -> list[list[Any]]:
    """``[figure, value, definition]``: the card "Cakupan pekerja rentan di wilayah" (ADR 0020), its lines
    adding up to the total the share is taken of."""
    estimate = workforce.get("estimate")
    rows: list[list[Any]] = []
    for line in workforce["lines"]:
        if line["kind"] == "programme":
            label = _("Peserta terlindungi %(name)s (%(code)s)") % {
                "name": line["name"],
                "code": line["code"],
            }
        elif line["kind"] == "segment":
            label = _("Segmen %(name)s (%(code)s)") % {"name": line["name"], "code": line["code"]}
        else:
            label = _("BPU aktif yang terdaftar sendiri (daftar peserta BPJS TK)")
        rows.append([label, int(line["count"]), ""])
    rows.append([_("Jumlah (setiap orang sekali)"), int(workforce["covered"]), ""])
    source = ""
    if estimate is not None:
        source = (
            _("Perkiraan: %(source)s, %(year)s.") % {"source": estimate.source, "year": estimate.year}
            if estimate.figure is not None
            else _("Perkiraan: dari berkas program.")
        )
    rows.append([_("Perkiraan pekerja rentan"), int(estimate.value) if estimate else "–", source])
    rows.append(
        [
            _("Cakupan pekerja rentan di wilayah (semua segmen)"),
            f"{workforce['share']}%" if estimate else "–",
            _(
                "Orang di wilayah yang aktif di BPJS TK sebagai pekerja rentan: peserta terlindungi setiap program APBD, peserta segmen yang sudah dibiayai daerah, dan BPU yang terdaftar sendiri (berdomisili di wilayah menurut registri), setiap orang dihitung sekali ÷ perkiraan pekerja rentan/informal di wilayah."
            ),
        ]
    )
    return rows


def summary_rows(
    run: TargetingRun, leaders: dict[str, Any], region_name: str, workforce: dict[str, Any] | None = None
) -> list[list[Any]]:
    """``[figure, value, definition]``: the dashboard's headline figures and their definitions (and the
    region's informal workforce covered, when given)."""
    programme = run.programme
    totals = leaders["totals"]
    real = leaders["realisation"]
    base_definition = (
        _("perkiraan pekerja rentan di wilayah (berkas program)")
        if leaders["estimate"]
        else _("memenuhi syarat di daftar yang berlaku: daftar tunggu + semua yang pernah diambil daftar")
    )
    runs_out = real.get("runs_out_month")
    claims = leaders["claims_paid"]
    defs = member_figures.DEFINITIONS
    labels = member_figures.LABELS
    return [
        [_("Program"), f"{programme.name} ({programme.code})", ""],
        [_("Wilayah"), f"{region_name} ({programme.region})", ""],
        [_("Tahun anggaran"), programme.fiscal_year, ""],
        [_("Daftar yang berlaku"), f"#{run.pk}", _("penetapan sasaran yang disetujui Kepala Dinas")],
        [_("Angka per"), leaders["figures"].computed_on, ""],
        [str(labels["covered"]), totals["covered"], str(defs["covered"])],
        [str(labels["pending"]), totals["pending"], str(defs["pending"])],
        [_("Dalam daftar"), totals["members"], _("terlindungi + menunggu jawaban BPJS TK")],
        [str(labels["exited"]), totals["exited"], str(defs["exited"])],
        [str(labels["rejected"]), totals["rejected"], str(defs["rejected"])],
        [
            str(member_figures.WAITING_LABEL),
            totals["waiting"],
            _("di daftar yang berlaku, menunggu tempat (bukan peserta)"),
        ],
        [
            _("Memenuhi syarat"),
            totals["eligible"],
            _("terlindungi + menunggu + keluar + ditolak + daftar tunggu"),
        ],
        [_("Dasar cakupan"), leaders["coverage_base"], base_definition],
        [_("Cakupan"), _percent(leaders["covered_bp"]), _("peserta terlindungi ÷ dasar cakupan")],
        [_("Pagu anggaran"), leaders["allocated"], ""],
        [
            _("Anggaran terpakai"),
            leaders["budget_used"],
            _("sudah ditagih BPJS TK (dibayar + belum dibayar)"),
        ],
        [_("Sudah dibayar (SP2D)"), int(real.get("paid") or 0), ""],
        [_("Tagihan belum dibayar"), int(real.get("outstanding") or 0), ""],
        [_("Iuran yang akan ditagih (peserta saat ini)"), int(real.get("committed") or 0), ""],
        [_("Sisa"), int(real.get("remaining") or 0), _("pagu - ditagih - yang akan ditagih")],
        [
            _("Perkiraan anggaran habis"),
            formats.date_format(runs_out, "F Y") if runs_out else _("cukup sampai Desember"),
            "",
        ],
        [
            _("Klaim dibayarkan ke keluarga"),
            claims if claims is not None else _("belum ada data klaim"),
            "",
        ],
        *(workforce_rows(workforce) if workforce is not None else []),
    ]


def _area_rows(rows: list[dict[str, Any]], *, parent: bool = False) -> list[list[Any]]:
    return [
        [
            str(r["code"]),
            area_name(r),
            *([r.get("kecamatan", "")] if parent else []),
            r["eligible"],
            r["covered"],
            r["pending"],
            r["exited"],
            r["rejected"],
            r["waiting"],
            f"{r['coverage']}%",
        ]
        for r in rows
    ]


def workbook(
    run: TargetingRun, leaders: dict[str, Any], region_name: str, workforce: dict[str, Any] | None = None
) -> bytes:
    """The dashboard's figures as an .xlsx (one sheet per table; integers stay numbers)."""
    counts = [
        _("Memenuhi syarat"),
        *(str(member_figures.SHORT_LABELS[k]) for k in STACK),
        str(member_figures.WAITING_LABEL),
        _("Cakupan"),
    ]
    months = [
        [
            m["month"],
            m["covered"],
            m["invoiced"],
            m["paid"],
            m["committed"],
            m["invoiced_total"],
            m["paid_total"],
            m["forecast_total"],
            m["plan_total"],
        ]
        for m in leaders["months"]
    ]
    occupations = [*leaders["occupations"]]
    sheets: list[tuple[str, Sequence[str], list[list[Any]]]] = [
        (
            _("Ringkasan"),
            [_("Angka"), _("Nilai"), _("Definisi")],
            summary_rows(run, leaders, region_name, workforce),
        ),
        (
            _("Per bulan"),
            [
                _("Bulan"),
                _("Peserta terlindungi"),
                _("Iuran ditagih"),
                _("Iuran dibayar"),
                _("Iuran yang akan ditagih"),
                _("Ditagih, kumulatif"),
                _("Dibayar, kumulatif"),
                _("Ditagih + yang akan ditagih, kumulatif"),
                _("Rencana (garis lurus), kumulatif"),
            ],
            months,
        ),
        (_("Per kecamatan"), [_("Kode"), _("Kecamatan"), *counts], _area_rows(leaders["per_kecamatan"])),
        (
            _("Per kelurahan"),
            [_("Kode"), _("Kelurahan"), _("Kecamatan"), *counts],
            _area_rows(leaders["per_kelurahan"], parent=True),
        ),
        (
            _("Per desil"),
            [_("Desil"), *counts],
            [
                [r["desil"], r["eligible"], *(r[k] for k in STACK), r["waiting"], f"{r['coverage']}%"]
                for r in leaders["per_desil"]
            ],
        ),
        (
            _("Per pekerjaan"),
            [_("Pekerjaan"), *counts],
            [
                [occupation_name(r), r["eligible"], *(r[k] for k in STACK), r["waiting"], f"{r['coverage']}%"]
                for r in occupations
            ],
        ),
    ]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "strings_to_numbers": False})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    number = book.add_format({"num_format": "#,##0"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    for title, headers, rows in sheets:
        sheet = book.add_worksheet(title[:31])
        for col, header in enumerate(headers):
            sheet.write_string(0, col, header, bold)
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if isinstance(value, bool) or value is None:
                    sheet.write_string(r, col, "" if value is None else str(value))
                elif isinstance(value, int):
                    sheet.write_number(r, col, value, number)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(r, col, dt.datetime.combine(value, dt.time()), date)
                else:
                    sheet.write_string(r, col, str(value))
        sheet.set_column(0, 0, 30 if title == sheets[0][0] else 16)
        sheet.set_column(1, len(headers) - 1, 18)
        if title == sheets[0][0]:
            sheet.set_column(2, 2, 70)
        sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


@role_required(DASHBOARD_ROLES)
def dashboard_export(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The dashboard's figures as Excel: aggregate only, and audited like every other download."""
    run = _in_force(request, programme_id)
    programme = run.programme
    leaders = dashboard_figures(programme)
    if leaders is None:
        raise Http404("no aggregates yet")
    found = regions().get(programme.region)
    region_name = found.name if found is not None else programme.region
    computed_on = leaders["figures"].computed_on
    audit_record(
        acting_user=request.user,
        action="dashboard.export",
        obj=programme,
        after={
            "format": "xlsx",
            "run": run.pk,
            "computed_on": computed_on.isoformat(),
            "covered": leaders["totals"]["covered"],
            "premiums_paid": leaders["premiums_paid"],
        },
    )
    from django.utils import timezone

    from sigap.coverage.selectors import workforce_coverage

    workforce = workforce_coverage(programme, timezone.localdate(), run)
    response = HttpResponse(workbook(run, leaders, region_name, workforce), content_type=XLSX)
    name = f"dasbor-{programme.code}-{computed_on.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
