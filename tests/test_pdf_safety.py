"""Every PDF renders officer- and registry-entered text as text and fetches nothing (issue 12, finding 1).

The attack: a programme code ``</style><link rel=attachment href=file:///proc/self/environ>`` was
placed in the annex's CSS, closed the ``<style>`` element and made WeasyPrint embed a server file.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
import tinycss2
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from sigap import pdf
from sigap.core.tiebreak import TieBreak
from sigap.enrolment.annex import AnnexHeader, AnnexRow, render_html, write_pdf

SECRET = "sigap-secret-marker-7f3a"
HOSTILE = (
    "</style><link rel=attachment href=file:///{path}>",
    '"; }} @import url(file:///{path}); x{{ content: "',
    "<img src='file:///{path}'><iframe src=file:///{path}>",
    "\\\"\\'</STYLE ><link rel=stylesheet href=file:///{path}>",
)


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "environ"
    path.write_text(f"SECRET_KEY={SECRET}\n")
    return path


def _attachments(data: bytes) -> dict[str, object]:
    return dict(PdfReader(io.BytesIO(data)).attachments)


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _header(code: str, name: str = "Program") -> AnnexHeader:
    return AnnexHeader(
        programme_code=code,
        programme_name=name,
        fiscal_year=2026,
        budget=2_000_000_000,
        cost_per_person=201_600,
        run_id=1,
        run_kind="initial",
        list_sha256="0" * 64,
        decided_by=code,
        decided_at="1 Januari 2026",
        tie_break=TieBreak.seeded("0" * 32),
    )


def _row(text: str) -> AnnexRow:
    return AnnexRow(1, "3275014101900001", text, text, dt.date(1990, 1, 1), "L", text, text, 1)


@pytest.mark.parametrize("template", HOSTILE)
def test_annex_embeds_no_server_file(template: str, secret_file: Path, tmp_path: Path) -> None:
    attack = template.format(path=str(secret_file).lstrip("/"))
    out = tmp_path / "annex.pdf"
    write_pdf(_header(attack, attack), [_row(attack)], out)
    data = out.read_bytes()
    assert _attachments(data) == {}
    assert SECRET.encode() not in data
    assert "file:///" in _text(data)  # the value is shown as the text it is


@pytest.mark.parametrize("template", HOSTILE)
def test_invoice_and_letter_embed_no_server_file(template: str, secret_file: Path) -> None:
    attack = template.format(path=str(secret_file).lstrip("/"))
    html = f"<html><head><style>p {{ color: black }}</style></head><body><p>{attack}</p></body></html>"
    data = pdf.html_to_pdf(html)  # even raw, unescaped HTML fetches nothing
    assert _attachments(data) == {} and SECRET.encode() not in data


def test_fetcher_serves_packaged_static_only(secret_file: Path) -> None:
    packaged = next(p for p in pdf.PACKAGED_STATIC.rglob("*") if p.is_file())
    assert pdf._packaged_path(packaged.as_uri()) == packaged.resolve()
    escape = pdf.PACKAGED_STATIC.as_uri() + "/../../../../" + str(secret_file).lstrip("/")
    for url in (
        secret_file.as_uri(),
        escape,
        "http://127.0.0.1:8000/static/x.css",
        "file://evil.example/etc/passwd",
        "data:text/plain,hello",
    ):
        assert pdf._packaged_path(url) is None, url


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_css_string_is_one_string_token(text: str) -> None:
    literal = str(pdf.css_string(text))
    assert "<" not in literal and "\n" not in literal
    tokens = [t for t in tinycss2.parse_component_value_list(literal) if t.type != "whitespace"]
    assert len(tokens) == 1 and tokens[0].type == "string"
    expected = "".join(" " if ch in "\x00\r\n\t\x0c" or 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text)
    assert tokens[0].value == expected


def test_annex_html_keeps_hostile_code_inside_the_style_strings() -> None:
    attack = "</style><link rel=attachment href=file:///etc/passwd>@import url(x);"
    html = render_html(_header(attack), [])
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "<" not in style and "@import" not in style
    assert "&lt;/style&gt;&lt;link rel=attachment" in html
