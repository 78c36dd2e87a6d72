"""Knobs for the defects the synthetic generator can inject."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class DirtyKnobs:
    """Defect rates as fractions 0..1 of rows; all 0 (the default) gives clean data.

    - ``invalid_nik``: wrong length, impossible birth-date digits, serial 0000, Excel scientific
      notation ("3.27501E+15") or letters in the NIK.
    - ``duplicate_rows``: exact copies of existing rows interleaved in the file (added rows).
    - ``name_typos``: a typo, a title ("H.", "HJ.", ", S.PD"), old spelling (OE, DJ, TJ) or a
      Muhammad variant in ``nama``.
    - ``mixed_dates``: ``tanggal_lahir`` as DD-MM-YYYY, DD/MM/YYYY, YYYYMMDD or an Excel serial.
    - ``region_names``: ``kecamatan`` and ``desa_kelurahan`` written as names instead of codes.
    """

    invalid_nik: float = 0.0
    duplicate_rows: float = 0.0
    name_typos: float = 0.0
    mixed_dates: float = 0.0
    region_names: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"DirtyKnobs.{f.name} must be between 0 and 1, got {value!r}")

    @property
    def is_clean(self) -> bool:
        return all(getattr(self, f.name) == 0 for f in fields(self))

    @classmethod
    def preset(cls) -> DirtyKnobs:
        """Modest defect rates, roughly what a real local extract shows."""
        return cls(
            invalid_nik=0.01, duplicate_rows=0.005, name_typos=0.03, mixed_dates=0.05, region_names=0.02
        )
