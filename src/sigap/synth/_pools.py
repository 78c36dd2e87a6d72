"""Value pools for the synthetic registry: names, streets, occupations with weights."""

from __future__ import annotations

from functools import cache

import numpy as np

#: Desil shares (1..10) of families in an urban region: fewer poor than the national tenths.
URBAN_DESIL_WEIGHTS: tuple[float, ...] = (0.04, 0.05, 0.07, 0.08, 0.10, 0.11, 0.12, 0.13, 0.14, 0.16)
#: Desil shares for a kabupaten (more poor families).
RURAL_DESIL_WEIGHTS: tuple[float, ...] = (0.12, 0.12, 0.11, 0.11, 0.10, 0.10, 0.09, 0.09, 0.08, 0.08)

#: Family (KK) sizes 1..7.
FAMILY_SIZE_WEIGHTS: tuple[float, ...] = (0.11, 0.17, 0.21, 0.24, 0.15, 0.08, 0.04)

# Common names missing from Faker's id_ID lists (Sundanese, Javanese, Betawi, Muslim).
_EXTRA_MALE = (
    "Ahmad Abdul Agus Asep Bambang Budi Cecep Dadang Dedi Deden Eko Endang Hendra Iwan Jajang Joko "
    "Rudi Slamet Sugeng Suryadi Supriyadi Sutrisno Ujang Wahyu Yusuf Yayan Dodi Tatang Usep Cahyo "
    "Sukarno Suharto Ridwan Rahmat Syarif Zainal Jaenudin Mulyadi Nurdin Sarip Udin Junaedi"
).split()
_EXTRA_FEMALE = (
    "Siti Nur Sri Dewi Rina Yanti Neng Euis Iis Tuti Eni Lilis Yuli Wati Sumiati Aisyah Fatimah "
    "Khadijah Juju Imas Entin Cucu Ratna Nining Rohmah Umi Yuyun Atun Mamah Juariah Suryani Cahyati"
).split()


def _upper(names: tuple[str, ...] | list[str]) -> np.ndarray:
    return np.array(sorted({n.upper() for n in names if n.isalpha()}), dtype=object)


@cache
def name_pools() -> dict[str, np.ndarray]:
    """First and last name pools, upper-case (Faker id_ID lists plus common local names)."""
    from faker.providers.person.id_ID import Provider

    return {
        "male": _upper(list(Provider.first_names_male) + _EXTRA_MALE),
        "female": _upper(list(Provider.first_names_female) + _EXTRA_FEMALE),
        "last_male": _upper(list(Provider.last_names_male)),
        "last_female": _upper(list(Provider.last_names_female)),
    }


STREETS: tuple[str, ...] = tuple(
    (
        "MERDEKA;SUDIRMAN;AHMAD YANI;DIPONEGORO;KARTINI;PAHLAWAN;CUT MUTIA;HASANUDIN;IMAM BONJOL;"
        "PATTIMURA;MELATI;MAWAR;KENANGA;ANGGREK;CEMPAKA;DAHLIA;FLAMBOYAN;BERINGIN;NANGKA;RAMBUTAN;"
        "MANGGA;DUKU;SAWO;KELAPA;BAMBU;SWADAYA;BAKTI;BHAKTI;PERSATUAN;GOTONG ROYONG;RAYA;MASJID;"
        "PENDIDIKAN;KAMPUNG BARU;PULO;SETIA;DAMAI;SEJAHTERA;MAKMUR;HARAPAN;NUSANTARA;GARUDA;CENDRAWASIH;"
        "RAJAWALI;MERPATI;KUTILANG;NURI;CIKUNIR;KALIMALANG;SILIWANGI;PAJAJARAN;PELITA;JATI;DELIMA"
    ).split(";")
)
ADDRESS_PREFIXES: tuple[str, ...] = ("JL.", "JL.", "JL.", "GG.", "KP.", "PERUM")
ADDRESS_BLOCKS: tuple[str, ...] = tuple("ABCDEFGHJK")

HUBUNGAN: tuple[str, ...] = ("KEPALA KELUARGA", "ISTRI", "SUAMI", "ANAK", "ORANG TUA", "FAMILI LAIN")
HEAD, ISTRI, SUAMI, ANAK, ORANG_TUA, FAMILI_LAIN = range(6)


def _weighted(spec: str) -> tuple[tuple[str, ...], np.ndarray]:
    names, weights = [], []
    for item in spec.split(";"):
        name, weight = item.rsplit("=", 1)
        names.append(name.strip())
        weights.append(float(weight))
    w = np.array(weights)
    return tuple(names), w / w.sum()


INFORMAL_MALE = _weighted(
    "BURUH HARIAN LEPAS=22;PEDAGANG=13;WIRASWASTA=14;SOPIR=11;TRANSPORTASI=3;TUKANG BATU=6;KONSTRUKSI=3;"
    "TUKANG KAYU=2.5;TUKANG LAS/PANDAI BESI=1.2;TUKANG LISTRIK=1.2;MEKANIK=3;TUKANG CUKUR=1;"
    "TUKANG KEBUN=0.6;PETANI/PEKEBUN=2;BURUH TANI/PERKEBUNAN=1;PETERNAK=0.5;NELAYAN/PERIKANAN=0.3;"
    "BURUH NELAYAN/PERIKANAN=0.2;PERDAGANGAN=2;USTADZ/MUBALIGH=0.6;IMAM MESJID=0.3;SENIMAN=0.3;LAINNYA=3"
)
INFORMAL_FEMALE = _weighted(
    "PEDAGANG=30;WIRASWASTA=18;BURUH HARIAN LEPAS=15;TUKANG JAHIT=6;PEMBANTU RUMAH TANGGA=12;"
    "PENATA RIAS=1.5;PENATA RAMBUT=1.5;PETANI/PEKEBUN=2;BURUH TANI/PERKEBUNAN=1;PERDAGANGAN=3;"
    "PARAJI=0.2;LAINNYA=5"
)
#: Rural regions (kabupaten) lean on farming.
INFORMAL_RURAL_MALE = _weighted(
    "PETANI/PEKEBUN=26;BURUH TANI/PERKEBUNAN=14;BURUH HARIAN LEPAS=16;PEDAGANG=9;WIRASWASTA=9;SOPIR=6;"
    "TUKANG BATU=5;TUKANG KAYU=3;NELAYAN/PERIKANAN=3;BURUH NELAYAN/PERIKANAN=2;PETERNAK=2;MEKANIK=1.5;"
    "BURUH PETERNAKAN=1;LAINNYA=2"
)
INFORMAL_RURAL_FEMALE = _weighted(
    "PETANI/PEKEBUN=22;BURUH TANI/PERKEBUNAN=16;PEDAGANG=25;WIRASWASTA=12;BURUH HARIAN LEPAS=10;"
    "TUKANG JAHIT=5;PEMBANTU RUMAH TANGGA=6;PARAJI=0.5;LAINNYA=3"
)
FORMAL = _weighted(
    "KARYAWAN SWASTA=70;KARYAWAN BUMN=3;KARYAWAN BUMD=1.5;KARYAWAN HONORER=7;GURU=6;INDUSTRI=3;PERAWAT=2;"
    "BIDAN=1;DOKTER=0.7;DOSEN=0.5;APOTEKER=0.3;AKUNTAN=0.5;WARTAWAN=0.3;JURU MASAK=1;PERANGKAT DESA=0.4;"
    "PELAUT=0.2;KONSULTAN=0.3;PENGACARA=0.2"
)
APARAT = _weighted(
    "PEGAWAI NEGERI SIPIL=72;TENTARA NASIONAL INDONESIA=13;KEPOLISIAN RI=13;ANGGOTA DPRD KABUPATEN/KOTA=0.1"
)
ELDERLY_WORK = _weighted("PETANI/PEKEBUN=25;PEDAGANG=30;WIRASWASTA=20;BURUH HARIAN LEPAS=15;LAINNYA=5")

#: Share of working people (by desil 1..10) in formal jobs and in the state apparatus.
FORMAL_SHARE = np.array([0.06, 0.09, 0.13, 0.18, 0.25, 0.32, 0.40, 0.48, 0.56, 0.64])
APARAT_SHARE = np.array([0.003, 0.005, 0.008, 0.012, 0.018, 0.025, 0.035, 0.045, 0.06, 0.08])

NOT_WORKING = ("BELUM/TIDAK BEKERJA", "MENGURUS RUMAH TANGGA", "PELAJAR/MAHASISWA", "PENSIUNAN")
