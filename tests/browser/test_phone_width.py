"""Each persona's main screens at phone width (390 px), in a real browser: in Bahasa Indonesia, no raw
code on screen, and the page never wider than the phone (a wide table scrolls inside its box)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from sigap.core.schema import PERSON_COLUMNS, SOURCE_COLUMNS
from web.conftest import NIK_A, approve

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

#: What must never reach an officer's screen: a stored code (snake_case, dotted action names).
RAW_CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\b(?:usulan|member|run|grievance)\.[a-z_]+\b")
#: Names that are not codes: the map data's source (attribution) and the file columns the import page
#: documents (a DTSEN extract's own header names).
NAMES = {"wilayah_boundaries", *SOURCE_COLUMNS, *(name for name, _ in PERSON_COLUMNS)}
ENGLISH = ("Members", "Download", "Search", "Submit", "Approve", "Status check", "Not found")


def _pages(world: Any) -> dict[str | None, list[str]]:
    run = world.run.pk
    return {
        "admin_dinas": ["/program/", f"/runs/{run}/", "/persetujuan/", "/kelola/impor/"],
        "kepala_dinas": ["/persetujuan/", "/"],
        "pimpinan": ["/"],
        "auditor": ["/audit/"],
        "operator_kelurahan": [f"/penduduk/?q={NIK_A}", "/usulan/", "/pengaduan/"],
        None: ["/cek-status/", "/pengaduan/warga/"],
    }


@pytest.mark.parametrize(
    "role", ["admin_dinas", "kepala_dinas", "pimpinan", "auditor", "operator_kelurahan", None], ids=str
)
def test_main_screens_fit_a_phone(open_as: Any, world: Any, live_server: Any, role: str | None) -> None:
    approve(world)
    page = open_as(role)
    page.set_viewport_size({"width": 390, "height": 844})
    problems = []
    for path in _pages(world)[role]:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status < 400, (path, response and response.status)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.lang") == "id", path
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > 391:
            problems.append(f"{path}: page {wide} px wide")
        text = page.inner_text("main")
        usernames = {u.get_username() for u in world.users.values()}  # the test's accounts are named by role
        codes = sorted(set(RAW_CODE.findall(text)) - usernames - NAMES)
        problems += [f"{path}: raw code {m!r}" for m in codes]
        problems += [f"{path}: English {w!r}" for w in ENGLISH if w in text]
    assert problems == [], "\n".join(problems)
