import re
import tomllib
from dataclasses import fields

import pytest

from sigap.core import occupations as occ
from sigap.core.money import Month
from sigap.core.programme import SECTIONS, Eligibility, ProgrammeSpec, SpecError
from sigap.programmes.template import PROGRAMME_TEMPLATE

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


# --------------------------------------------------------------------------- strict keys


def _problems(doc: dict) -> list[str]:
    with pytest.raises(SpecError) as err:
        ProgrammeSpec.from_dict(doc)
    return err.value.problems


def test_a_typo_is_refused_with_the_closest_key():
    """``desil_mx = 3`` used to leave desil_max at 5 (wider eligibility) without a word."""
    problems = _problems({**BASE, "eligibility": {"desil_mx": 3}})
    assert problems == ["[eligibility] desil_mx: unknown key, did you mean desil_max?"]


def test_every_unknown_key_and_table_is_reported_at_once():
    doc = {
        "programme": {**BASE["programme"], "budjet": 5, "income_bracket": 2_000_000},
        "eligibility": {"age_mim": 20, "exclude_insured": True, "shoe_size": 42},
        "eligibilty": {"desil_max": 3},
        "notes": {"author": "dinas"},
        "code": "X",
        "tariff": {"income_brakcet": 1},
        "priority": {"oder": ["desil"]},
    }
    problems = _problems(doc)
    assert problems == [
        "[programme] budjet: unknown key, did you mean budget?",
        "[programme] income_bracket: unknown key, it belongs under [tariff]",
        "[eligibility] age_mim: unknown key, did you mean age_min?",
        "[eligibility] shoe_size: unknown key, known keys: " + ", ".join(SECTIONS["eligibility"]),
        "[eligibilty]: unknown table, did you mean [eligibility]?",
        "[notes]: unknown table, known tables: [programme], [tariff], [eligibility], [priority]",
        "code (top level): unknown key, it belongs under [programme]",
        "[tariff] income_brakcet: unknown key, did you mean income_bracket?",
        "[priority] oder: unknown key, did you mean order?",
    ]


def test_a_table_inside_a_table_is_named():
    problems = _problems({**BASE, "eligibility": {"priority": {"order": ["desil"]}}})
    assert problems == [
        "[eligibility] priority: unknown key, [priority] is a table of its own, not part of [eligibility]"
    ]


def test_a_key_of_another_table_is_suggested_with_its_table():
    problems = _problems({**BASE, "eligibility": {"income_braket": 1}})
    assert problems == ["[eligibility] income_braket: unknown key, did you mean [tariff] income_bracket?"]


def test_the_known_keys_are_the_spec_fields():
    assert set(SECTIONS["eligibility"]) == {f.name for f in fields(Eligibility)}
    assert SECTIONS["tariff"] == ("income_bracket", "include_jht")
    assert SECTIONS["priority"] == ("order", "tie_break_seed")
    assert set(SECTIONS["programme"]) == {f.name for f in fields(ProgrammeSpec)} - {
        "income_bracket",
        "include_jht",
        "eligibility",
        "priority",
    }


# --------------------------------------------------------------------------- estimate


def test_the_estimate_is_kept_under_programme_or_at_the_top_level():
    under = {"programme": {**BASE["programme"], "estimated_vulnerable_workers": 200_000}}
    assert ProgrammeSpec.from_dict(under).estimated_vulnerable_workers == 200_000
    top = {**BASE, "estimated_vulnerable_workers": 150_000}
    assert ProgrammeSpec.from_dict(top).estimated_vulnerable_workers == 150_000
    both = {**under, "estimated_vulnerable_workers": 200_000}
    assert ProgrammeSpec.from_dict(both).estimated_vulnerable_workers == 200_000
    assert ProgrammeSpec.from_dict(BASE).estimated_vulnerable_workers is None


def test_a_bad_estimate_is_refused():
    zero = {"programme": {**BASE["programme"], "estimated_vulnerable_workers": 0}}
    assert _problems(zero) == ["programme.estimated_vulnerable_workers: 0 is less than 1"]
    text = {**BASE, "estimated_vulnerable_workers": "banyak"}
    assert _problems(text) == ["estimated_vulnerable_workers: 'banyak' is not a whole number"]
    clash = {
        "programme": {**BASE["programme"], "estimated_vulnerable_workers": 1},
        "estimated_vulnerable_workers": 2,
    }
    assert "given at the top level (2) and under [programme] (1)" in _problems(clash)[0]


# --------------------------------------------------------------------------- the template


KEY_LINE = re.compile(r"^(#\s*)?([a-z_]+)\s*=")


def _template_keys(text: str) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """``(table, key)`` of the template's live lines and of its commented-out key lines."""
    live: set[tuple[str, str]] = set()
    commented: set[tuple[str, str]] = set()
    table = ""
    for line in text.splitlines():
        if line.startswith("["):
            table = line.strip("[] ")
        elif m := KEY_LINE.match(line):
            (commented if m.group(1) else live).add((table, m.group(2)))
    return live, commented


def _uncomment(text: str) -> str:
    """The template with each commented-out ``# key = value`` line taking the place of the live one."""
    out: list[str] = []
    for line in text.splitlines():
        m = KEY_LINE.match(line)
        if m and m.group(1):
            key = m.group(2)
            out = [kept for kept in out if not re.match(rf"^{key}\s*=", kept)]
            line = line[len(m.group(1)) :]
        out.append(line)
    return "\n".join(out) + "\n"


def test_the_template_documents_exactly_the_known_keys():
    live, commented = _template_keys(PROGRAMME_TEMPLATE)
    known = {(table, key) for table, keys in SECTIONS.items() for key in keys}
    assert live | commented == known
    # Optional or alternative lines only: everything else is spelled out.
    assert commented == {
        ("programme", "estimated_vulnerable_workers"),
        ("eligibility", "occupations_included"),
        ("priority", "tie_break_seed"),
    }


def test_the_template_round_trips_with_every_key_used():
    spec = ProgrammeSpec.from_dict(tomllib.loads(PROGRAMME_TEMPLATE))
    assert spec.estimated_vulnerable_workers is None and spec.priority.tie_break_seed is None
    assert spec.eligibility.occupations_included == tuple(occ.names_in(occ.INFORMAL))
    assert "MENGURUS RUMAH TANGGA" not in spec.eligibility.occupations_included

    doc = tomllib.loads(_uncomment(PROGRAMME_TEMPLATE))
    assert {(t, k) for t, table in doc.items() for k in table} == {
        (t, k) for t, keys in SECTIONS.items() for k in keys
    }
    full = ProgrammeSpec.from_dict(doc)
    assert full.estimated_vulnerable_workers == 200_000
    assert full.priority.tie_break_seed == "SK-2026-017"
    included = full.eligibility.occupations_included
    assert {"MENGURUS RUMAH TANGGA", "BELUM/TIDAK BEKERJA", "BURUH HARIAN LEPAS"} <= set(included)
    assert "PELAJAR/MAHASISWA" not in included and "PENSIUNAN" not in included
    # Every key of the file reaches the spec: another value for it gives another spec.
    assert set(OTHER_VALUES) == {(t, k) for t, keys in SECTIONS.items() for k in keys}
    for (table, key), value in OTHER_VALUES.items():
        changed = {t: dict(v) for t, v in doc.items()}
        changed[table][key] = value
        if key == "fiscal_year":
            changed["programme"]["coverage_start"] = f"{value}-01"
        assert ProgrammeSpec.from_dict(changed) != full, (table, key)


OTHER_VALUES: dict[tuple[str, str], object] = {
    ("programme", "code"): "LAIN-2026",
    ("programme", "name"): "Program lain",
    ("programme", "region"): "3216",
    ("programme", "fiscal_year"): 2027,
    ("programme", "budget"): 3_000_000_000,
    ("programme", "coverage_start"): "2026-07",
    ("programme", "funding"): "APBN",
    ("programme", "estimated_vulnerable_workers"): 1,
    ("tariff", "income_bracket"): 2_000_000,
    ("tariff", "include_jht"): True,
    ("eligibility", "desil_max"): 3,
    ("eligibility", "age_min"): 20,
    ("eligibility", "age_max"): 50,
    ("eligibility", "occupations_included"): ["PEDAGANG"],
    ("eligibility", "occupations_excluded"): ["SOPIR"],
    ("eligibility", "exclude_insured"): False,
    ("eligibility", "exclude_aparat"): False,
    ("eligibility", "exclude_deceased"): False,
    ("priority", "order"): ["age_asc"],
    ("priority", "tie_break_seed"): "SK-2026-018",
}


def test_the_template_makes_the_homemaker_choice_visible():
    text = PROGRAMME_TEMPLATE
    assert '# occupations_included = ["informal", "MENGURUS RUMAH TANGGA", "BELUM/TIDAK BEKERJA"]' in text
    for words in ("MENGURUS RUMAH TANGGA", "BELUM/TIDAK BEKERJA", "PILIHAN", "CHOICE"):
        assert words in text


# --------------------------------------------------------------------------- tie-break seed (ADR 0014)


def test_the_tie_break_seed_is_optional_text():
    assert ProgrammeSpec.from_dict(BASE).priority.tie_break_seed is None
    for given, kept in (
        ("SK/188/Dinsos-2026", "SK/188/Dinsos-2026"),
        (20260115, "20260115"),
        ("a" * 64, "a" * 64),
    ):
        doc = {**BASE, "priority": {"tie_break_seed": given}}
        assert ProgrammeSpec.from_dict(doc).priority.tie_break_seed == kept


@pytest.mark.parametrize(
    ("seed", "problem"),
    [
        ("", "must not be empty"),
        ("a" * 65, "is 65 characters long, at most 64 are allowed"),
        ("=HYPERLINK(1)", "may hold only letters, digits"),
        ("benih acak", "may hold only letters, digits"),
        ("benih'; DROP", "may hold only letters, digits"),
        ("bénih", "may hold only letters, digits"),
        (True, "must be text"),
        (1.5, "must be text"),
        (-3, "must be text"),
    ],
)
def test_a_bad_tie_break_seed_is_refused(seed, problem):
    problems = _problems({**BASE, "priority": {"tie_break_seed": seed}})
    assert len(problems) == 1 and problems[0].startswith("priority.tie_break_seed: ")
    assert problem in problems[0]


def test_a_misspelt_tie_break_seed_is_named():
    problems = _problems({**BASE, "priority": {"tie_brake_seed": "x"}})
    assert problems == ["[priority] tie_brake_seed: unknown key, did you mean tie_break_seed?"]
