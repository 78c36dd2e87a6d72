"""The first pass over the bytes: hash, and UTF-8 validity across read chunks."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from sigap.registry.ingest import inspect_file
from sigap.registry.ingest.source import CHUNK


@pytest.mark.parametrize(
    ("tail", "encoding"),
    [
        ("é".encode(), "utf-8"),  # a two-byte character split by the chunk boundary
        (b"\xe9", "windows-1252"),  # a Latin-1 byte after a long ASCII chunk
    ],
)
def test_utf8_check_and_hash_across_chunks(tmp_path: Path, tail: bytes, encoding: str) -> None:
    header = b"nama|kota\n"
    filler = b"x" * (CHUNK - len(header) - 1)
    content = header + filler + tail + b"|BEKASI\n" + b"ASCII ONLY|CHUNK\n" * 1000
    path = tmp_path / "extract.csv"
    path.write_bytes(content)
    source = inspect_file(path)
    assert source.encoding == encoding
    assert source.sha256 == hashlib.sha256(content).hexdigest()
    assert source.size == len(content)
