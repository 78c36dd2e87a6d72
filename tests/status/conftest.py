"""The web fixtures (a small Kota Bekasi run, one user per role) reused for the read models."""

from __future__ import annotations

from web.conftest import _fresh_cache, world  # noqa: F401 -- fixtures re-exported
