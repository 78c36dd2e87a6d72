"""Many programmes in one pass: every person of a snapshot decided once, under the programme of
their domicile, with ranking and the budget cut partitioned by programme.

Pure: builds DuckDB SQL (transpiled for Spark by :mod:`sigap.engine.spark_engine`), from the same
rule texts as :func:`sigap.core.selection.decisions_sql` (``selection._rules``), so a programme's
people get the decisions its own run would give them (parity-tested).  Differences from one run:

* only people whose domicile (``kode_kelurahan``) lies in one of the programmes' regions get a row,
  tagged with that ``programme``; a one-programme run also lists everyone else as "domicile outside";
  the regions of one pass may not overlap (a province programme and one of its cities);
* the eligibility rules that differ between programmes (desil, ages, occupation lists, the tariff
  and the start month...) are chosen per row by programme; identical rules are written once;
* the ranking is not one window over all eligible people (on Spark that moves every row into one
  partition): people are counted per programme and group of equal priority keys, the groups are
  ordered within their programme (a small table), and each group is ranked by its own tie-break
  window; rank = people in earlier groups + position in the group.  That is exactly the order of
  ``ORDER BY keys, tie_key, nik``, computed in as many partitions as there are key groups;
* the budget cut is per programme: cost per person is constant in a programme, so the cumulative
  cost of rank ``r`` is ``r x cost`` and "rank r fits" is ``r x cost <= budget`` -- the strict
  prefix of ADR 0003;
* every programme breaks ties with its own seed (``sha256(seed || nik)``, ADR 0014).

The ``excluded`` relation has a programme column: ``(programme, nik, reason)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sigap.core import selection
from sigap.core.programme import ProgrammeSpec
from sigap.core.selection import (
    INELIGIBLE,
    SELECTED,
    STORED_DECISION_COLUMNS,
    WAITING,
    active_roster_cte,
    identifier,
    literal,
)
from sigap.core.tiebreak import SHA256_SEED_NIK, TieBreak, seeded_key_sql

#: Columns of a many-programme decisions relation: the programme, then a run's stored columns.
MULTI_DECISION_COLUMNS: tuple[tuple[str, str], ...] = (("programme", "VARCHAR"), *STORED_DECISION_COLUMNS)

#: Every rule code in bit order of a full spec (a spec without a rule has no bit for it).
_ALL_RULES = (
    selection.RULE_DOMICILE,
    selection.RULE_DESIL,
    selection.RULE_AGE,
    selection.RULE_OCCUPATION,
    selection.RULE_DECEASED,
    selection.RULE_INSURED,
    selection.RULE_EXCLUDED,
)


@dataclass(frozen=True)
class ProgrammeRun:
    """One programme of a many-programme pass: its spec and the tie-break of its run."""

    spec: ProgrammeSpec
    tie_break: TieBreak

    @property
    def code(self) -> str:
        return self.spec.code

    def cost(self) -> int:
        return self.spec.cost_per_person()


def check_programmes(runs: Sequence[ProgrammeRun]) -> None:
    """Raise ValueError unless the programmes can share one pass (codes unique, regions disjoint,
    seeded tie-breaks, positive costs)."""
    if not runs:
        raise ValueError("no programme to run")
    seen: dict[str, str] = {}
    for run in runs:
        code, region = run.spec.code, run.spec.region
        if code in seen:
            raise ValueError(f"programme {code} is given twice")
        for other, other_region in seen.items():
            if region.startswith(other_region) or other_region.startswith(region):
                raise ValueError(
                    f"programmes {other} ({other_region}) and {code} ({region}) cover the same people: "
                    "run them in separate passes"
                )
        seen[code] = region
        if run.tie_break.rule != SHA256_SEED_NIK:
            raise ValueError(f"programme {code}: a many-programme pass needs a seeded tie-break (ADR 0014)")
        if run.cost() <= 0:
            raise ValueError(f"programme {code}: cost per person must be positive")


def by_programme(values: Mapping[str, str], *, column: str = "programme", default: str | None = None) -> str:
    """One SQL expression taking, per row, the expression of the row's programme.

    ``values`` maps programme code -> SQL text; programmes sharing a text share one branch and the
    largest group is the ``ELSE`` (so rules common to every programme are written once, with no
    CASE at all).  ``default`` is the text for programmes missing from ``values``.

    >>> by_programme({"A": "desil", "B": "desil"})
    'desil'
    >>> by_programme({"A": "x", "B": "y", "C": "y"})
    "CASE WHEN programme IN ('A') THEN (x) ELSE (y) END"
    """
    groups: dict[str, list[str]] = defaultdict(list)
    for code, text in values.items():
        groups[text].append(code)
    if default is not None and not groups:
        return default
    if len(groups) == 1:
        return next(iter(groups))
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    (else_text, _), rest = ordered[0], ordered[1:]
    branches = " ".join(
        f"WHEN {column} IN ({', '.join(literal(c) for c in sorted(codes))}) THEN ({text})"
        for text, codes in sorted(rest, key=lambda item: sorted(item[1]))
    )
    return f"CASE {branches} ELSE ({else_text}) END"


def _priority_keys(spec: ProgrammeSpec) -> list[str]:
    """The spec's priority keys as ascending sort expressions (``age DESC`` -> ``-(age)``): the
    same order, so one window spec serves programmes whose keys differ."""
    keys = []
    for key in spec.priority.order:
        column, direction = selection._PRIORITY_SQL[key].split()
        keys.append(column if direction == "ASC" else f"-({column})")
    return keys


def _programmes_cte(runs: Sequence[ProgrammeRun], variants: Mapping[str, int]) -> str:
    rows = ",\n    ".join(
        f"({literal(r.code)}, {literal(r.spec.region)}, {int(r.spec.budget)}, {int(r.cost())}, "
        f"{literal(r.tie_break.seed)}, {variants[r.code]})"
        for r in runs
    )
    return (
        "programmes AS (\n"  # noqa: S608 -- literals quoted
        "  SELECT CAST(programme AS VARCHAR) AS programme, CAST(region AS VARCHAR) AS region,\n"
        "    CAST(budget AS BIGINT) AS budget, CAST(cost AS BIGINT) AS cost,\n"
        "    CAST(tie_seed AS VARCHAR) AS tie_seed, CAST(occ_variant AS INTEGER) AS occ_variant\n"
        f"  FROM (VALUES\n    {rows}\n  ) AS v(programme, region, budget, cost, tie_seed, occ_variant)\n)"
    )


def multi_decisions_sql(
    runs: Sequence[ProgrammeRun],
    *,
    people: str = "people",
    insured: str | None = None,
    excluded: str | None = None,
    materialize: bool = True,
    everyone: bool = False,
) -> str:
    """SELECT producing one decision per person of ``people`` living in one of the programmes'
    regions (columns :data:`MULTI_DECISION_COLUMNS`, plus ``insured`` with a roster and
    ``excluded_reason`` with ``excluded``), as each programme's own run would decide them.

    ``everyone``: also one row per programme for every person living outside its region
    (``ineligible``, the domicile bit and every other rule of that programme the person fails), so
    each programme's rows are exactly its own run's decisions file (``sigap targeting run-many``
    registers them as runs).  That is people x programmes rows: for a province, not the nation."""
    check_programmes(runs)
    hint = "" if materialize else " NOT MATERIALIZED"
    people = identifier(people)
    specs = {r.code: r.spec for r in runs}

    # Occupation lists: one occupation table per distinct (included, excluded) pair.
    variant_of: dict[tuple[tuple[str, ...], tuple[str, ...]], int] = {}
    variants: dict[str, int] = {}
    for r in runs:
        e = r.spec.eligibility
        variants[r.code] = variant_of.setdefault(
            (e.occupations_included, e.occupations_excluded), len(variant_of)
        )
    ctes = [_programmes_cte(runs, variants)]
    firsts = {v: next(r.spec for r in runs if variants[r.code] == v) for v in variant_of.values()}
    for v, spec in firsts.items():
        ctes.append(selection.occupation_table_sql(f"occupation_table_{v}", spec=spec))
    ctes.append(
        "occupation_table AS (\n  "  # noqa: S608 -- generated names
        + "\n  UNION ALL ".join(
            f"SELECT {v} AS variant, * FROM occupation_table_{v}"  # noqa: S608 -- generated names
            for v in firsts
        )
        + "\n)"
    )

    # Domicile -> programme: one equi-join per region length (2: provinsi, 4: kabupaten/kota).
    lengths = sorted({len(r.spec.region) for r in runs}, reverse=True)
    needs_kk = any("kk_size_desc" in s.priority.order for s in specs.values())
    kk_col = (
        "CASE WHEN p.no_kk IS NULL THEN 1 ELSE count(*) OVER (PARTITION BY p.no_kk) END" if needs_kk else "1"
    )
    joins = "".join(
        f"\n  LEFT JOIN (SELECT programme, region FROM programmes WHERE length(region) = {n}) AS g{n}"  # noqa: S608
        f" ON g{n}.region = substr(p.kode_kelurahan, 1, {n})"
        for n in lengths
    )
    programme_of = (
        f"g{lengths[0]}.programme"
        if len(lengths) == 1
        else "COALESCE(" + ", ".join(f"g{n}.programme" for n in lengths) + ")"
    )
    ctes.append(
        f"people_kk AS (\n  SELECT p.*, {kk_col} AS kk_size FROM {people} AS p\n)"  # noqa: S608 -- names checked
    )
    ctes.append(
        "people_in AS (\n"  # noqa: S608 -- names checked
        f"  SELECT p.*, {programme_of} AS programme\n  FROM people_kk AS p{joins}\n)"
    )

    roster_join = ""
    roster_cols = "CAST(NULL AS VARCHAR) AS insured_kpj, CAST(NULL AS VARCHAR) AS insured_segmen"
    if insured is not None:
        ctes.append(active_roster_cte(insured))
        roster_join = "\n  LEFT JOIN active_roster AS r ON r.nik = p.nik"
        roster_cols = "r.kpj AS insured_kpj, r.segmen AS insured_segmen"
    excluded_join = ""
    excluded_col = "CAST(NULL AS VARCHAR)"
    if excluded is not None:
        ctes.append(
            "excluded_people AS (\n"  # noqa: S608 -- names checked
            "  SELECT programme, nik, string_agg(reason, '; ' ORDER BY reason) AS reason\n"
            f"  FROM (SELECT DISTINCT programme, nik, reason FROM {identifier(excluded)} WHERE nik IS NOT NULL) AS x\n"
            "  GROUP BY programme, nik\n)"
        )
        excluded_join = "\n  LEFT JOIN excluded_people AS x ON x.nik = p.nik AND x.programme = p.programme"
        excluded_col = "x.reason"

    if everyone:
        # every person once per programme whose region they live outside (kk_size ranks nobody there)
        ctes.append(
            "people_out AS (\n"  # noqa: S608 -- names checked
            f"  SELECT p.*, 1 AS kk_size, g.programme FROM {people} AS p CROSS JOIN programmes AS g\n"
            "  WHERE p.kode_kelurahan IS NULL OR NOT (p.kode_kelurahan LIKE g.region || '%')\n)"
        )
    age = by_programme(
        {code: selection.age_sql("p.tanggal_lahir", s.age_reference_date) for code, s in specs.items()},
        column="p.programme",
    )

    def base_sql(name: str, source: str, hint: str) -> str:
        return (
            f"{name} AS{hint} (\n"  # noqa: S608 -- literals quoted, names checked
            "  SELECT p.programme, g.region AS programme_region, g.budget AS programme_budget,\n"
            "    g.cost AS programme_cost, g.tie_seed,\n"
            "    p.nik, p.kode_kelurahan, p.desil, p.pekerjaan, p.meninggal,\n"
            f"    {age} AS age,\n"
            "    COALESCE(o.category, 'unknown') AS occupation_category,\n"
            "    COALESCE(o.risk, 3) AS occupation_risk,\n"
            "    COALESCE(o.included, FALSE) AS occupation_included,\n"
            "    COALESCE(o.excluded, FALSE) AS occupation_excluded,\n"
            "    p.kk_size,\n"
            f"    {roster_cols},\n"
            f"    {excluded_col} AS excluded_reason\n"
            f"  FROM {source} AS p\n"
            "  JOIN programmes AS g ON g.programme = p.programme\n"
            "  LEFT JOIN occupation_table AS o ON o.variant = g.occ_variant AND o.name = p.pekerjaan"
            f"{roster_join}{excluded_join}\n)"
        )

    ctes.append(base_sql("base", "people_in", hint))
    if everyone:
        ctes.append(base_sql("base_out", "people_out", ""))

    # Each rule once per distinct text; a programme without the rule never fails it.
    rules = {
        code: {
            rule: fails for rule, fails, _ in selection._rules(s, region_pattern="(programme_region || '%')")
        }
        for code, s in specs.items()
    }
    rule_codes = [rule for rule in _ALL_RULES if any(rule in r for r in rules.values())]
    flags = ",\n    ".join(
        f"({by_programme({code: r.get(rule, 'FALSE') for code, r in rules.items()})}) AS fails_{rule}"
        for rule in rule_codes
    )
    ctes.append(f"flagged AS{hint} (\n  SELECT b.*,\n    {flags}\n  FROM base AS b\n)")  # noqa: S608
    if everyone:
        ctes.append(f"flagged_out AS (\n  SELECT b.*,\n    {flags}\n  FROM base_out AS b\n)")  # noqa: S608
    any_fails = " OR ".join(f"fails_{rule}" for rule in rule_codes)
    ctes.append(
        f"checked AS{hint} (\n  SELECT f.*, NOT ({any_fails}) AS is_eligible\n  FROM flagged AS f\n)"  # noqa: S608
    )

    # Ranking: groups of equal priority keys, ordered within the programme; ties inside a group.
    key_lists = {code: _priority_keys(s) for code, s in specs.items()}
    width = max(1, *(len(k) for k in key_lists.values()))
    keys = [
        by_programme({code: (k[j] if j < len(k) else "0") for code, k in key_lists.items()})
        for j in range(width)
    ]
    key_names = [f"k{j + 1}" for j in range(width)]
    key_cols = ", ".join(f"{expr} AS {name}" for expr, name in zip(keys, key_names, strict=True))
    # One flow for every person (the snapshot is read twice, not once per branch): keys and tie key
    # for all, the window over the eligible of each key group; the ineligible are spread over
    # windows by the NIK's serial digits (their position is not used), so no window holds them all.
    ctes.append(
        "keyed AS (\n"  # noqa: S608 -- generated expressions
        f"  SELECT c.*, {key_cols},\n"
        f"    CASE WHEN c.is_eligible THEN {seeded_key_sql('c.tie_seed', 'c.nik')} END AS tie_key,\n"
        "    CASE WHEN c.is_eligible THEN '' ELSE COALESCE(substr(c.nik, 13, 4), '') END AS spread\n"
        "  FROM checked AS c\n)"
    )
    names = ", ".join(key_names)
    ordered = ", ".join(f"{n} ASC NULLS LAST" for n in key_names)
    ctes.append(
        f"key_groups AS (\n  SELECT programme, {names}, count(*) AS n FROM keyed WHERE is_eligible\n"  # noqa: S608
        f"  GROUP BY programme, {names}\n)"
    )
    ctes.append(
        "group_offsets AS (\n"  # noqa: S608 -- generated names
        f"  SELECT programme, {names}, COALESCE(sum(n) OVER (PARTITION BY programme ORDER BY {ordered}\n"
        "    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before\n"
        "  FROM key_groups\n)"
    )
    on = " AND ".join(["o.programme = e.programme", *(f"o.{n} = e.{n}" for n in key_names)])
    ctes.append(
        "ranked AS (\n"  # noqa: S608 -- generated names
        "  SELECT e.*, CASE WHEN e.is_eligible THEN o.before + row_number() OVER (\n"
        f"    PARTITION BY e.programme, e.is_eligible, e.spread, {', '.join(f'e.{n}' for n in key_names)}\n"
        "    ORDER BY e.tie_key ASC NULLS LAST, e.nik ASC NULLS LAST) END AS priority_rank\n"
        f"  FROM keyed AS e LEFT JOIN group_offsets AS o ON e.is_eligible AND {on}\n)"
    )

    bits = {
        rule: by_programme(
            {
                code: str(1 << selection.rule_codes(s).index(rule)) if rule in rules[code] else "0"
                for code, s in specs.items()
            }
        )
        for rule in rule_codes
    }
    fails_mask = " + ".join(f"(CASE WHEN fails_{rule} THEN {bits[rule]} ELSE 0 END)" for rule in rule_codes)
    columns = ["programme", *(name for name, _ in STORED_DECISION_COLUMNS)]
    if insured is not None:
        columns.append("insured_kpj || ', ' || COALESCE(insured_segmen, '?') AS insured")
    if excluded is not None:
        columns.append("excluded_reason")
    fits = "priority_rank * programme_cost <= programme_budget"
    select = (
        "SELECT *,\n"  # noqa: S608 -- literals quoted, names checked
        f"    CASE WHEN NOT is_eligible THEN '{INELIGIBLE}' WHEN {fits} THEN '{SELECTED}' ELSE '{WAITING}' END\n"
        "      AS decision,\n"
        "    CAST(priority_rank AS BIGINT) AS rank,\n"
        f"    CAST(CASE WHEN is_eligible AND {fits} THEN programme_cost ELSE 0 END AS BIGINT) AS cost,\n"
        f"    CASE WHEN is_eligible THEN 0 ELSE CAST({fails_mask} AS INTEGER) END AS fails\n"
        "  FROM ranked"
    )
    out = ", ".join(columns)
    sql = "WITH " + ",\n".join(ctes) + f"\nSELECT {out} FROM ({select}) AS d"  # noqa: S608
    if everyone:
        outside = (
            f"SELECT *, '{INELIGIBLE}' AS decision, CAST(NULL AS BIGINT) AS rank, CAST(0 AS BIGINT) AS cost,\n"  # noqa: S608
            f"    CAST({fails_mask} AS INTEGER) AS fails\n  FROM flagged_out"
        )
        sql += f"\nUNION ALL\nSELECT {out} FROM ({outside}) AS o"
    return sql
