import pytest

from sigap.core.money import Month
from sigap.core.programme import ProgrammeSpec, SpecError

BASE = {
    "programme": {
        "code": "SIGAP-2026",
        "name": "SIGAP 2026",
        "region": "32.75",
        "fiscal_year": 2026,
        "budget": "Rp2.000.000.000",
        "coverage_start": "2026-01",
    }
}


def test_defaults_and_cost():
    spec = ProgrammeSpec.from_dict(BASE)
    assert spec.region == "3275" and spec.budget == 2_000_000_000 and spec.funding == "APBD"
    assert spec.coverage_start == Month(2026, 1) and spec.covered_months == 12
    assert spec.cost_per_person() == 201_600
    assert spec.eligibility.desil_max == 5
    assert "BURUH HARIAN LEPAS" in spec.eligibility.occupations_included
    assert "KARYAWAN SWASTA" not in spec.eligibility.occupations_included


def test_late_start_costs_fewer_months():
    doc = {"programme": {**BASE["programme"], "coverage_start": "2026-11"}}
    assert ProgrammeSpec.from_dict(doc).cost_per_person() == 33_600


def test_every_problem_is_listed():
    doc = {
        "programme": {**BASE["programme"], "budget": -5, "coverage_start": "2025-12", "funding": "CSR"},
        "eligibility": {"age_min": 70, "age_max": 60, "exclude_insured": "yes"},
        "priority": {"order": ["desil", "height"]},
    }
    with pytest.raises(SpecError) as err:
        ProgrammeSpec.from_dict(doc)
    text = " | ".join(err.value.problems)
    for expected in (
        "budget",
        "outside fiscal year",
        "funding",
        "age_min 70 > age_max 60",
        "exclude_insured",
        "height",
    ):
        assert expected in text


def test_unknown_region_is_refused():
    with pytest.raises(SpecError, match="region"):
        ProgrammeSpec.from_dict(BASE, known_region=lambda code: False)


def test_occupation_lists_accept_categories_and_names():
    doc = {
        **BASE,
        "eligibility": {
            "occupations_included": ["informal", "karyawan honorer"],
            "occupations_excluded": ["Petani"],
        },
    }
    spec = ProgrammeSpec.from_dict(doc)
    assert "KARYAWAN HONORER" in spec.eligibility.occupations_included
    assert spec.eligibility.occupations_excluded == ("PETANI/PEKEBUN",)
