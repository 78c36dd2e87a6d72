"""A registry and a roster for the linkage tests: typos, name variants, namesakes, an outsider."""

from __future__ import annotations

import datetime as dt
from typing import Any

from registry.registry_factory import KEC, person, roster_row
from sigap.core.nik import make_nik

BORN = dt.date(1980, 5, 5)


def linkage_people() -> list[dict[str, Any]]:
    return [
        person(1, nama="SITI AMINAH", sex="P", born=BORN),
        person(2, nama="IIS SUHENDAR", sex="L", born=dt.date(1975, 3, 9)),
        person(3, nama="MOCH. DJOKO SOETJIPTO", sex="L", born=dt.date(1980, 3, 7)),
        # namesakes: the same name, sex and birth date, two people
        person(4, nama="BUDI SANTOSO", sex="L", born=dt.date(1985, 8, 17)),
        person(5, nama="BUDI SANTOSO", sex="L", born=dt.date(1985, 8, 17)),
        person(6, nama="RINA MARLINA", sex="P", born=dt.date(1990, 2, 11)),
        person(7, nama="WARGA BARU", sex="L", born=dt.date(1988, 6, 6)),
    ]


def linkage_roster(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    nik = {i + 1: p["nomor_nik"] for i, p in enumerate(people)}
    typo = nik[2][:-2] + nik[2][-1] + nik[2][-2]  # the last two digits swapped
    return [
        roster_row(1, nik=nik[1], nama="HJ. SITI AMINAH", tanggal_lahir=BORN.isoformat(), kpj="25000000001"),
        roster_row(2, nik=typo, nama="IISSAHENDAR", tanggal_lahir="1975-03-09", kpj="25000000002"),
        # no NIK; modern spelling; the birth date with day and month swapped
        roster_row(3, nik="", nama="MUHAMMAD JOKO SUCIPTO", tanggal_lahir="1980-07-03", kpj="25000000003"),
        # no NIK and a name two registry people share: the officer decides
        roster_row(4, nik="", nama="BUDI SANTOSO", tanggal_lahir="1985-08-17", kpj="25000000004"),
        # Rina's NIK with an impossible birth date (a typo): kept, linked by name and birth date
        roster_row(6, nik=nik[6][:8] + "13" + nik[6][10:], nama="RINA MARLINA", tanggal_lahir="1990-02-11",
                   kpj="25000000006"),
        # somebody who is not in the registry
        roster_row(9, nik=make_nik(KEC, dt.date(1970, 9, 9), "L", 4321), nama="ORANG LAIN",
                   tanggal_lahir="1970-09-09", kpj="25000000009"),
    ]  # fmt: skip
