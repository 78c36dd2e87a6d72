"""Roster review: people on a run's list who are probably already insured under another NIK.

When the run's roster is linked to the run's registry snapshot (``sigap.programmes.linkage``,
ADR 0022), targeting already counts the links as insured and this review lists the run's people
who are candidates in the officer's queue (probability and evidence; decided with
``sigap roster confirm|reject``).  Without a linkage (an old roster), the deterministic rules of
ADR 0007 (``sigap.core.matching``) find the probable ones: the same birth date, and either NIKs
at most one edit apart or the same loose name key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from sigap.audit.actions import Actor, audit_record
from sigap.core import matching
from sigap.core.names import alternative_key
from sigap.engine import default_engine
from sigap.engine.base import sql_string
from sigap.errors import UserError
from sigap.programmes.models import TargetingRun
from sigap.programmes.selectors import decisions_relation

REVIEWED = ("selected",)


@dataclass(frozen=True)
class RosterMatch:
    nik: str
    nama: str
    tanggal_lahir: dt.date
    kode_kelurahan: str
    decision: str
    rank: int | None
    roster_nik: str
    kpj: str
    roster_nama: str
    segmen: str
    rule: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["tanggal_lahir"] = self.tanggal_lahir.isoformat()
        return out


def _pairs(run: TargetingRun, decisions: tuple[str, ...], known_kpj: list[str]) -> list[tuple[Any, ...]]:
    assert run.roster is not None
    import pyarrow as pa

    with default_engine() as con:
        wanted = ", ".join(sql_string(d) for d in decisions)
        con.execute(
            "CREATE TEMP TABLE d AS SELECT nik, nama, tanggal_lahir, kode_kelurahan, decision, rank"  # noqa: S608 -- literals quoted via sql_string
            f" FROM {decisions_relation(run)} AS x WHERE decision IN ({wanted}) AND tanggal_lahir IS NOT NULL"
        )
        con.execute(
            "CREATE TEMP TABLE r AS SELECT nik, kpj, nama, tanggal_lahir, segmen"  # noqa: S608 -- path quoted via sql_string
            f" FROM read_parquet({sql_string(str(run.roster.data_file))})"
            " WHERE upper(trim(status)) = 'AKTIF' AND nik IS NOT NULL AND tanggal_lahir IS NOT NULL"
            " AND tanggal_lahir IN (SELECT tanggal_lahir FROM d)"
        )
        if known_kpj:  # the programme's own members' roster rows are not "somebody else"
            con.register_arrow("own", pa.table({"kpj": known_kpj}))
            con.execute("DELETE FROM r WHERE kpj IN (SELECT kpj FROM own)")
        names = [
            row[0]
            for row in con.fetch(
                "SELECT DISTINCT nama FROM (SELECT nama FROM d UNION SELECT nama FROM r) WHERE nama IS NOT NULL"
            )
        ]
        con.register_arrow(
            "keys", pa.table({"nama": names, "k": [alternative_key(n) or None for n in names]})
        )
        con.execute("CREATE TEMP TABLE k AS SELECT * FROM keys")
        return con.fetch(
            """
            SELECT d.nik, d.nama, d.tanggal_lahir, d.kode_kelurahan, d.decision, d.rank,
                   r.nik, r.kpj, r.nama, r.segmen
            FROM d JOIN r ON r.tanggal_lahir = d.tanggal_lahir AND r.nik <> d.nik
            LEFT JOIN k kd ON kd.nama = d.nama
            LEFT JOIN k kr ON kr.nama = r.nama
            WHERE kd.k = kr.k OR damerau_levenshtein(d.nik, r.nik) <= 1
            ORDER BY d.rank NULLS LAST, d.nik, r.nik
            """
        )


def roster_review(
    *, run: TargetingRun, include_waiting: bool = False, acting_user: Actor = None
) -> list[RosterMatch]:
    """Probable roster matches among the run's selected people (and waiting list if asked).

    The answer lists personal data, so it is audited.
    """
    from sigap.enrolment.models import Member

    if run.roster is None:
        raise UserError(
            _("Penetapan #%(id)s dibuat tanpa daftar peserta BPJS TK: tidak ada yang dapat dibandingkan.")
            % {"id": run.pk}
        )
    decisions = REVIEWED + (("waiting",) if include_waiting else ())
    from sigap.programmes.linkage import current_linkage

    linkage = current_linkage(registry=run.snapshot, roster=run.roster)
    if linkage is not None:
        found = _from_linkage(run, linkage, decisions)
        audit_record(
            acting_user=acting_user,
            action="run.roster_review",
            obj=run,
            after={"decisions": list(decisions), "matches": len(found), "people": len({m.nik for m in found}),
                   "linkage": linkage.pk},
        )  # fmt: skip
        return found
    known_kpj = list(
        Member.objects.filter(programme=run.programme)
        .exclude(kpj="")
        .values_list("kpj", flat=True)
        .distinct()
    )
    found = []
    for nik, nama, born, kel, decision, rank, r_nik, kpj, r_nama, segmen in _pairs(run, decisions, known_kpj):
        rule = matching.match_rule(
            matching.Candidate(nik, nama, born), matching.Candidate(r_nik, r_nama, born)
        )
        if rule is None:
            continue
        found.append(
            RosterMatch(
                nik=nik,
                nama=nama or "",
                tanggal_lahir=born,
                kode_kelurahan=kel or "",
                decision=decision,
                rank=rank,
                roster_nik=r_nik,
                kpj=kpj or "",
                roster_nama=r_nama or "",
                segmen=segmen or "",
                rule=rule,
                reason=matching.reason(rule, roster_nik=r_nik, kpj=kpj),
            )
        )
    audit_record(
        acting_user=acting_user,
        action="run.roster_review",
        obj=run,
        after={"decisions": list(decisions), "matches": len(found), "people": len({m.nik for m in found})},
    )
    return found


def _from_linkage(run: TargetingRun, linkage: Any, decisions: tuple[str, ...]) -> list[RosterMatch]:
    """The run's people among the linkage's undecided candidates (ADR 0022)."""
    from sigap.core import linkage as L
    from sigap.engine import linkage as engine_linkage
    from sigap.programmes.linkage_labels import evidence_words
    from sigap.programmes.models import LinkDecision

    decided = set(LinkDecision.objects.values_list("nik", "kpj"))
    rows = [
        r
        for r in engine_linkage.read_links(linkage.links_file, bands=(L.REVIEW,))
        if (r["nik"], r["kpj"]) not in decided
    ]
    if not rows:
        return []
    import pyarrow as pa

    with default_engine() as con:
        con.register_arrow("cand", pa.table({"nik": sorted({r["nik"] for r in rows})}))
        wanted = ", ".join(sql_string(d) for d in decisions)
        found = {
            nik: (kel, decision, rank)
            for nik, kel, decision, rank in con.fetch(
                "SELECT x.nik, x.kode_kelurahan, x.decision, x.rank"  # noqa: S608 -- literals quoted via sql_string
                f" FROM {decisions_relation(run)} AS x JOIN cand USING (nik) WHERE x.decision IN ({wanted})"
            )
        }
    out = []
    for r in rows:
        if r["nik"] not in found:
            continue
        kel, decision, rank = found[r["nik"]]
        words = "; ".join(evidence_words(L.evidence_codes({c: r[f"ev_{c}"] for c in L.EVIDENCE_COLUMNS})))
        out.append(
            RosterMatch(
                nik=r["nik"],
                nama=r["nama"] or "",
                tanggal_lahir=r["tanggal_lahir"],
                kode_kelurahan=kel or "",
                decision=decision,
                rank=rank,
                roster_nik=r["roster_nik"] or "",
                kpj=r["kpj"] or "",
                roster_nama=r["roster_nama"] or "",
                segmen=r["segmen"] or "",
                rule="linkage_review",
                reason=f"peluang {float(r['probability']):.1%} (baris {r['source_row']} daftar BPJS TK): {words}",
            )
        )
    out.sort(key=lambda m: (m.rank is None, m.rank or 0, m.nik, m.kpj))
    return out


COLUMNS = (
    ("nik", "NIK"),
    ("nama", "Nama"),
    ("tanggal_lahir", "Tanggal lahir"),
    ("kode_kelurahan", "Kode kelurahan"),
    ("decision", "Keputusan"),
    ("rank", "Peringkat"),
    ("roster_nik", "NIK di daftar BPJS TK"),
    ("kpj", "KPJ"),
    ("roster_nama", "Nama di daftar BPJS TK"),
    ("segmen", "Segmen"),
    ("rule", "Aturan"),
    ("reason", "Alasan"),
)


def write_xlsx(matches: list[RosterMatch], path: Path) -> Path:
    """The review as a workbook an officer can work through (NIKs as text)."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    book = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False})
    try:
        sheet = book.add_worksheet("Verifikasi")
        bold = book.add_format({"bold": True})
        date = book.add_format({"num_format": "d mmmm yyyy"})
        for col, (_key, title) in enumerate(COLUMNS):
            sheet.write_string(0, col, title, bold)
        for row, match in enumerate(matches, start=1):
            values = asdict(match)
            for col, (key, _title) in enumerate(COLUMNS):
                value = values[key]
                if key == "tanggal_lahir":
                    sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), date)
                elif value is None:
                    sheet.write_blank(row, col, None)
                elif isinstance(value, int):
                    sheet.write_number(row, col, value)
                else:
                    sheet.write_string(row, col, str(value))
        sheet.autofilter(0, 0, max(len(matches), 1), len(COLUMNS) - 1)
        sheet.freeze_panes(1, 0)
    finally:
        book.close()
    tmp.replace(path)
    return path
