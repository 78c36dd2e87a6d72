"""Region reference (Kemendagri codes): lookups by code and by name.

Pure: build a :class:`RegionIndex` from rows; ``sigap.reference`` loads the packaged file.
Names are compared lower-case without spaces or punctuation, so "Pondok Gede" matches
the official "Pondokgede".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

LEVELS = ("provinsi", "kabupaten_kota", "kecamatan", "desa_kelurahan")
CODE_LENGTH = {"provinsi": 2, "kabupaten_kota": 4, "kecamatan": 6, "desa_kelurahan": 10}

_NOT_ALNUM = re.compile(r"[^0-9a-z]")
_NAME_PREFIXES = ("kabupaten", "kab", "kota", "kecamatan", "kec", "kelurahan", "kel", "desa")


def name_key(name: str) -> str:
    """Normalised comparison key for a region name.

    >>> name_key("Pondok Gede") == name_key("PONDOKGEDE")
    True
    """
    return _NOT_ALNUM.sub("", name.lower())


def _strip_prefix(key: str) -> str:
    for prefix in _NAME_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix) + 2:
            return key[len(prefix) :]
    return key


def _expand_prefix(key: str) -> str:
    """``kabbekasi`` -> ``kabupatenbekasi`` (abbreviated prefixes as people write them)."""
    for short, full in (("kab", "kabupaten"), ("kec", "kecamatan"), ("kel", "kelurahan")):
        if key.startswith(short) and not key.startswith(full):
            return full + key[len(short) :]
    return key


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str

    @property
    def parent_code(self) -> str | None:
        return {10: self.code[:6], 6: self.code[:4], 4: self.code[:2]}.get(len(self.code))

    @property
    def dotted(self) -> str:
        c = self.code
        parts = [c[:2], c[2:4], c[4:6], c[6:]]
        return ".".join(p for p in parts if p)

    @property
    def is_kelurahan(self) -> bool:
        """In a 10-digit village code the 7th digit is 1 for kelurahan, 2 for desa."""
        return len(self.code) == 10 and self.code[6] == "1"


class RegionIndex:
    def __init__(self, regions: Iterable[Region]) -> None:
        self._by_code: dict[str, Region] = {}
        self._children: dict[str, list[Region]] = {}
        self.__by_parent_name: dict[tuple[str, str], list[Region]] | None = None
        for region in regions:
            self._by_code[region.code] = region
            self._children.setdefault(region.parent_code or "", []).append(region)

    @property
    def _by_parent_name(self) -> dict[tuple[str, str], list[Region]]:
        """(parent code, normalised name) -> regions; built on the first look-up by name (most
        commands never need it, and normalising 90,000 names costs a second at start-up)."""
        if self.__by_parent_name is None:
            index: dict[tuple[str, str], list[Region]] = {}
            for parent, children in self._children.items():
                for region in children:
                    key = name_key(region.name)
                    index.setdefault((parent, key), []).append(region)
                    stripped = _strip_prefix(key)
                    if stripped != key:
                        index.setdefault((parent, stripped), []).append(region)
            self.__by_parent_name = index
        return self.__by_parent_name

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, str]]) -> RegionIndex:
        return cls(Region(r["kode"], r["nama"], r["tingkat"]) for r in rows)

    def __len__(self) -> int:
        return len(self._by_code)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Region | None:
        return self._by_code.get(code)

    def __getitem__(self, code: str) -> Region:
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"unknown region code {code!r}") from None

    def children(self, code: str = "") -> list[Region]:
        return list(self._children.get(code, []))

    def descendants(self, code: str, level: str) -> list[Region]:
        """All regions of ``level`` under ``code`` (e.g. every kelurahan of a kab/kota)."""
        width = CODE_LENGTH[level]
        return sorted(
            (r for c, r in self._by_code.items() if len(c) == width and c.startswith(code)),
            key=lambda r: r.code,
        )

    def find(self, name: str, *, parent: str = "") -> list[Region]:
        """Regions under ``parent`` (a code, "" for provinces) whose name matches ``name``."""
        key = name_key(name)
        for candidate in (key, _expand_prefix(key), _strip_prefix(key)):
            found = self._by_parent_name.get((parent, candidate))
            if found:
                return list(found)
        return []

    def resolve(self, value: str, *, parent: str = "") -> Region | None:
        """A region given as a code (digits or dotted) or a unique name under ``parent``."""
        text = value.strip()
        digits = text.replace(".", "")
        if digits.isdigit():
            region = self._by_code.get(digits)
            if region is not None and region.code.startswith(parent):
                return region
            return None
        found = self.find(text, parent=parent)
        return found[0] if len(found) == 1 else None

    def path(self, code: str) -> list[Region]:
        """From province down to ``code``."""
        out = []
        for width in (2, 4, 6, 10):
            if len(code) >= width and (r := self._by_code.get(code[:width])):
                out.append(r)
        return out

    def rows(self) -> list[tuple[str, str, str]]:
        return [(r.code, r.name, r.level) for r in self._by_code.values()]
