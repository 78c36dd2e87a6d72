"""Reasons render in Indonesian for officers, from the same stored bit mask as the English ones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from programmes.helpers import person, write_people, write_roster
from sigap.programmes.actions import targeting_run
from sigap.programmes.selectors import decisions_relation


def _reasons(run: Any, language: str) -> dict[str, str]:
    rows = duckdb.sql(f"SELECT nik, reasons FROM {decisions_relation(run, language=language)}").fetchall()
    return dict(rows)


def test_indonesian_reasons(data_dir: Path, make_programme: Any) -> None:
    write_people(
        data_dir,
        [
            person("3216015005800001", kode_kelurahan="3216011001", desil=7, meninggal=True,
                   tanggal_lahir=dt.date(1950, 1, 1), pekerjaan="PEGAWAI NEGERI SIPIL"),
            person("3275010101800003"),
            person("3275010101800004", pekerjaan=None, desil=None),
        ]
        + [person(f"32750101018{i:05d}") for i in range(10, 1300)],
    )  # fmt: skip
    write_roster(
        data_dir, [{"nik": "3216015005800001", "kpj": "12345678901", "segmen": "PU", "status": "AKTIF"}]
    )
    run = targeting_run(programme=make_programme(budget=201_600 * 1_200), export=False)
    en, id_ = _reasons(run, "en"), _reasons(run, "id")
    assert en["3216015005800001"] == (
        "domicile 3216011001 outside 3275; desil 7 > 5; age 76 > 60; "
        "occupation PEGAWAI NEGERI SIPIL excluded (ASN/TNI/Polri); deceased; "
        "already insured (KPJ 12345678901, PU)"
    )
    assert id_["3216015005800001"] == (
        "domisili 3216011001 di luar 3275; desil 7 > 5; usia 76 > 60; "
        "pekerjaan PEGAWAI NEGERI SIPIL dikecualikan (ASN/TNI/Polri); meninggal dunia; "
        "sudah terdaftar BPJS TK (KPJ 12345678901, PU)"
    )
    assert id_["3275010101800004"] == "desil tidak diketahui; pekerjaan kosong"
    waiting = [nik for nik, text in en.items() if text.startswith("waiting rank 1,")]
    (last,) = [nik for nik, text in en.items() if text == "selected rank 1,200"]
    assert id_[last] == "terpilih, peringkat 1.200"
    assert {len(en), len(id_)} == {1293}
    assert not waiting  # 1,291 eligible, 1,200 selected: the waiting list stops at 91
    assert sum(text.startswith("daftar tunggu nomor ") for text in id_.values()) == 91
