from __future__ import annotations

from typing import Any

import pytest

from .helpers import programme_document


@pytest.fixture
def make_programme(db: Any) -> Any:
    from sigap.programmes.actions import programme_apply

    def make(**overrides: Any) -> Any:
        programme, _, _ = programme_apply(document=programme_document(**overrides), source_name="test.toml")
        return programme

    return make
