from __future__ import annotations

import pytest
from click.testing import CliRunner


@pytest.fixture
def runner() -> CliRunner:
    from sigap.cli import _register

    _register()
    return CliRunner()
