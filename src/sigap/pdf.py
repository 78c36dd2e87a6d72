"""The one way SIGAP turns HTML into PDF (WeasyPrint), safe for officer- and registry-entered text.

- **Nothing is fetched.** Every URL the document names (``<link>``, ``<img>``, ``url()`` in CSS,
  ``<link rel=attachment>``, ``file://``, ``http://``...) goes through :class:`PackagedOnlyFetcher`,
  which serves only files inside SIGAP's own packaged static folder and refuses everything else; the
  document is rendered with no base URL, so a relative link resolves to nothing.
- **Text stays text.** Templates are Django templates with autoescaping on; text that must sit inside
  CSS (running page headers) goes through :func:`css_string`, which escapes every character that is not
  a letter, digit or space, so no value can end the string, the rule or the ``<style>`` element.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.utils.safestring import SafeString, mark_safe

PACKAGED_STATIC = (Path(__file__).resolve().parent / "static").resolve()


class FetchRefused(ValueError):
    """A document asked for a resource SIGAP does not serve to the PDF renderer."""


def _packaged_path(url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parts.path)).resolve()
    if path.is_file() and path.is_relative_to(PACKAGED_STATIC):
        return path
    return None


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PackagedOnlyFetcher(URLFetcher):  # type: ignore[misc]
        """Serves SIGAP's packaged static files (fonts, images) and nothing else."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            path = _packaged_path(url)
            if path is None:
                raise FetchRefused(f"PDF renderer refused to fetch {url[:80]!r}")
            return URLFetcherResponse(path.as_uri(), path.read_bytes())

    return PackagedOnlyFetcher()


def render(html: str) -> Any:
    """The laid-out WeasyPrint document of ``html`` (pages, ``write_pdf``)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=None, url_fetcher=_fetcher()).render()


def html_to_pdf(html: str) -> bytes:
    return bytes(render(html).write_pdf())


_CSS_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ")


def css_string(text: str) -> SafeString:
    """``text`` as a quoted CSS string literal: every character but letters, digits and spaces becomes
    a hex escape (``\\3c `` for ``<``), so the result can be placed inside ``<style>`` as it is."""
    out = []
    for ch in str(text):
        if ch in _CSS_PLAIN:
            out.append(ch)
        elif ch in "\x00\r\n\t\x0c" or ord(ch) > 0x10FFFF or 0xD800 <= ord(ch) <= 0xDFFF:
            out.append(" ")  # NUL, surrogates and line breaks have no place in a header line
        else:
            out.append(f"\\{ord(ch):x} ")
    return mark_safe('"' + "".join(out) + '"')  # noqa: S308 -- only [A-Za-z0-9 ] and hex escapes
