"""targeting_run: eligibility reasons, priority, budget cut, roster, determinism, atomicity."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest

from sigap.audit.models import AuditEvent
from sigap.engine import DuckDBEngine
from sigap.errors import UserError
from sigap.programmes import actions
from sigap.programmes.actions import targeting_run
from sigap.programmes.models import TargetingRun

from .helpers import bulk_people_sql, person, read_decisions, write_people, write_roster, write_snapshot

pytestmark = pytest.mark.django_db


def test_two_billion_for_twelve_months_selects_exactly_9920(data_dir: Path, make_programme: Any) -> None:
    write_snapshot(data_dir, bulk_people_sql(12_000))
    run = targeting_run(programme=make_programme(), export=False)
    assert run.cost_per_person == 16_800 * 12 == 201_600
    assert (run.people, run.eligible, run.selected, run.waiting) == (12_000, 12_000, 9_920, 2_080)
    assert run.cost == 1_999_872_000 and run.remaining == 128_000
    assert run.cost + run.remaining == run.budget == 2_000_000_000
    decisions = read_decisions(run)
    by_rank = sorted((d for d in decisions.values() if d["rank"] is not None), key=lambda d: d["rank"])
    assert [d["decision"] for d in by_rank[9_918:9_922]] == ["selected", "selected", "waiting", "waiting"]
    assert by_rank[9_919]["reasons"] == "selected rank 9,920" and by_rank[9_919]["cost"] == 201_600
    assert by_rank[9_920]["reasons"] == "waiting rank 1" and by_rank[9_920]["cost"] == 0
    assert by_rank[-1]["reasons"] == "waiting rank 2,080" and by_rank[-1]["waiting_rank"] == 2_080
    assert AuditEvent.objects.filter(action="targeting.run", object_id=str(run.pk)).count() == 1


def test_november_start_covers_two_months_and_selects_59523(data_dir: Path, make_programme: Any) -> None:
    write_snapshot(data_dir, bulk_people_sql(60_000))
    run = targeting_run(programme=make_programme(coverage_start="2026-11"), export=False)
    assert run.cost_per_person == 33_600
    assert (run.selected, run.waiting) == (59_523, 477)
    assert run.cost == 59_523 * 33_600 == 1_999_972_800 and run.remaining == 27_200


def test_every_ineligibility_reason_is_given(data_dir: Path, make_programme: Any) -> None:
    bad = person(
        "3216015005800001",
        kode_kelurahan="3216011001",
        desil=7,
        tanggal_lahir=dt.date(1958, 6, 1),
        pekerjaan="PEGAWAI NEGERI SIPIL",
        meninggal=True,
    )
    rows = [
        bad,
        person("3275010101100002", tanggal_lahir=dt.date(2010, 3, 3), pekerjaan="KARYAWAN SWASTA"),
        person("3275010101800003"),
        person("3275010101800004", pekerjaan="SOPIR"),
        person("3275010101800005", desil=None, tanggal_lahir=None, kode_kelurahan=None, pekerjaan=None),
    ]
    write_people(data_dir, rows)
    write_roster(
        data_dir,
        [
            {"nik": "3216015005800001", "kpj": "12345678901", "segmen": "PU", "status": "AKTIF"},
            {"nik": "3275010101800004", "kpj": "99999999999", "segmen": "BPU", "status": "AKTIF"},
        ],
    )
    run = targeting_run(programme=make_programme(occupations_excluded=["SOPIR"]), export=False)
    d = read_decisions(run)
    assert d["3216015005800001"]["reasons"] == (
        "domicile 3216011001 outside 3275; desil 7 > 5; age 67 > 60; "
        "occupation PEGAWAI NEGERI SIPIL excluded (ASN/TNI/Polri); deceased; "
        "already insured (KPJ 12345678901, PU)"
    )
    assert d["3275010101100002"]["reasons"] == (
        "age 15 < 18; occupation KARYAWAN SWASTA not in the informal list"
    )
    assert d["3275010101800004"]["reasons"] == (
        "occupation SOPIR excluded by the programme; already insured (KPJ 99999999999, BPU)"
    )
    assert d["3275010101800005"]["reasons"] == (
        "domicile unknown; desil unknown; birth date unknown; occupation missing"
    )
    assert d["3275010101800003"] | {} == {
        "nik": "3275010101800003",
        "decision": "selected",
        "rank": 1,
        "waiting_rank": None,
        "cost": 201_600,
        "reasons": "selected rank 1",
    }
    assert {x["decision"] for k, x in d.items() if k != "3275010101800003"} == {"ineligible"}
    assert all(x["rank"] is None and x["cost"] == 0 for x in d.values() if x["decision"] == "ineligible")


def sha256_key(seed: str, nik: str) -> str:
    """ADR 0014 written out independently of sigap.core.tiebreak: SHA-256 of seed + NIK, as hex."""
    return hashlib.sha256((seed + nik).encode("ascii")).hexdigest()


def test_priority_desil_then_risk_then_age_then_tie_break(data_dir: Path, make_programme: Any) -> None:
    old, young = dt.date(1970, 1, 1), dt.date(1995, 1, 1)
    rows = [
        person("3275000000000010", desil=5, pekerjaan="NELAYAN/PERIKANAN", tanggal_lahir=old),
        person("3275000000000009", desil=4, pekerjaan="SOPIR", tanggal_lahir=old),
        person("3275000000000008", desil=3, pekerjaan="PEDAGANG", tanggal_lahir=old),  # risk 3
        person("3275000000000007", desil=3, pekerjaan="PETANI/PEKEBUN", tanggal_lahir=old),  # risk 2
        person("3275000000000006", desil=3, pekerjaan="SOPIR", tanggal_lahir=young),  # risk 1
        person("3275000000000005", desil=3, pekerjaan="SOPIR", tanggal_lahir=old),
        person("3275000000000004", desil=2, pekerjaan="PEDAGANG", tanggal_lahir=young),
        person("3275000000000003", desil=1, pekerjaan="PEDAGANG", tanggal_lahir=young),
        person("3275000000000002", desil=1, pekerjaan="PEDAGANG", tanggal_lahir=young),  # tie: hash
    ]
    write_people(data_dir, rows)
    # The seed's hash puts the larger NIK of the tied pair first: the hash decides, not the NIK.
    seed = "tes-2"
    assert sha256_key(seed, "3275000000000003") < sha256_key(seed, "3275000000000002")
    # Budget for exactly 5 people x 12 months.
    programme = make_programme(budget=5 * 201_600 + 1_000, tie_break_seed=seed)
    run = targeting_run(programme=programme, export=False)
    assert (run.tie_break_rule, run.tie_break_seed, run.tie_break_seed_source) == (
        "sha256-seed-nik",
        seed,
        "programme",
    )
    d = read_decisions(run)
    order = [nik for nik, x in sorted(d.items(), key=lambda kv: kv[1]["rank"])]
    assert order == [
        "3275000000000003",
        "3275000000000002",
        "3275000000000004",
        "3275000000000005",
        "3275000000000006",
        "3275000000000007",
        "3275000000000008",
        "3275000000000009",
        "3275000000000010",
    ]
    assert [d[n]["decision"] for n in order] == ["selected"] * 5 + ["waiting"] * 4
    assert [d[n]["reasons"] for n in order[4:7]] == ["selected rank 5", "waiting rank 1", "waiting rank 2"]
    assert run.remaining == 1_000


def test_other_priority_orders(data_dir: Path, make_programme: Any) -> None:
    rows = [
        person("3275000000000001", tanggal_lahir=dt.date(1970, 1, 1), no_kk="A"),
        person("3275000000000002", tanggal_lahir=dt.date(1990, 1, 1), no_kk="B"),
        person(
            "3275000000000003", tanggal_lahir=dt.date(2000, 1, 1), no_kk="B", pekerjaan="PELAJAR/MAHASISWA"
        ),
        person("3275000000000004", tanggal_lahir=dt.date(1985, 1, 1), no_kk="C"),
    ]
    write_people(data_dir, rows)
    run = targeting_run(programme=make_programme(order=["age_asc"]), export=False)
    ranks = {k: v["rank"] for k, v in read_decisions(run).items()}
    assert ranks == {
        "3275000000000002": 1,
        "3275000000000004": 2,
        "3275000000000001": 3,
        "3275000000000003": None,
    }
    # KK B has two members (one ineligible): family size counts everyone on the card.  KK A and C
    # (one member each) tie; the seed's hash puts 0004 before 0001.
    seed = "tes-2"
    assert sha256_key(seed, "3275000000000004") < sha256_key(seed, "3275000000000001")
    run = targeting_run(programme=make_programme(order=["kk_size_desc"], tie_break_seed=seed), export=False)
    ranks = {k: v["rank"] for k, v in read_decisions(run).items()}
    assert ranks == {
        "3275000000000002": 1,
        "3275000000000004": 2,
        "3275000000000001": 3,
        "3275000000000003": None,
    }


def test_roster_excludes_only_active_participants(data_dir: Path, make_programme: Any) -> None:
    niks = [f"32750101018000{i:02d}" for i in range(1, 5)]
    write_people(data_dir, [person(n) for n in niks])
    roster = write_roster(
        data_dir,
        [
            {"nik": niks[0], "kpj": "11111111111", "segmen": "BPU", "status": "AKTIF"},
            {"nik": niks[1], "kpj": "22222222222", "segmen": "PU", "status": "NONAKTIF"},
            {"nik": niks[2], "kpj": "33333333333", "segmen": "JAKON", "status": "NONAKTIF"},
            {"nik": niks[2], "kpj": "33333333334", "segmen": "PU", "status": "AKTIF"},
        ],
    )
    run = targeting_run(programme=make_programme(), export=False)
    assert run.roster_id == roster.pk
    d = read_decisions(run)
    assert d[niks[0]]["reasons"] == "already insured (KPJ 11111111111, BPU)"
    assert d[niks[1]]["decision"] == "selected"
    assert d[niks[2]]["reasons"] == "already insured (KPJ 33333333334, PU)"
    assert d[niks[3]]["decision"] == "selected"
    # The rule can be switched off.
    run = targeting_run(programme=make_programme(exclude_insured=False), export=False)
    assert run.selected == 4


def test_domicile_comes_from_the_address_not_the_nik(data_dir: Path, make_programme: Any) -> None:
    write_people(
        data_dir,
        [
            person("3275015005800001", kode_kelurahan="3216011007"),  # Bekasi NIK, lives in Kab. Bekasi
            person("3216015005800002", kode_kelurahan="3275011001"),  # Kab. Bekasi NIK, lives in Kota
        ],
    )
    run = targeting_run(programme=make_programme(), export=False)
    d = read_decisions(run)
    assert d["3275015005800001"]["reasons"] == "domicile 3216011007 outside 3275"
    assert d["3216015005800002"]["decision"] == "selected"


def test_same_inputs_give_the_same_decisions(data_dir: Path, make_programme: Any) -> None:
    """Same inputs and the same tie-break seed: the same decisions (the seed is an input, kept in the run)."""
    write_snapshot(data_dir, bulk_people_sql(20_000))
    programme = make_programme(budget=500_000_000)
    first = targeting_run(programme=programme, export=False)
    assert first.tie_break_seed_source == "random"
    second = targeting_run(programme=programme, export=False, tie_break_seed=first.tie_break_seed)
    assert first.pk != second.pk
    assert (second.tie_break_seed, second.tie_break_seed_source) == (first.tie_break_seed, "given")
    assert first.decisions_sha256 == second.decisions_sha256
    engine = DuckDBEngine()
    engine.register_parquet("decisions", second.decisions_file)
    assert actions.decisions_digest(engine) == second.decisions_sha256
    # the fingerprint covers the content: another budget gives other decisions, another digest
    other = targeting_run(programme=make_programme(code="OTHER", budget=100_000_000), export=False)
    assert other.decisions_sha256 != first.decisions_sha256
    assert first.summary == second.summary
    # ...and so does another seed: the snapshot has tied people (i and i + 10,000), whose ranks swap.
    reseeded = targeting_run(programme=programme, export=False, tie_break_seed=first.tie_break_seed + "x")
    assert reseeded.decisions_sha256 != first.decisions_sha256


def test_run_records_inputs_and_versions(data_dir: Path, make_programme: Any) -> None:
    snapshot = write_snapshot(data_dir, bulk_people_sql(300))
    programme = make_programme()
    run = targeting_run(programme=programme, export=False)
    assert run.snapshot_id == snapshot.pk and run.roster is None
    assert run.programme_version == programme.version == 1
    assert run.spec["programme"]["budget"] == 2_000_000_000
    assert run.code_version.startswith("0.1.0")
    assert run.decisions_path == f"runs/{run.pk}/decisions.parquet" and run.decisions_file.is_file()
    assert any("roster" in note for note in run.summary["notes"])
    assert sum(r["people"] for r in run.summary["per_kelurahan"]) == 300


def test_no_snapshot_is_a_user_error(data_dir: Path, make_programme: Any) -> None:
    with pytest.raises(UserError, match="impor registri dulu"):
        targeting_run(programme=make_programme())


def test_failure_leaves_neither_files_nor_rows(
    data_dir: Path, make_programme: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_snapshot(data_dir, bulk_people_sql(200))
    programme = make_programme()

    def broken(**kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(actions.exports, "write_run_exports", broken)
    with pytest.raises(OSError, match="disk full"):
        targeting_run(programme=programme)
    assert TargetingRun.objects.count() == 0
    assert list((data_dir / "runs").iterdir()) == []
    assert not AuditEvent.objects.filter(action="targeting.run").exists()

    monkeypatch.undo()
    monkeypatch.setattr(actions, "audit_record", lambda **kw: (_ for _ in ()).throw(RuntimeError("db gone")))
    with pytest.raises(RuntimeError, match="db gone"):
        targeting_run(programme=programme, export=False)
    assert TargetingRun.objects.count() == 0
    assert list((data_dir / "runs").iterdir()) == []
