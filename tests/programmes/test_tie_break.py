"""The neutral tie-break (ADR 0014): among people equal on every priority key, neither sex (a woman's
NIK birth day is +40) nor the issuing province decides who fits the budget; the seed kept with the run
gives the same list again, another seed another list."""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from pathlib import Path
from typing import Any

import pytest

from sigap.audit.models import AuditEvent
from sigap.core import selection
from sigap.core.programme import ProgrammeSpec, SpecError
from sigap.core.tiebreak import LEGACY, TieBreak
from sigap.engine import DuckDBEngine
from sigap.errors import UserError
from sigap.programmes.actions import targeting_run, tie_break_for
from sigap.programmes.models import TargetingRun

from .helpers import programme_document, read_decisions, write_snapshot

COST = 201_600  # 12 months x Rp16,800
SEEDS = [f"uji-{i}" for i in range(20)]  # fixed: the test cannot flake
ALPHA = 1e-4  # per check: a fair draw falls outside the tolerance with at most this probability


def tied_people_sql(groups: dict[str, str], per_group: int) -> str:
    """``per_group`` people per ``NIK prefix (region 6 digits + birth day) -> sex``, equal on every
    priority key: same birth date (5 May 1980), desil 1, PEDAGANG, living in the same kelurahan."""
    parts = [
        f"""SELECT '{prefix}' || '0580' || lpad(CAST(i AS VARCHAR), 4, '0') AS nik,
          '3275' || '{prefix}' || lpad(CAST(i AS VARCHAR), 4, '0') AS no_kk,
          'ORANG ' || CAST(i AS VARCHAR) AS nama, 'BEKASI' AS tempat_lahir,
          DATE '1980-05-05' AS tanggal_lahir, '{sex}' AS jenis_kelamin, 'KEPALA KELUARGA' AS hubungan_keluarga,
          'JL' AS alamat, '001' AS rt, '001' AS rw, '327501' AS kode_kecamatan,
          '3275011001' AS kode_kelurahan, CAST(1 AS TINYINT) AS desil, 'PEDAGANG' AS pekerjaan,
          FALSE AS meninggal, CAST(i AS BIGINT) AS source_row
        FROM range(1, {per_group + 1}) AS t(i)"""  # noqa: S608 -- test data
        for prefix, sex in groups.items()
    ]
    return "\nUNION ALL\n".join(parts)


#: 200 men and 200 women of one kecamatan: only the NIK's birth day (05 / 45) tells them apart.
SEXES = {"32750105": "L", "32750145": "P"}
#: 100 men from each of four issuing provinces (Aceh, Jawa Barat, Sulawesi Selatan, Papua), all living
#: in Kota Bekasi (domicile comes from the address).
PROVINCES = {"11010105": "L", "32750105": "L", "73710105": "L", "94710105": "L"}


def binomial_tolerance(n: int, p: float, alpha: float = ALPHA) -> int:
    """The smallest ``t`` with P(|X - np| > t) <= ``alpha`` for X ~ Binomial(n, p).

    Drawing the places without replacement (what a ranking does) varies less than the binomial, so
    this tolerance is on the safe side."""
    mean = n * p
    pmf = [
        math.exp(
            math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
            + k * math.log(p) + (n - k) * math.log1p(-p)
        )
        for k in range(n + 1)
    ]  # fmt: skip
    at_most = list(itertools.accumulate(pmf))  # P(X <= k)
    at_least = list(itertools.accumulate(reversed(pmf)))[::-1]  # P(X >= k)
    for t in range(n + 1):
        below, above = math.ceil(mean - t) - 1, math.floor(mean + t) + 1  # k < mean - t, k > mean + t
        tail = (at_most[below] if below >= 0 else 0.0) + (at_least[above] if above <= n else 0.0)
        if tail <= alpha:
            return t
    return n


def selected_per_prefix(engine: DuckDBEngine, tie_break: TieBreak, places: int) -> dict[str, int]:
    spec = ProgrammeSpec.from_dict(programme_document(budget=places * COST))
    sql = selection.decisions_sql(spec, tie_break=tie_break, people="people")
    rows = engine.fetch(
        f"SELECT substr(nik, 1, 8), count(*) FILTER (WHERE decision = 'selected'), "  # noqa: S608
        f"count(*) FILTER (WHERE decision = 'waiting') FROM ({sql}) AS d GROUP BY 1"
    )
    assert sum(r[1] for r in rows) == places and all(r[1] + r[2] > 0 for r in rows)  # all eligible
    return {prefix: selected for prefix, selected, _ in rows}


def test_men_and_women_are_selected_in_proportion() -> None:
    """The finding: with the smallest NIK first, a tied group at the budget cut took every man first."""
    with DuckDBEngine() as engine:
        engine.execute(f"CREATE TABLE people AS {tied_people_sql(SEXES, 200)}")
        assert selected_per_prefix(engine, LEGACY, 200) == {"32750105": 200, "32750145": 0}
        tolerance = binomial_tolerance(200, 0.5)
        women = []
        for seed in SEEDS:
            counts = selected_per_prefix(engine, TieBreak.seeded(seed), 200)
            women.append(counts["32750145"])
            assert abs(counts["32750145"] - 100) <= tolerance, (seed, counts)
        # Over every seed together: 4,000 places, half to women within the binomial tolerance.
        assert abs(sum(women) - 2_000) <= binomial_tolerance(4_000, 0.5), women
        assert len(set(women)) > 1  # the seeds really draw differently


def test_the_issuing_province_does_not_decide() -> None:
    with DuckDBEngine() as engine:
        engine.execute(f"CREATE TABLE people AS {tied_people_sql(PROVINCES, 100)}")
        legacy = selected_per_prefix(engine, LEGACY, 200)
        assert legacy == {"11010105": 100, "32750105": 100, "73710105": 0, "94710105": 0}
        tolerance = binomial_tolerance(200, 0.25)
        totals = dict.fromkeys(PROVINCES, 0)
        for seed in SEEDS:
            counts = selected_per_prefix(engine, TieBreak.seeded(seed), 200)
            for prefix in PROVINCES:
                assert abs(counts[prefix] - 50) <= tolerance, (seed, counts)
                totals[prefix] += counts[prefix]
        wide = binomial_tolerance(4_000, 0.25)
        assert all(abs(total - 1_000) <= wide for total in totals.values()), totals


def test_the_ranking_follows_the_python_reading_of_the_rule() -> None:
    """Parity: the SQL ranks a tied group exactly as sorting by SHA-256(seed + NIK) in Python does."""
    seed = "SK/188/Dinsos-2026"
    with DuckDBEngine() as engine:
        engine.execute(f"CREATE TABLE people AS {tied_people_sql(SEXES, 50)}")
        spec = ProgrammeSpec.from_dict(programme_document(budget=30 * COST))
        sql = selection.decisions_sql(spec, tie_break=TieBreak.seeded(seed), people="people")
        ranked = [nik for (nik,) in engine.fetch(f"SELECT nik FROM ({sql}) AS d ORDER BY rank")]  # noqa: S608
    expected = sorted(ranked, key=lambda nik: hashlib.sha256((seed + nik).encode()).hexdigest())
    assert ranked == expected and ranked != sorted(ranked) and len(ranked) == 100


# --------------------------------------------------------------------------- runs (Django)


@pytest.fixture
def tied_snapshot(data_dir: Path) -> Any:
    return write_snapshot(data_dir, tied_people_sql(SEXES, 200))


def _selected(run: TargetingRun) -> set[str]:
    return {nik for nik, d in read_decisions(run).items() if d["decision"] == "selected"}


def _ranks(run: TargetingRun) -> dict[str, int]:
    return {nik: d["rank"] for nik, d in read_decisions(run).items()}


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_list_and_another_seed_another(
    tied_snapshot: Any, make_programme: Any
) -> None:
    programme = make_programme(budget=200 * COST)
    first = targeting_run(programme=programme, export=False, tie_break_seed="benih-a")
    again = targeting_run(programme=programme, export=False, tie_break_seed="benih-a")
    other = targeting_run(programme=programme, export=False, tie_break_seed="benih-b")
    assert first.selected == again.selected == other.selected == 200
    assert _ranks(first) == _ranks(again) and first.decisions_sha256 == again.decisions_sha256
    assert _selected(first) != _selected(other) and first.decisions_sha256 != other.decisions_sha256
    women = sum(1 for nik in _selected(first) if nik.startswith("32750145"))
    assert abs(women - 100) <= binomial_tolerance(200, 0.5)


@pytest.mark.django_db
def test_a_run_draws_a_seed_keeps_it_and_audits_it(tied_snapshot: Any, make_programme: Any) -> None:
    programme = make_programme(budget=200 * COST)
    first = targeting_run(programme=programme, export=False)
    second = targeting_run(programme=programme, export=False)
    for run in (first, second):
        assert run.tie_break_rule == "sha256-seed-nik" and run.tie_break_seed_source == "random"
        assert re.fullmatch(r"[0-9a-f]{32}", run.tie_break_seed)
        event = AuditEvent.objects.get(action="targeting.run", object_id=str(run.pk))
        assert (event.after["tie_break_rule"], event.after["tie_break_seed"]) == (
            "sha256-seed-nik",
            run.tie_break_seed,
        )
        assert event.after["tie_break_seed_source"] == "random"
    assert first.tie_break_seed != second.tie_break_seed
    # The recorded seed is enough to recompute the list.
    replay = targeting_run(programme=programme, export=False, tie_break_seed=first.tie_break_seed)
    assert replay.decisions_sha256 == first.decisions_sha256 and _ranks(replay) == _ranks(first)


@pytest.mark.django_db
def test_the_programme_file_can_fix_the_seed(tied_snapshot: Any, make_programme: Any) -> None:
    programme = make_programme(budget=200 * COST, tie_break_seed="SK-2026-017")
    assert programme.spec["priority"]["tie_break_seed"] == "SK-2026-017"
    run = targeting_run(programme=programme, export=False)
    assert (run.tie_break_seed, run.tie_break_seed_source) == ("SK-2026-017", "programme")
    assert run.spec["priority"]["tie_break_seed"] == "SK-2026-017"
    given = targeting_run(programme=programme, export=False, tie_break_seed="lain")
    assert (given.tie_break_seed, given.tie_break_seed_source) == ("lain", "given")
    with pytest.raises(UserError, match=r"tie-break seed\) .=SUM\(A1\). may hold only letters"):
        targeting_run(programme=programme, export=False, tie_break_seed="=SUM(A1)")
    assert TargetingRun.objects.count() == 2


@pytest.mark.django_db
def test_the_overview_export_names_the_rule_and_the_seed(tied_snapshot: Any, make_programme: Any) -> None:
    import openpyxl

    from sigap.programmes.actions import targeting_export

    run = targeting_run(programme=make_programme(budget=200 * COST), tie_break_seed="benih-a")
    files = targeting_export(run=run, directory=tied_snapshot.data_file.parent / "out")
    workbook = openpyxl.load_workbook(files["summary.xlsx"], read_only=True)
    overview = {r[0]: r[1] for r in workbook["Ringkasan"].iter_rows(values_only=True)}
    assert overview["Urutan seri"] == "hash SHA-256 dari benih + NIK, terkecil dulu; benih: benih-a"


def _parent(rule: str, seed: str) -> TargetingRun:
    return TargetingRun(tie_break_rule=rule, tie_break_seed=seed)


def test_where_a_runs_seed_comes_from() -> None:
    plain = ProgrammeSpec.from_dict(programme_document())
    fixed = ProgrammeSpec.from_dict(programme_document(tie_break_seed="SK-1"))
    parent = _parent("sha256-seed-nik", "induk")
    old = _parent("nik", "")
    replacement, renewal, initial = TargetingRun.REPLACEMENT, TargetingRun.RENEWAL, TargetingRun.INITIAL
    assert tie_break_for(plain, kind=replacement, parent=parent) == (TieBreak.seeded("induk"), "parent")
    assert tie_break_for(fixed, kind=replacement, parent=parent) == (TieBreak.seeded("SK-1"), "programme")
    assert tie_break_for(fixed, kind=initial, parent=None, seed="x") == (TieBreak.seeded("x"), "given")
    for kind, of in ((replacement, old), (renewal, parent), (initial, None)):
        drawn, source = tie_break_for(plain, kind=kind, parent=of)
        # a list made before ADR 0014 passes its NIK order on to no one
        assert source == "random" and drawn.rule == "sha256-seed-nik" and len(drawn.seed) == 32


def test_the_programme_form_keeps_the_seed() -> None:
    """Editing a programme on the web keeps (or sets) its seed, and a bad one is shown at its field."""
    from sigap.jobs.forms import ProgrammeForm
    from sigap.programmes.actions import spec_document

    spec = ProgrammeSpec.from_dict(programme_document(tie_break_seed="SK-2026-017"))
    initial = ProgrammeForm.initial_from(spec_document(spec))
    assert initial["tie_break_seed"] == "SK-2026-017"
    data = {k: ("on" if v is True else v) for k, v in initial.items() if v is not False and v is not None}
    form = ProgrammeForm(data)
    assert form.is_valid(), form.errors
    assert ProgrammeSpec.from_dict(form.document()) == spec
    plain = ProgrammeForm({**data, "tie_break_seed": "  "})
    assert plain.is_valid() and "tie_break_seed" not in plain.document()["priority"]

    bad = ProgrammeForm({**data, "tie_break_seed": "benih acak"})
    assert bad.is_valid()
    with pytest.raises(SpecError) as err:
        ProgrammeSpec.from_dict(bad.document())
    bad.show_problems(UserError("the programme definition has 1 problem", details=err.value.problems))
    assert "hanya boleh berisi huruf, angka" in str(bad.errors["tie_break_seed"])


@pytest.mark.django_db
def test_the_run_page_shows_the_rule_and_the_seed(
    tied_snapshot: Any, make_programme: Any, client: Any
) -> None:
    from django.urls import reverse

    from sigap.accounts.actions import user_create
    from sigap.accounts.roles import ADMIN_DINAS

    run = targeting_run(programme=make_programme(budget=200 * COST), export=False, tie_break_seed="benih-a")
    client.force_login(user_create(username="petugas", password="x" * 12, role=ADMIN_DINAS, area_code="3275"))
    page = client.get(reverse("web:run-detail", args=[run.pk])).content.decode()
    assert "Urutan seri: hash SHA-256 dari benih + NIK, terkecil dulu; benih: benih-a" in page
    TargetingRun.objects.filter(pk=run.pk).update(
        tie_break_rule="nik", tie_break_seed=""
    )  # a run before ADR 0014
    page = client.get(reverse("web:run-detail", args=[run.pk])).content.decode()
    assert "Urutan seri: NIK terkecil dulu (aturan lama, tanpa benih)" in page
