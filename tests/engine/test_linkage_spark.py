"""The roster linkage on Spark (Splink's Spark backend) gives DuckDB's links, bands, probabilities and
insured file (ADR 0022, issue 10).  Skipped with the reason when Java or pyspark is missing
(conftest), a failure in CI."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from linkage.files import linkage_files
from sigap.core import linkage as L
from sigap.engine.linkage import link_roster


def test_spark_links_as_duckdb(spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    truth = linkage_files(tmp_path, people=3_000)
    files = {"people": tmp_path / "people.parquet", "roster": tmp_path / "roster.parquet"}
    roster = {r["source_row"]: r for r in pq.read_table(files["roster"]).to_pylist()}
    true_nik = dict(truth)
    no_nik = next(
        row for row in sorted(true_nik) if not roster[row]["nik"] and not roster[row]["nik_written"]
    )
    by_nik = next(row for row in sorted(true_nik) if roster[row]["nik"] == true_nik[row])
    # the officer's word over the model, on both engines
    remembered = [
        (true_nik[no_nik], roster[no_nik]["kpj"], L.CONFIRMED),
        (true_nik[by_nik], roster[by_nik]["kpj"], L.REJECTED),
    ]

    outcomes = {}
    for name in ("duckdb", "spark"):
        monkeypatch.setenv("SIGAP_ENGINE", name)  # chosen like the targeting engine
        outcomes[name] = link_roster(
            **files,
            links_out=tmp_path / f"links-{name}.parquet",
            insured_out=tmp_path / f"insured-{name}.parquet",
            remembered=remembered,
            scratch=tmp_path / f"work-{name}",
        )

    def figures(outcome: Any) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(outcome).items() if k not in ("seconds", "timings")}

    assert figures(outcomes["spark"]) == figures(outcomes["duckdb"])
    assert set(outcomes["duckdb"].by_band) == {L.NIK, L.AUTO, L.REVIEW, L.CONFIRMED, L.REJECTED}
    assert outcomes["duckdb"].compared_pairs > 100
    for kind in ("links", "insured"):
        duck = pq.read_table(tmp_path / f"{kind}-duckdb.parquet")
        spark_ = pq.read_table(tmp_path / f"{kind}-spark.parquet")
        assert spark_.schema.types == duck.schema.types, kind
        # same rows, same order; probabilities and match weights (sums of logarithms) to the last bit or two
        rows, duck_rows = spark_.to_pylist(), duck.to_pylist()
        for column in ("probability", "match_weight"):
            if column not in duck.column_names:
                continue
            values = [r.pop(column) for r in rows]
            duck_values = [r.pop(column) for r in duck_rows]
            assert [v is None for v in values] == [v is None for v in duck_values], (kind, column)
            assert [v for v in values if v is not None] == pytest.approx(
                [v for v in duck_values if v is not None], rel=1e-12
            ), (kind, column)
        assert rows == duck_rows, kind
    linked = {(r["source_row"], r["nik"]) for r in pq.read_table(tmp_path / "links-spark.parquet").to_pylist()
              if r["band"] in L.LINKED}  # fmt: skip
    assert len(linked & truth) / len(linked) > 0.995
    assert len(linked & truth) / len(truth) > 0.99
