"""Reads behind the API: programmes and their list in force (aggregates only), a member's status by
NIK inside an area, enrolment batches and their lines.  Scoping is applied inside each query."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count

from sigap.core.money import Month
from sigap.core.targets import share_bp
from sigap.enrolment.models import CoveragePeriod, EnrolmentBatch, EnrolmentLine, Member, MemberExit
from sigap.programmes.models import Programme
from sigap.programmes.selectors import list_in_force
from sigap.reference import regions
from sigap.web.access import overlaps


def programmes_seen(area: str) -> list[Programme]:
    """Programmes whose region overlaps the area (a kelurahan's client sees its kota's programmes)."""
    return [p for p in Programme.objects.order_by("code") if overlaps(p.region, area)]


def programme_summary(programme: Programme) -> dict[str, Any]:
    """The programme and its list in force (ADR 0013) in counts and rupiah: no personal data."""
    run = list_in_force(programme)
    in_force = None
    if run is not None:
        members = dict(
            Member.objects.filter(programme=programme)
            .values_list("state")
            .annotate(n=Count("id"))
            .values_list("state", "n")
        )
        in_force = {
            "run": run.pk,
            "kind": run.kind,
            "state": run.state,
            "approved_at": run.decided_at,
            "list_sha256": run.list_sha256,
            "selected": run.selected,
            "waiting": run.waiting,
            "cost_per_person": run.cost_per_person,
            "cost": run.cost,
            "remaining": run.remaining,
            "members": {state: int(members.get(state, 0)) for state, _ in Member.STATES},
        }
    return {
        "code": programme.code,
        "name": programme.name,
        "region": programme.region,
        "fiscal_year": programme.fiscal_year,
        "budget": programme.budget,
        "coverage_start": programme.coverage_start,
        "funding": programme.funding,
        "list_in_force": in_force,
    }


# member figures as defined once in sigap.enrolment.figures ("exited" never counts the rejected)
_COUNTS = ("people", "eligible", "selected", "waiting", "members", "covered", "exited", "rejected")
_REALISATION = (
    "on",
    "allocated",
    "invoiced",
    "paid",
    "outstanding",
    "committed",
    "remaining",
    "members",
    "runs_out",
)


def aggregates(programme: Programme) -> dict[str, Any] | None:
    """The leaders' dashboard figures (:func:`sigap.status.selectors.dashboard_figures`) as plain data."""
    from sigap.status.selectors import dashboard_figures

    found = dashboard_figures(programme)
    if found is None:
        return None
    figures = found["figures"]

    def rows(items: list[dict[str, Any]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
        return [{k: r.get(k) for k in (*keys, *_COUNTS)} for r in items]

    totals = found["totals"]
    realisation = found["realisation"]
    return {
        "programme": programme.code,
        "run": figures.run_id,
        "computed_on": figures.computed_on,
        "totals": {c: int(totals[c]) for c in _COUNTS},
        "estimate": found["estimate"],
        "covered_share_bp": share_bp(totals["covered"], found["coverage_base"]),
        "per_kecamatan": rows(found["per_kecamatan"], ("code", "name")),
        "per_kelurahan": rows(found["per_kelurahan"], ("code", "name")),
        "per_desil": rows(found["per_desil"], ("desil",)),
        "per_occupation": rows(found["occupations"], ("pekerjaan",)),
        "months": [
            {k: m[k] for k in ("month", "covered", "invoiced", "paid", "committed")} for m in found["months"]
        ],
        "realisation": {k: realisation.get(k) for k in _REALISATION},
        "premiums_paid": found["premiums_paid"],
        "claims_paid": found["claims_paid"],
    }


def memberships(*, nik: str, area: str) -> list[dict[str, Any]]:
    """Every membership of ``nik`` whose kelurahan lies inside ``area`` (members exist only on approved
    lists: a draft is never seen)."""
    from django.utils.translation import gettext

    members = list(
        Member.objects.filter(nik=nik, kode_kelurahan__startswith=area)
        .select_related("programme")
        .order_by("programme__code")
    )
    if not members:
        return []
    ids = [m.pk for m in members]
    periods: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for member_id, start, end in (
        CoveragePeriod.objects.filter(member_id__in=ids)
        .order_by("start_month")
        .values_list("member_id", "start_month", "end_month")
    ):
        periods[member_id].append({"start_month": start, "end_month": end})
    exits: dict[int, tuple[dt.date, str]] = {}
    for member_id, date, reason in (
        MemberExit.objects.filter(member_id__in=ids)
        .order_by("date", "id")
        .values_list("member_id", "date", "reason")
    ):
        exits[member_id] = (date, reason)
    labels = dict(Member.STATES)
    result = []
    for m in members:
        ended = m.state in (Member.EXITED, Member.REJECTED) and m.pk in exits
        result.append(
            {
                "programme": m.programme.code,
                "programme_name": m.programme.name,
                "state": m.state,
                "state_label": gettext(str(labels.get(m.state, m.state))),
                "kpj": m.kpj,
                "kode_kelurahan": m.kode_kelurahan,
                "periods": periods.get(m.pk, []),
                "exit_date": exits[m.pk][0] if ended else None,
                "exit_reason": exits[m.pk][1] if ended else "",
            }
        )
    return result


def batch_summary(batch: EnrolmentBatch) -> dict[str, Any]:
    counts = Counter(
        dict(batch.lines.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    )
    return {
        "number": batch.number,
        "programme": batch.programme.code,
        "state": batch.state,
        "coverage_start": batch.coverage_start,
        "exported_on": batch.exported_on,
        "members": batch.member_count,
        "pending": counts[EnrolmentLine.PENDING],
        "accepted": counts[EnrolmentLine.ACCEPTED],
        "rejected": counts[EnrolmentLine.REJECTED],
        "sha256": batch.sha256,
    }


def batch_lines(
    batch: EnrolmentBatch, *, area: str, offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    """The batch's lines inside ``area`` in the order of the batch file (rank, NIK): the fields of the
    file BPJS TK receives (``sigap.enrolment.batch.COLUMNS``) with each line's answer so far."""
    lines = EnrolmentLine.objects.filter(batch=batch, member__kode_kelurahan__startswith=area)
    total = lines.count()
    index = regions()
    spec = batch.programme.to_spec()
    income = spec.income_bracket
    start = Month.of(batch.coverage_start).first_day()
    rows = []
    for line in lines.select_related("member").order_by("member__rank", "member__nik")[
        offset : offset + limit
    ]:
        m = line.member
        place = index.get(m.kode_kelurahan)
        rows.append(
            {
                "nik": m.nik,
                "nama": m.nama,
                "tempat_lahir": m.tempat_lahir,
                "tanggal_lahir": m.tanggal_lahir,
                "jenis_kelamin": m.jenis_kelamin,
                "alamat": m.alamat,
                "rt": m.rt,
                "rw": m.rw,
                "kelurahan": place.name if place is not None else "",
                "kode_kelurahan": m.kode_kelurahan,
                "pekerjaan": m.pekerjaan,
                "program": spec.programmes_label,  # JKK+JKM[+JHT], as in the batch file
                "upah_dilaporkan": int(income),
                "mulai_kepesertaan": start,
                "status": line.status,
                "kpj": line.kpj,
            }
        )
    return total, rows
