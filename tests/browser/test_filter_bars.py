"""Filter bars never overlap: at 1366 px (the Dinas' usual laptop) and at a narrow 1024 px, every field
of the members, invoices and audit-log filters stays inside its own box and no two boxes cross."""

from __future__ import annotations

from typing import Any

import pytest

from web.conftest import approve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: The filter bar's fields: each direct child of the form, and the control inside it.
BOXES = """(form) => Array.from(form.children).filter((c) => c.offsetParent !== null).map((c) => {
  const r = c.getBoundingClientRect();
  const inner = Array.from(c.querySelectorAll("input:not([type=hidden]), select")).map((e) => {
    const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom];
  });
  return {tag: c.tagName, box: [r.left, r.top, r.right, r.bottom], inner: inner};
})"""


def _overlaps(a: list[float], b: list[float]) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1


def _check(page: Any, selector: str) -> None:
    for width in (1366, 1024):
        page.set_viewport_size({"width": width, "height": 800})
        parts = page.eval_on_selector(selector, BOXES)
        assert len(parts) >= 2, parts
        for i, a in enumerate(parts):
            for control in a["inner"]:  # the control inside its own field's box
                assert control[0] >= a["box"][0] - 1 and control[2] <= a["box"][2] + 1, (width, a)
            for b in parts[i + 1 :]:
                assert not _overlaps(a["box"], b["box"]), (width, a, b)


def test_members_invoices_and_audit_filters_do_not_overlap(
    open_as: Any, world: Any, live_server: Any
) -> None:
    approve(world)
    programme = world.programme.pk
    admin = open_as("admin_dinas")
    admin.goto(f"{live_server.url}/keuangan/{programme}/peserta/")
    _check(admin, "main form.filters")
    admin.goto(f"{live_server.url}/keuangan/{programme}/tagihan/")
    _check(admin, "main form.filters")
    auditor = open_as("auditor")
    auditor.goto(f"{live_server.url}/audit/")
    _check(auditor, "main form.filters")
