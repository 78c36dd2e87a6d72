"""Programme definition: the file an officer versions, parsed and validated.

``ProgrammeSpec.from_dict`` takes the parsed TOML (or JSON) document and returns a frozen
spec or raises :class:`SpecError` listing every problem with its dotted key.  Parsing is strict:
a table or key that is not in :data:`SECTIONS` (or :data:`TOP_LEVEL_KEYS`) is refused, naming it
with its table and the closest known key, so a typo such as ``desil_mx = 3`` never silently
leaves a default in force.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from sigap.core import occupations as occ
from sigap.core import tiebreak
from sigap.core.money import Month, parse_rupiah
from sigap.core.tariff import (
    DEFAULT_INCOME_BRACKET,
    monthly_components,
    period_components,
    period_cost,
    programmes_label,
)

PRIORITY_KEYS = ("desil", "occupation_risk", "age_desc", "age_asc", "kk_size_desc")
FUNDING_SOURCES = ("APBD", "APBN")
ESTIMATE_KEY = "estimated_vulnerable_workers"


class SpecError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Eligibility:
    desil_max: int = 5
    age_min: int = 18
    age_max: int = 60
    occupations_included: tuple[str, ...] = tuple(occ.names_in(occ.INFORMAL))
    occupations_excluded: tuple[str, ...] = ()
    exclude_insured: bool = True
    exclude_aparat: bool = True
    exclude_deceased: bool = True


@dataclass(frozen=True)
class Priority:
    order: tuple[str, ...] = ("desil", "occupation_risk", "age_desc")
    #: The officer's seed for the tie-break (ADR 0014); None: each run draws its own.
    tie_break_seed: str | None = None


#: Every table of a programme file and the keys it may hold (``sigap programme template``).
SECTIONS: dict[str, tuple[str, ...]] = {
    "programme": (
        "code",
        "name",
        "region",
        "fiscal_year",
        "budget",
        "coverage_start",
        "funding",
        ESTIMATE_KEY,
    ),
    "tariff": ("income_bracket", "include_jht"),
    "eligibility": tuple(f.name for f in fields(Eligibility)),
    "priority": tuple(f.name for f in fields(Priority)),
}
#: Keys accepted outside any table (older files put the estimate there).
TOP_LEVEL_KEYS: tuple[str, ...] = (ESTIMATE_KEY,)


@dataclass(frozen=True)
class ProgrammeSpec:
    code: str
    name: str
    region: str
    fiscal_year: int
    budget: int
    coverage_start: Month
    funding: str = "APBD"
    income_bracket: int = DEFAULT_INCOME_BRACKET
    #: The programme also pays JHT (2% of the declared income, optional for BPU): [tariff] include_jht.
    include_jht: bool = False
    eligibility: Eligibility = field(default_factory=Eligibility)
    priority: Priority = field(default_factory=Priority)
    #: The officer's estimate of vulnerable workers in the region (the leaders' dashboard coverage
    #: base); not a selection rule.  Written under [programme] (the top level is accepted too).
    estimated_vulnerable_workers: int | None = None

    @property
    def coverage_end(self) -> Month:
        return Month(self.fiscal_year, 12)

    @property
    def covered_months(self) -> int:
        return self.coverage_end - self.coverage_start + 1

    @property
    def age_reference_date(self) -> dt.date:
        """Ages are taken on the first covered day."""
        return self.coverage_start.first_day()

    def cost_per_person(self) -> int:
        """Premium for one person covered from ``coverage_start`` to December (the budget cut's price)."""
        return period_cost(
            self.coverage_start,
            self.coverage_end,
            funding=self.funding,
            income_bracket=self.income_bracket,
            include_jht=self.include_jht,
        )

    def cost_components(self) -> dict[str, int]:
        """:meth:`cost_per_person` per programme (``jkk``, ``jkm``[, ``jht``]); adds up to it."""
        return period_components(
            self.coverage_start,
            self.coverage_end,
            funding=self.funding,
            income_bracket=self.income_bracket,
            include_jht=self.include_jht,
        )

    def monthly_components(self, month: Month) -> dict[str, int]:
        """Premium per programme for one person and ``month`` (what an invoice line of the month holds)."""
        return monthly_components(
            month, funding=self.funding, income_bracket=self.income_bracket, include_jht=self.include_jht
        )

    @property
    def programmes_label(self) -> str:
        """``JKK+JKM`` or ``JKK+JKM+JHT``."""
        return programmes_label(self.include_jht)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["coverage_start"] = str(self.coverage_start)
        return d

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any], *, known_region: Any = None) -> ProgrammeSpec:
        """Build from a document shaped like ``sigap programme template``.

        ``known_region`` is an optional callable ``code -> bool`` to check the region.
        """
        problems: list[str] = []
        _check_keys(doc, problems)
        prog = _section(doc, "programme", problems)
        elig_doc = _section(doc, "eligibility", problems, required=False)
        prio_doc = _section(doc, "priority", problems, required=False)
        tariff_doc = _section(doc, "tariff", problems, required=False)

        def need(key: str) -> Any:
            if key not in prog or prog[key] in (None, ""):
                problems.append(f"programme.{key}: required")
                return None
            return prog[key]

        code, name, region = need("code"), need("name"), need("region")
        fiscal_year = _int(need("fiscal_year"), "programme.fiscal_year", problems, lo=2000, hi=2100)
        budget = None
        if (raw_budget := need("budget")) is not None:
            try:
                budget = parse_rupiah(raw_budget)
            except ValueError as e:
                problems.append(f"programme.budget: {e}")
        if budget is not None and budget <= 0:
            problems.append("programme.budget: must be more than 0")
        start = None
        if (raw_start := need("coverage_start")) is not None:
            try:
                start = Month.parse(str(raw_start))
            except ValueError as e:
                problems.append(f"programme.coverage_start: {e}")
        if start is not None and fiscal_year is not None and start.year != fiscal_year:
            problems.append(f"programme.coverage_start: {start} is outside fiscal year {fiscal_year}")
        region = str(region) if region is not None else None
        if region is not None:
            region = region.replace(".", "")
            if len(region) not in (2, 4) or not region.isdigit():
                problems.append(f"programme.region: '{region}' is not a provinsi or kabupaten/kota code")
            elif known_region is not None and not known_region(region):
                problems.append(f"programme.region: '{region}' is not in the region reference")
        funding = str(prog.get("funding", "APBD")).upper()
        if funding not in FUNDING_SOURCES:
            problems.append(f"programme.funding: '{funding}' is not one of {', '.join(FUNDING_SOURCES)}")
        bracket = _int(
            tariff_doc.get("income_bracket", DEFAULT_INCOME_BRACKET), "tariff.income_bracket", problems, lo=1
        )
        include_jht = _bool(tariff_doc.get("include_jht", False), "tariff.include_jht", problems)

        defaults = Eligibility()
        elig = Eligibility(
            desil_max=_int(
                elig_doc.get("desil_max", defaults.desil_max), "eligibility.desil_max", problems, 1, 10
            )
            or defaults.desil_max,
            age_min=_int(elig_doc.get("age_min", defaults.age_min), "eligibility.age_min", problems, 0, 120)
            or 0,
            age_max=_int(elig_doc.get("age_max", defaults.age_max), "eligibility.age_max", problems, 0, 120)
            or defaults.age_max,
            occupations_included=_occupations(
                elig_doc.get("occupations_included", "informal"), "eligibility.occupations_included", problems
            ),
            occupations_excluded=_occupations(
                elig_doc.get("occupations_excluded", []), "eligibility.occupations_excluded", problems
            ),
            exclude_insured=_bool(
                elig_doc.get("exclude_insured", True), "eligibility.exclude_insured", problems
            ),
            exclude_aparat=_bool(
                elig_doc.get("exclude_aparat", True), "eligibility.exclude_aparat", problems
            ),
            exclude_deceased=_bool(
                elig_doc.get("exclude_deceased", True), "eligibility.exclude_deceased", problems
            ),
        )
        estimate = _estimate(doc, prog, problems)
        if elig.age_min > elig.age_max:
            problems.append(f"eligibility: age_min {elig.age_min} > age_max {elig.age_max}")
        order = prio_doc.get("order", list(Priority().order))
        if not isinstance(order, list) or not all(isinstance(k, str) for k in order):
            problems.append("priority.order: must be a list of keys")
            order = list(Priority().order)
        for key in order:
            if key not in PRIORITY_KEYS:
                problems.append(f"priority.order: unknown key '{key}' (known: {', '.join(PRIORITY_KEYS)})")
        seed = _seed(prio_doc.get("tie_break_seed"), problems)
        if problems:
            raise SpecError(problems)
        assert fiscal_year is not None and budget is not None and start is not None and bracket is not None
        return cls(
            code=str(code),
            name=str(name),
            region=str(region),
            fiscal_year=fiscal_year,
            budget=budget,
            coverage_start=start,
            funding=funding,
            income_bracket=bracket,
            include_jht=include_jht,
            eligibility=elig,
            priority=Priority(tuple(order), tie_break_seed=seed),
            estimated_vulnerable_workers=estimate,
        )


def _check_keys(doc: Mapping[str, Any], problems: list[str]) -> None:
    """One problem per unknown table or key, naming it with its table and the closest known key."""
    for name, value in doc.items():
        name = str(name)
        if name in SECTIONS:
            if isinstance(value, Mapping):  # a non-table is reported by ``_section``
                problems.extend(_unknown_key(name, str(k)) for k in value if str(k) not in SECTIONS[name])
            continue
        if name in TOP_LEVEL_KEYS and not isinstance(value, Mapping):
            continue
        if isinstance(value, Mapping):
            close = difflib.get_close_matches(name, list(SECTIONS), n=1)
            hint = (
                f"did you mean [{close[0]}]?"
                if close
                else f"known tables: {', '.join(f'[{t}]' for t in SECTIONS)}"
            )
            problems.append(f"[{name}]: unknown table, {hint}")
        else:
            problems.append(f"{name} (top level): unknown key, {_top_level_hint(name)}")


def _unknown_key(table: str, key: str) -> str:
    known = SECTIONS[table]
    home = [t for t, keys in SECTIONS.items() if key in keys]
    if home:
        hint = f"it belongs under [{home[0]}]"
    elif key in SECTIONS:
        hint = f"[{key}] is a table of its own, not part of [{table}]"
    elif close := difflib.get_close_matches(key, known, n=1):
        hint = f"did you mean {close[0]}?"
    elif close := difflib.get_close_matches(key, _qualified(), n=1):
        hint = f"did you mean {_qualified()[close[0]]}?"
    else:
        hint = f"known keys: {', '.join(known)}"
    return f"[{table}] {key}: unknown key, {hint}"


def _top_level_hint(key: str) -> str:
    home = [t for t, keys in SECTIONS.items() if key in keys]
    if home:
        return f"it belongs under [{home[0]}]"
    if close := difflib.get_close_matches(key, [*TOP_LEVEL_KEYS, *_qualified()], n=1):
        return f"did you mean {_qualified().get(close[0], close[0])}?"
    return f"known tables: {', '.join(f'[{t}]' for t in SECTIONS)}"


def _qualified() -> dict[str, str]:
    """``key -> "[table] key"`` for every key of every table."""
    return {key: f"[{table}] {key}" for table, keys in SECTIONS.items() for key in keys}


def _estimate(doc: Mapping[str, Any], prog: Mapping[str, Any], problems: list[str]) -> int | None:
    """``estimated_vulnerable_workers`` under [programme] or at the top level (not both, unless equal)."""
    top, under = doc.get(ESTIMATE_KEY), prog.get(ESTIMATE_KEY)
    if top is not None and under is not None and top != under:
        problems.append(
            f"{ESTIMATE_KEY}: given at the top level ({top}) and under [programme] ({under}); keep one"
        )
        return None
    if under is not None:
        return _int(under, f"programme.{ESTIMATE_KEY}", problems, lo=1)
    return _int(top, ESTIMATE_KEY, problems, lo=1)


def _section(
    doc: Mapping[str, Any], key: str, problems: list[str], required: bool = True
) -> Mapping[str, Any]:
    value = doc.get(key)
    if value is None:
        if required:
            problems.append(f"[{key}]: section missing")
        return {}
    if not isinstance(value, Mapping):
        problems.append(f"[{key}]: must be a table")
        return {}
    return value


def _int(
    value: Any, key: str, problems: list[str], lo: int | None = None, hi: int | None = None
) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).replace("_", ""))
        except ValueError:
            problems.append(f"{key}: '{value}' is not a whole number")
            return None
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        problems.append(
            f"{key}: {value} is outside {lo}..{hi}" if hi is not None else f"{key}: {value} is less than {lo}"
        )
        return None
    return int(value)


def _seed(value: Any, problems: list[str]) -> str | None:
    """``[priority] tie_break_seed``: text (a whole number is taken as its digits); None when absent."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        value = str(value)
    if (problem := tiebreak.seed_problem(value)) is not None:
        problems.append(f"priority.tie_break_seed: {problem}")
        return None
    return str(value)


def _bool(value: Any, key: str, problems: list[str]) -> bool:
    if isinstance(value, bool):
        return value
    problems.append(f"{key}: must be true or false")
    return True


def _occupations(value: Any, key: str, problems: list[str]) -> tuple[str, ...]:
    """A category name (``informal``) or a list of occupation names / categories."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        problems.append(f"{key}: must be a category name or a list of occupations")
        return ()
    out: list[str] = []
    categories = {occ.INFORMAL, occ.FORMAL, occ.APARAT, occ.NOT_WORKING}
    for item in items:
        text = str(item).strip()
        if text.lower() in categories:
            out.extend(occ.names_in(text.lower()))
        else:
            out.append(occ.normalise_occupation(text))
    return tuple(dict.fromkeys(out))
