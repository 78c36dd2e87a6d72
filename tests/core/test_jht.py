"""Optional JHT (DOMAIN.md section 2: 2% of the declared income for BPU) on top of JKK + JKM: the rule
lives once in core/tariff.py and every figure built on it adds up to the rupiah."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest

from sigap.core.money import Month
from sigap.core.programme import ProgrammeSpec, SpecError
from sigap.core.realisation import UNSPLIT, Enrolled, realise
from sigap.core.tariff import (
    describe_components,
    monthly_components,
    monthly_premium,
    period_components,
    period_cost,
    programmes_label,
)
from sigap.programmes.template import PROGRAMME_TEMPLATE

JAN, DEC = Month(2026, 1), Month(2026, 12)
BASE = {
    "programme": {
        "code": "SIGAP-JHT-2026",
        "name": "SIGAP dengan JHT",
        "region": "3275",
        "fiscal_year": 2026,
        "budget": 2_000_000_000,
        "coverage_start": "2026-01",
    }
}


def _spec(**tariff: object) -> ProgrammeSpec:
    return ProgrammeSpec.from_dict({**BASE, "tariff": dict(tariff)})


def test_jht_at_the_rp1_000_000_bracket_is_rp20_000_a_month() -> None:
    # JKK 1% x Rp1,000,000 + JKM Rp6,800 + JHT 2% x Rp1,000,000 = Rp36,800 per person per month.
    assert monthly_components(JAN, include_jht=True) == {"jkk": 10_000, "jkm": 6_800, "jht": 20_000}
    assert monthly_premium(JAN, include_jht=True) == 16_800 + 20_000 == 36_800
    assert period_cost(JAN, DEC, include_jht=True) == 12 * 36_800 == 441_600
    assert period_components(JAN, DEC, include_jht=True) == {"jkk": 120_000, "jkm": 81_600, "jht": 240_000}
    # without JHT nothing changes (DOMAIN.md section 1)
    assert monthly_components(JAN) == {"jkk": 10_000, "jkm": 6_800}
    assert monthly_premium(JAN) == 16_800 and period_cost(JAN, DEC) == 201_600


def test_jht_follows_the_declared_income() -> None:
    parts = monthly_components(JAN, income_bracket=2_000_000, include_jht=True)
    assert parts == {"jkk": 20_000, "jkm": 6_800, "jht": 40_000} and sum(parts.values()) == 66_800


def test_the_pp50_relief_never_touches_jht_and_the_parts_still_add_up() -> None:
    """PP 50/2025 halves JKK + JKM of self-paid transport workers (never APBD/APBN): JHT stays whole."""
    feb = Month(2026, 2)
    own = monthly_components(feb, funding="MANDIRI", occupation="SOPIR", include_jht=True)
    assert own == {"jkk": 5_000, "jkm": 3_400, "jht": 20_000}
    assert monthly_premium(feb, funding="MANDIRI", occupation="SOPIR", include_jht=True) == 28_400
    assert monthly_premium(feb, funding="MANDIRI", occupation="SOPIR") == 8_400  # as before
    assert monthly_components(feb, funding="APBD", occupation="SOPIR", include_jht=True) == {
        "jkk": 10_000,
        "jkm": 6_800,
        "jht": 20_000,
    }


def test_labels_and_descriptions() -> None:
    assert programmes_label(False) == "JKK+JKM" and programmes_label(True) == "JKK+JKM+JHT"
    text = describe_components(monthly_components(JAN, include_jht=True))
    assert text == "JKK Rp10.000 + JKM Rp6.800 + JHT Rp20.000 = Rp36.800"


def test_the_programme_file_key() -> None:
    plain = ProgrammeSpec.from_dict(BASE)
    assert plain.include_jht is False and plain.cost_per_person() == 201_600
    spec = _spec(include_jht=True)
    assert spec.include_jht is True and spec.programmes_label == "JKK+JKM+JHT"
    assert spec.cost_per_person() == 441_600 == sum(spec.cost_components().values())
    assert spec.monthly_components(JAN) == {"jkk": 10_000, "jkm": 6_800, "jht": 20_000}
    # the budget cut: floor(Rp2,000,000,000 / (Rp36,800 x 12)) people
    assert spec.budget // spec.cost_per_person() == 2_000_000_000 // (36_800 * 12) == 4_528
    # a later start costs fewer months
    july = ProgrammeSpec.from_dict(
        {"programme": {**BASE["programme"], "coverage_start": "2026-07"}, "tariff": {"include_jht": True}}
    )
    assert july.cost_per_person() == 6 * 36_800


@pytest.mark.parametrize(
    ("tariff", "problem"),
    [
        ({"include_jht": "ya"}, "tariff.include_jht: must be true or false"),
        ({"include_jht": 1}, "tariff.include_jht: must be true or false"),
        ({"include_jth": True}, "[tariff] include_jth: unknown key, did you mean include_jht?"),
    ],
)
def test_a_bad_jht_key_is_refused(tariff: dict[str, object], problem: str) -> None:
    with pytest.raises(SpecError) as refused:
        _spec(**tariff)
    assert refused.value.problems == [problem]


def test_jht_is_a_tariff_key_not_a_programme_key() -> None:
    with pytest.raises(SpecError) as refused:
        ProgrammeSpec.from_dict({"programme": {**BASE["programme"], "include_jht": True}})
    assert refused.value.problems == ["[programme] include_jht: unknown key, it belongs under [tariff]"]


def test_the_template_shows_the_key_and_its_cost_at_its_bracket() -> None:
    doc = tomllib.loads(PROGRAMME_TEMPLATE)
    assert doc["tariff"] == {"income_bracket": 1_000_000, "include_jht": False}
    tariff = PROGRAMME_TEMPLATE[
        PROGRAMME_TEMPLATE.index("[tariff]") : PROGRAMME_TEMPLATE.index("[eligibility]")
    ]
    # both languages, figures from core.tariff at the template's bracket and first month
    for words in (
        "JHT = Rp20.000",
        "JKK Rp10.000 + JKM Rp6.800 + JHT Rp20.000",
        "= Rp36.800 (Rp441.600 per tahun)",
        "JHT = Rp20,000",
        "= Rp36,800 (Rp441,600 per year)",
        "Jaminan Hari Tua",
        "old-age savings",
    ):
        assert words in tariff, words
    switched = PROGRAMME_TEMPLATE.replace("include_jht = false", "include_jht = true")
    assert ProgrammeSpec.from_dict(tomllib.loads(switched)).cost_per_person() == 441_600


def test_realisation_with_jht_adds_up_per_programme() -> None:
    members = [Enrolled(JAN)] * 10 + [Enrolled(Month(2026, 4), Month(2026, 6))] * 2
    r = realise(
        allocated=2_000_000_000,
        fiscal_year=2026,
        members=members,
        invoiced=10 * 36_800 * 2,
        paid=10 * 36_800,
        invoiced_months=[JAN, Month(2026, 2)],
        on=dt.date(2026, 2, 20),
        quota=12,
        include_jht=True,
        invoiced_components={"jkk": 200_000, "jkm": 136_000, "jht": 400_000},
    )
    committed = 10 * 36_800 * 10 + 2 * 36_800 * 3  # March..December for 10, April..June for 2
    assert r.committed == committed and r.adds_up() and r.components_add_up()
    parts = {c: (i, k) for c, i, k in r.by_component}
    assert parts["jht"] == (400_000, (10 * 10 + 2 * 3) * 20_000)
    assert parts["jkk"] == (200_000, (10 * 10 + 2 * 3) * 10_000)
    assert sum(i for i, _ in parts.values()) == r.invoiced and sum(k for _, k in parts.values()) == committed
    assert r.cost_per_new_member == 10 * 36_800  # March..December, JHT included
    assert r.as_dict()["by_component"]["jht"] == {"invoiced": 400_000, "committed": 2_120_000}
    rows = r.component_rows()
    assert [label for label, *_ in rows] == ["JKK", "JKM", "JHT"]


def test_invoiced_amounts_without_a_breakdown_are_their_own_row() -> None:
    r = realise(
        allocated=1_000_000,
        fiscal_year=2026,
        members=[],
        invoiced=33_600,
        paid=0,
        invoiced_months=[JAN],
        on=dt.date(2026, 1, 20),
    )
    assert r.by_component == ((UNSPLIT, 33_600, 0),) and r.components_add_up()
    assert r.component_rows() == [("Tagihan tanpa rincian", 33_600, 0, 33_600)]
