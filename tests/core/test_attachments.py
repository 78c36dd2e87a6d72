"""One rule for scanned documents: PDF, JPEG or PNG by content, at most 5 MB."""

from __future__ import annotations

from sigap.core.attachments import KINDS, MAX_BYTES, name_matches, sniff


def test_kinds_by_content_not_by_name() -> None:
    assert sniff(b"%PDF-1.7\n...") == "application/pdf"
    assert sniff(b"\xff\xd8\xff\xe0JFIF") == "image/jpeg"
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "image/png"
    for bad in (b"", b"MZ\x90\x00", b"<html>", b"PK\x03\x04", b"%PD"):
        assert sniff(bad) is None
    assert name_matches("KTP.JPEG", "image/jpeg") and not name_matches("ktp.pdf", "image/png")
    assert set(KINDS) == {"application/pdf", "image/jpeg", "image/png"} and MAX_BYTES == 5 * 1024 * 1024


def test_usulan_and_claims_share_the_rule() -> None:
    from sigap.claims import actions as claims
    from sigap.usulan import files

    assert files.MAX_BYTES == claims.MAX_UPLOAD_BYTES == MAX_BYTES
    assert claims.sniff(b"\x89PNG\r\n\x1a\n") == ("image/png", "png")
