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
    section = re.sub(r'(?<![\w.])sigap(?=[."])', "probe", section)
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "pyproject.toml").write_text(section)
    modules = {"core", "engine", "web", "registry", "registry/ingest"}
    for contract in config["contracts"]:  # type: ignore[index]
        named = [*contract.get("forbidden_modules", []), *contract.get("source_modules", [])]  # type: ignore[union-attr]
        for layer in contract.get("layers", []):  # type: ignore[union-attr]
            named += [part.strip() for part in layer.split("|")]
        for name in named:
            if name.startswith("sigap."):
                modules.add(name.removeprefix("sigap.").replace(".", "/"))
    for module in sorted(modules | {""}):
        folder = tmp_path / "probe" / module
        folder.mkdir(parents=True, exist_ok=True)
        while folder != tmp_path:  # every parent is a package too
            (folder / "__init__.py").touch()
            folder = folder.parent
    files = {
        "engine/run.py": "import duckdb\n",
        "engine/spark.py": "import pyspark\n",
        "engine/link.py": "import splink\n",
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


def test_splink_outside_the_engine_breaks_the_contracts(tmp_path: Path) -> None:
    """The roster linkage's model (ADR 0022) runs behind sigap.engine only."""
    bad = _probe(tmp_path / "bad", {"registry/link.py": "def f():\n    import splink\n"})
    assert bad.returncode != 0
    assert "splink only behind" in bad.stdout and "probe.registry.link -> splink" in bad.stdout


def test_a_stage_importing_upward_breaks_the_layers(tmp_path: Path) -> None:
    """The 6-file cycle of wave 1 (billing.selectors -> billing.actions, a writer calling the read
    models) cannot come back: each form of it breaks a contract."""
    ok = _probe(tmp_path / "ok", {"billing/actions/run.py": "from probe.billing.selectors import x\n"})
    assert ok.returncode == 0, ok.stdout[-3000:]
    upward = _probe(
        tmp_path / "up", {"billing/selectors/read.py": "def f():\n    import probe.billing.actions\n"}
    )
    assert upward.returncode != 0
    assert "stages import downward only" in upward.stdout and "BROKEN" in upward.stdout
    writer = _probe(tmp_path / "writer", {"billing/actions/run.py": "import probe.status.actions\n"})
    assert writer.returncode != 0
    assert "only the status app builds its read" in writer.stdout.replace("\n", " ")


#: Lazy imports that dispatch to a sibling and are imported back for shared types (not stages):
#: the registry readers (source -> xlsx reader), the job runner (start -> task -> state changes)
#: and the synthetic generator (clean registry -> dirtying pass).
KNOWN_PAIRS = {
    frozenset({"sigap.registry.ingest.source", "sigap.registry.ingest.xlsx"}),
    frozenset({"sigap.jobs.actions", "sigap.jobs.tasks"}),
    frozenset({"sigap.synth._dirty", "sigap.synth._registry"}),
}


def _cycles() -> list[set[str]]:
    """Strongly connected components of SIGAP's import graph (imports inside functions count)."""
    import grimp

    graph = grimp.build_graph("sigap")
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(v: str) -> None:  # Tarjan, iterative enough for SIGAP's depth
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles() -> None:
    cycles = [sorted(c) for c in _cycles() if frozenset(c) not in KNOWN_PAIRS]
    assert cycles == [], cycles
