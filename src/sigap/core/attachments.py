"""What a scanned document may be: PDF, JPEG or PNG, recognised by its first bytes, at most 5 MB.

One rule for every attachment (data-update requests, claim documents); the apps keep their own
messages and storage layout.
"""

from __future__ import annotations

MAX_BYTES = 5 * 1024 * 1024

#: content type -> (magic prefix, accepted file-name endings, stored extension)
KINDS: dict[str, tuple[bytes, tuple[str, ...], str]] = {
    "application/pdf": (b"%PDF-", (".pdf",), ".pdf"),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg"), ".jpg"),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",), ".png"),
}


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are (one of :data:`KINDS`), else None.

    >>> sniff(b"%PDF-1.7 ...")
    'application/pdf'
    >>> sniff(b"MZ\\x90\\x00") is None
    True
    """
    for content_type, (magic, _endings, _stored) in KINDS.items():
        if data.startswith(magic):
            return content_type
    return None


def name_matches(name: str, content_type: str) -> bool:
    """The file name ends as its content says (``ktp.pdf`` that is really a PNG does not)."""
    return name.lower().endswith(KINDS[content_type][1])
