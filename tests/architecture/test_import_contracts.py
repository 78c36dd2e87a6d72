"""The layout rules of docs/architecture.md are import contracts (pyproject [tool.importlinter]),
checked by ``make lint``: the real tree keeps them, and a forbidden import makes them fail."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT = str(Path(sys.executable).with_name("lint-imports"))


def _contracts() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]  # type: ignore[no-any-return]


def test_the_tree_keeps_every_contract() -> None:
    result = subprocess.run([LINT], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


def _probe(tmp_path: Path, files: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A copy of the contracts over a small package ``probe`` holding ``files``."""
    config = _contracts()
    text = (ROOT / "pyproject.toml").read_text()
    section = text[text.index("[tool.importlinter]") :]
    section = re.sub(r'"sigap(\.|")', lambda m: '"probe' + m.group(1), section)
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "pyproject.toml").write_text(section)
    modules = {"core", "engine", "web", "registry", "registry/ingest"}
    for contract in config["contracts"]:  # type: ignore[index]
        for name in contract.get("forbidden_modules", []):  # type: ignore[union-attr]
            if name.startswith("sigap."):
                modules.add(name.removeprefix("sigap.").replace(".", "/"))
    for module in sorted(modules | {""}):
        folder = tmp_path / "probe" / module
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "__init__.py").touch()
    files = {
        "engine/run.py": "import duckdb\n",
        "engine/spark.py": "import pyspark\n",
        "registry/ingest/read.py": "import duckdb\n",
        **files,
    }
    for name, source in files.items():
        (tmp_path / "probe" / name).write_text(source)
    return subprocess.run(
        [LINT, str(tmp_path / "pyproject.toml")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )


def test_a_forbidden_import_breaks_the_contracts(tmp_path: Path) -> None:
    ok = _probe(
        tmp_path / "ok", {"engine/run.py": "import duckdb\n", "web/page.py": "from probe.engine import run\n"}
    )
    assert ok.returncode == 0, ok.stdout[-3000:]
    bad = _probe(
        tmp_path / "bad",
        {
            "core/rules.py": "from django.db import models\n",
            "web/page.py": "def f():\n    import duckdb\n",
        },
    )
    assert bad.returncode != 0
    assert "core is pure" in bad.stdout and "BROKEN" in bad.stdout
    assert "probe.core.rules -> django" in bad.stdout.replace("\n", " ") or "probe.core.rules" in bad.stdout
    assert "probe.web.page" in bad.stdout  # duckdb outside the engine
