"""Reads of the precomputed read models: one indexed lookup for a citizen, a few small grouped
queries over ``AreaCell`` for the dashboard (never a scan of members or decisions per request)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Sum
from django.db.models.functions import Substr

from sigap import hotsql
from sigap.core.money import Month
from sigap.core.realisation import straight_line_plan
from sigap.core.selection import OUTSIDE
from sigap.core.targets import RPJMN_TARGET_BP, RPJMN_TARGET_YEAR, format_bp, share_bp
from sigap.programmes.models import Programme, TargetingRun
from sigap.reference import regions
from sigap.status.keys import status_key
from sigap.status.models import AreaCell, MonthFigure, ProgrammeFigures

COUNTS = ("people", "eligible", "selected", "waiting", "members", "covered", "exited", "rejected")
#: A row (area, desil, occupation) is shown when one of these is not zero.
SHOWN = ("eligible", "members", "covered", "exited", "rejected")
#: Occupations shown one by one; the others are summed in one row.
OCCUPATIONS_SHOWN = 10


# One statement, one round trip (the public check's cost under load is its round trips):
# - 'm' rows: one indexed lookup on the keyed hash; a member's live state, first covered month and exit
#   come from enrolment by primary/unique keys (the tables are named by the test suite);
# - 'r' rows: the list in force of every programme, its newest approved or enrolled run (states:
#   constants only), whose status file answers everyone else.
_ANSWERS_SQL = (
    "SELECT 'm', s.programme_id, s.programme_name, s.status, s.reasons, s.office, m.state, x.date, x.reason, "  # noqa: S608
    "(SELECT min(p.start_month) FROM enrolment_coverageperiod p WHERE p.member_id = m.id) "
    "FROM status_citizenstatus s "
    "LEFT JOIN enrolment_member m ON m.id = s.member_id "
    "LEFT JOIN enrolment_memberexit x ON x.member_id = m.id "
    "WHERE s.lookup = %s "
    "UNION ALL SELECT 'r', r.programme_id, p.name, r.decisions_path, NULL, NULL, NULL, NULL, NULL, NULL "
    "FROM programmes_targetingrun r JOIN programmes_programme p ON p.id = r.programme_id "
    "WHERE r.id IN (SELECT max(id) FROM programmes_targetingrun WHERE state IN ("
    + ", ".join(f"'{state}'" for state in TargetingRun.IN_FORCE)
    + ") GROUP BY programme_id)"
)
_ENDED = ("exited", "rejected")  # Member.EXITED, Member.REJECTED


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def citizen_answers(*, nik: str, kk: str) -> list[tuple[str, str, str, dt.date | None, str, str]]:
    """``(programme name, status, reasons, since, exit reason, office)`` per programme.

    Members first (one indexed look-up on the keyed hash, their live state joined): active ->
    ``registered`` since the first covered month; exited or rejected -> ``exited`` with the exit date
    and reason; approved or sent -> ``selected``.  Everyone else: a point look-up in the status file of
    each programme's list in force (waiting list, not eligible with reasons).
    """
    from sigap.engine.lookup import point_lookup
    from sigap.status.actions import office_of, status_file_name

    key = status_key(nik, kk)
    with hotsql.cursor() as cursor:  # prepared on PostgreSQL: the same statement for every visitor
        cursor.execute(_ANSWERS_SQL, [key])
        found = cursor.fetchall()
    by_name = sorted((row for row in found if row[0] == "m"), key=lambda row: (row[2], row[1]))
    rows = [row[1:] for row in by_name]
    answered = {programme_id for programme_id, *_ in rows}
    in_force = sorted(
        ((row[1], row[2], row[3]) for row in found if row[0] == "r" and row[1] not in answered),
        key=lambda row: (row[1], row[0]),  # by programme name, then id
    )
    answers = []
    for _, name, status, reasons, office, state, exit_date, exit_reason, first_month in rows:
        since: dt.date | None = None
        if state == "active":
            status, since = "registered", _date(first_month)
        elif state in _ENDED:
            status, since = "exited", _date(exit_date)
        elif state is not None:
            status = "selected"
        answers.append(
            (name, status, reasons, since, (exit_reason or "rejected") if status == "exited" else "", office)
        )
    files = [((name, pid), status_file_name(decisions)) for pid, name, decisions in in_force]
    for (name, _), status, reasons, kelurahan in point_lookup(
        files, key_column="lookup", key=key, columns=("status", "reasons", "kode_kelurahan")
    ):
        answers.append((name, status, reasons or "", None, "", office_of(kelurahan)))
    answers.sort(key=lambda a: a[0])
    return answers


def claims_paid(programme: Programme) -> int | None:
    """Claims paid out to members and families so far (Rp; benefits and scholarships), None when the
    programme has no incident yet ("belum ada data klaim")."""
    from django.utils import timezone

    from sigap.claims.models import Incident
    from sigap.claims.selectors import claims_paid_total

    if not Incident.objects.filter(member__programme=programme).exists():
        return None
    return claims_paid_total(programme, timezone.localdate())


def _grouped(programme: Programme, key: Any, name: str) -> list[dict[str, Any]]:
    rows = (
        AreaCell.objects.filter(programme=programme)
        .annotate(key=key)
        .values("key")
        .annotate(**{c: Sum(c) for c in COUNTS})
        .order_by("key")
    )
    return [{name: r["key"], **{c: int(r[c] or 0) for c in COUNTS}} for r in rows]


def _shown(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with something to show: a desil or area with nobody eligible and no member is left out."""
    return [r for r in rows if any(r[c] for c in SHOWN)]


def _with_share(rows: list[dict[str, Any]], base: str = "eligible") -> list[dict[str, Any]]:
    for row in rows:
        row["pending"] = row["members"] - row["covered"]  # on the list, not yet answered by BPJS TK
        row["coverage_bp"] = share_bp(row["covered"], row[base])
        row["coverage"] = format_bp(row["coverage_bp"])
        row["selected_share"] = format_bp(share_bp(row["selected"], row[base]))
    return rows


def _area_names(rows: list[dict[str, Any]], *, parent: bool = False) -> list[dict[str, Any]]:
    index = regions()
    for row in rows:
        code = str(row["code"])
        if code == OUTSIDE:
            row["name"] = None  # the template says "outside the programme region"
            continue
        found = index.get(code)
        row["name"] = found.name if found is not None else code
        if parent:
            up = index.get(code[:6])
            row["kecamatan"] = up.name if up is not None else ""
    rows.sort(key=lambda r: (r["code"] == OUTSIDE, r["code"]))
    return rows


def _top_occupations(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The :data:`OCCUPATIONS_SHOWN` occupations with most members, and the others summed in one row
    (so the table still adds up to the totals); None when there are no others."""
    top, rest = rows[:OCCUPATIONS_SHOWN], rows[OCCUPATIONS_SHOWN:]
    if not rest:
        return top, None
    others: dict[str, Any] = {
        "pekerjaan": None,
        "kinds": len(rest),
        **{c: sum(r[c] for r in rest) for c in COUNTS},
    }
    return top, _with_share([others])[0]


def _coverage_start(programme: Programme) -> Month:
    try:
        return Month.parse(programme.coverage_start)
    except (TypeError, ValueError):
        return Month(programme.fiscal_year, 1)


def _months(programme: Programme, computed_on: dt.date, allocated: int) -> list[dict[str, Any]]:
    """Each month of the fiscal year: members covered, premiums invoiced/paid/still to invoice, and
    the running totals drawn against the straight-line plan (``future``: after the figures' date)."""
    rows: list[dict[str, Any]] = [
        dict(r) for r in MonthFigure.objects.filter(programme=programme).order_by("month").values()
    ]
    months = [Month.of(r["month"]) for r in rows]
    plan = straight_line_plan(allocated, months, _coverage_start(programme))
    now = Month.of(computed_on)
    invoiced = paid = forecast = 0
    for row, month, planned in zip(rows, months, plan, strict=True):
        invoiced += row["invoiced"]
        paid += row["paid"]
        forecast += row["invoiced"] + row["committed"]
        row.update(
            future=month > now,
            invoiced_total=invoiced,
            paid_total=paid,
            forecast_total=forecast,
            plan_total=planned,
        )
    return rows


def dashboard_figures(programme: Programme) -> dict[str, Any] | None:
    """Everything the leaders' panels show for ``programme``, or None before the first refresh.

    Member figures follow :mod:`sigap.enrolment.figures` (covered, pending, exited, rejected; "keluar"
    never counts the rejected), the same definitions as the money pages.
    """
    figures = ProgrammeFigures.objects.filter(programme=programme).first()
    if figures is None:
        return None
    kecamatan = Substr("kode_kelurahan", 1, 6)
    per_kecamatan = _grouped(programme, kecamatan, "code")
    for row in per_kecamatan:
        if not str(row["code"]).isdigit():
            row["code"] = OUTSIDE
    merged: dict[str, dict[str, Any]] = {}
    for row in per_kecamatan:  # "outside" is cut to "outsid" by Substr: merge it back
        into = merged.setdefault(row["code"], {"code": row["code"], **dict.fromkeys(COUNTS, 0)})
        for c in COUNTS:
            into[c] += row[c]
    per_kecamatan = _area_names(list(merged.values()))
    per_kelurahan = _area_names(_grouped(programme, F("kode_kelurahan"), "code"), parent=True)
    per_desil = _grouped(programme, F("desil"), "desil")
    per_occupation = sorted(
        _shown(_grouped(programme, F("pekerjaan"), "pekerjaan")),
        key=lambda r: (-r["members"], -r["eligible"], r["pekerjaan"]),
    )
    totals = {c: sum(r[c] for r in per_kelurahan) for c in COUNTS}
    totals["pending"] = totals["members"] - totals["covered"]
    estimate = int(figures.totals.get("estimate") or 0) or None
    base = estimate or totals["eligible"]
    covered_bp = share_bp(totals["covered"], base)
    real = dict(figures.realisation or {})
    real["runs_out_month"] = Month.parse(real["runs_out"]).first_day() if real.get("runs_out") else None
    allocated = int(real.get("allocated") or programme.budget)
    invoiced = int(real.get("invoiced") or 0)
    forecast = invoiced + int(real.get("committed") or 0)
    months = _months(programme, figures.computed_on, allocated)
    premiums_paid = int(real.get("paid") or 0)
    claims = claims_paid(programme)
    top, others = _top_occupations(_with_share(per_occupation))
    return {
        "figures": figures,
        "totals": totals,
        "estimate": estimate,
        "coverage_base": base,
        "covered_share": format_bp(covered_bp),
        "covered_bp": covered_bp,
        "members_share": format_bp(share_bp(totals["members"], base)),
        "totals_coverage": format_bp(share_bp(totals["covered"], totals["eligible"])),
        "rpjmn_target": format_bp(RPJMN_TARGET_BP),
        "rpjmn_year": RPJMN_TARGET_YEAR,
        "rpjmn_progress": format_bp(share_bp(covered_bp or 0, RPJMN_TARGET_BP))
        if covered_bp is not None
        else "–",
        "rpjmn_reached": covered_bp is not None and covered_bp >= RPJMN_TARGET_BP,
        "rpjmn_members": int(figures.totals.get("rpjmn_target_members") or 0),
        "per_kecamatan": _with_share(_shown(per_kecamatan)),
        "per_kelurahan": _with_share(_shown(per_kelurahan)),
        "per_desil": _with_share(_shown(per_desil)),
        "per_occupation": top,
        "occupations": per_occupation,  # every occupation with someone (the API's list)
        "occupation_others": others,
        "months": months,
        "months_invoiced": sum(m["invoiced"] for m in months),
        "months_paid": sum(m["paid"] for m in months),
        "months_committed": sum(m["committed"] for m in months),
        "realisation": real,
        "allocated": allocated,
        "budget_used": invoiced,
        "budget_used_share": format_bp(share_bp(invoiced, allocated)),
        "budget_forecast": forecast,
        "budget_forecast_share": format_bp(share_bp(forecast, allocated)),
        "premiums_paid": premiums_paid,
        "claims_paid": claims,
    }
