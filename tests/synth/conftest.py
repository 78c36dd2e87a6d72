"""Shared small synthetic tables (generated once per session: they are read-only)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from sigap.synth import generate_registry

SMALL = 20_000


@pytest.fixture(scope="session")
def clean_registry() -> pa.Table:
    return generate_registry(region="3275", people=SMALL, seed=11)
