"""Generator throughput: people/s for a registry written as pipe-delimited CSV.

Usage: python bench/generate.py [PEOPLE] [--dirty] [--roster]   (default 3,000,000; target < 60 s on 2 cores)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from sigap.synth import DirtyKnobs, generate_registry, generate_roster, write_table


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    people = int(args[0]) if args else 3_000_000
    knobs = DirtyKnobs.preset() if "--dirty" in sys.argv else DirtyKnobs()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "registry.csv"
        t0 = time.perf_counter()
        table = generate_registry(region="3275", people=people, seed=1, dirty=knobs)
        t1 = time.perf_counter()
        write_table(table, out)
        t2 = time.perf_counter()
        print(f"generate: {t1 - t0:6.2f} s   ({people / (t1 - t0):,.0f} people/s)")
        print(f"write csv: {t2 - t1:6.2f} s   ({out.stat().st_size / 1e6:,.0f} MB)")
        print(f"total:    {t2 - t0:6.2f} s   ({people / (t2 - t0):,.0f} people/s, {table.num_rows:,} rows)")
        if "--roster" in sys.argv:
            t3 = time.perf_counter()
            roster = generate_roster(table, seed=1, dirty=knobs)
            write_table(roster, Path(tmp) / "roster.csv")
            print(f"roster:   {time.perf_counter() - t3:6.2f} s   ({roster.num_rows:,} rows)")


if __name__ == "__main__":
    main()
