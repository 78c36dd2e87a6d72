"""What a person sees is never cut off or drawn on top of something else, at the Dinas' laptop (1366 px)
and at a phone (390 px): the registry import's column mapping with a wide file (25 columns, long
names: the file's columns, the choices and the preview) and the Kepala Dinas' approval form with
its decree (SK) fields.

A wide table scrolls inside its own box (``.scroll``), that box fits the window and its edges show
that the table goes on (headless Chromium and phones draw no scrollbar: the table looked cut off);
no box is wider than its parent without scrolling; a fieldset's title (legend) is not crossed by the fieldset's
border; no two controls (fields, buttons, labels, titles) overlap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ops.helpers import registry_csv
from ops.test_import_mapping import HEADER, foreign_rows

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

WIDTHS = (1366, 390)

#: Columns a Dinsos extract may carry besides the DTSEN ones: long names, long values.
EXTRA = tuple(f"KETERANGAN_TAMBAHAN_PETUGAS_PENDATAAN_LAPANGAN_{i:02d}" for i in range(1, 7))

#: Everything on the page that can be cut off or drawn over something else (page coordinates).
LAYOUT = r"""() => {
  const problems = [];
  const width = window.innerWidth;
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0
    && getComputedStyle(e).visibility !== 'hidden'; };
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().replace(/\s+/g, '.') : '')
    + ' "' + (e.innerText || e.value || '').trim().split('\n')[0].slice(0, 40) + '"';
  const scrolls = (e) => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
  const clips = (e) => getComputedStyle(e).overflowX !== 'visible';
  if (document.documentElement.scrollWidth > width + 1)
    problems.push('the page is ' + document.documentElement.scrollWidth + ' px wide in a ' + width + ' px window');
  const main = document.querySelector('main');
  // a table wider than the window scrolls inside a box that fits the window; nothing cuts it otherwise
  for (const table of main.querySelectorAll('table')) {
    if (!visible(table)) continue;
    const t = table.getBoundingClientRect();
    let box = table.parentElement;
    while (box && box !== main && !clips(box)) box = box.parentElement;
    if (box && box !== main && clips(box)) {
      const b = box.getBoundingClientRect();
      if (!scrolls(box) && box.scrollWidth > box.clientWidth + 1)
        problems.push('table cut off by ' + name(box) + ' (overflow ' + getComputedStyle(box).overflowX + ')');
      if (b.right > width + 1) problems.push('the box of a table ends at ' + b.right + ' px: ' + name(box));
      // browsers may hide the scrollbar (phones, headless): the box's edge shadows show the table goes on
      if (scrolls(box) && box.scrollWidth > box.clientWidth + 1
          && !getComputedStyle(box).backgroundImage.includes('gradient'))
        problems.push('a table is cut off at the edge of its box with nothing showing that it goes on: '
          + name(table.querySelector('th') || table));
    } else if (t.right > width + 1 || t.left < -1) {
      problems.push('table ' + t.left + '-' + t.right + ' px outside a ' + width + ' px window, no scrolling box');
    }
  }
  // no box sticks out of its parent unless the parent scrolls
  for (const e of main.querySelectorAll('form, fieldset, legend, div, p, label, select, input, textarea, button')) {
    if (!visible(e) || e.closest('table')) continue;
    const parent = e.parentElement;
    if (!parent || scrolls(parent) || parent.closest('table')) continue;
    const r = e.getBoundingClientRect(), p = parent.getBoundingClientRect();
    if (r.right > p.right + 1)
      problems.push(name(e) + ' ends at ' + Math.round(r.right) + ' px, its box ' + name(parent)
        + ' at ' + Math.round(p.right) + ' px');
  }
  // a fieldset's title sits in the gap of the border on one line, or wholly inside the box
  for (const fieldset of document.querySelectorAll('main fieldset')) {
    const legend = fieldset.querySelector(':scope > legend');
    if (!legend || !visible(legend) || !visible(fieldset)) continue;
    const f = fieldset.getBoundingClientRect(), l = legend.getBoundingClientRect();
    const border = parseFloat(getComputedStyle(fieldset).borderTopWidth) || 0;
    const range = document.createRange(); range.selectNodeContents(legend);
    const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size;
    const inBorder = l.top < f.top + border - 1;
    if (inBorder && lines > 1)
      problems.push('the title of a fieldset runs over its border (' + lines + ' lines): ' + name(legend));
    if (l.left < f.left - 1 || l.right > f.right + 1)
      problems.push('the title of a fieldset is wider than the fieldset: ' + name(legend));
  }
  // no two controls on top of each other
  const controls = [...main.querySelectorAll('input:not([type=hidden]), select, textarea, button, label, legend')]
    .filter(visible).map(e => [e, e.getBoundingClientRect()]);
  for (let i = 0; i < controls.length; i++) for (let j = i + 1; j < controls.length; j++) {
    const [a, ra] = controls[i], [b, rb] = controls[j];
    if (a.contains(b) || b.contains(a)) continue;
    const x = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
    const y = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
    if (x > 1 && y > 1) problems.push(name(a) + ' overlaps ' + name(b));
  }
  return problems;
}"""


def _problems(page: Any, where: str, shots: Path) -> list[str]:
    found = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        found += [f"{where} at {width} px: {p}" for p in page.evaluate(LAYOUT)]
        page.screenshot(path=shots / f"layout-{where.split()[0]}-{width}.png", full_page=True)
    return found


def wide_csv() -> bytes:
    rows = foreign_rows((1, 2, 3, 4, 5))
    for row in rows:
        row.update({c: f"catatan lapangan nomor {i} untuk baris ini" for i, c in enumerate(EXTRA, 1)})
    return registry_csv(rows, columns=(*HEADER, *EXTRA))


def test_import_mapping_with_a_wide_file_fits(
    open_as: Any, world: Any, live_server: Any, tmp_path: Path, shots: Path
) -> None:
    upload = tmp_path / "dtsen_dinsos_lengkap.csv"
    upload.write_bytes(wide_csv())
    page = open_as("admin_dinas")
    page.goto(f"{live_server.url}/kelola/impor/")
    page.get_by_label("Berkas (CSV, XLSX atau Parquet)").set_input_files(str(upload))
    page.get_by_label("Tanggal acuan").fill("2026-01-01")
    page.get_by_role("button", name="Impor", exact=True).click()
    page.wait_for_load_state()
    assert "/kelola/impor/pemetaan/" in page.url
    assert EXTRA[-1] in page.inner_text("main")  # the file's last column is on the page
    problems = _problems(page, "columns and choices", shots)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_role("button", name="Pratinjau").click()
    page.wait_for_load_state()
    assert "Tanggal lahir" in page.inner_text("#pratinjau ~ div")
    problems += _problems(page, "preview", shots)
    assert problems == [], "\n".join(problems)


def test_approval_form_with_the_decree_fits(open_as: Any, world: Any, live_server: Any, shots: Path) -> None:
    from sigap.enrolment.actions import run_submit

    run_submit(run=world.run, acting_user=world.users["admin_dinas"])
    page = open_as("kepala_dinas")
    page.goto(f"{live_server.url}/persetujuan/")
    assert page.get_by_role("button", name="Setujui").is_visible()
    problems = _problems(page, "approval", shots)
    assert problems == [], "\n".join(problems)
