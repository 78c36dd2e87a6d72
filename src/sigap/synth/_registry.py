"""Vectorised generator of a DTSEN-like registry extract (families, people, NIKs)."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sigap.core.schema import SOURCE_COLUMNS
from sigap.errors import UserError
from sigap.synth import _pools as P
from sigap.synth._knobs import DirtyKnobs

Progress = Callable[[str, float | None, float | None], None]

REGISTRY_COLUMNS: tuple[str, ...] = (*SOURCE_COLUMNS, "status_hidup")
MAX_AGE = 90  # keeps every two-digit NIK year unambiguous for the 100-year plausibility rule
MOVED_FAMILY_SHARE = 0.18  # gives ~15% of NIKs issued outside the domicile kecamatan
DEATH_SHARE = 0.005
DAYS_PER_YEAR = 365.2425


def rng_for(seed: int, stream: str) -> np.random.Generator:
    """An independent, reproducible random stream per purpose (so knobs never shift clean data)."""
    return np.random.default_rng([seed, zlib.crc32(stream.encode())])


@dataclass(frozen=True)
class RegionPlan:
    code: str
    name: str
    province: str
    is_kota: bool
    kecamatan_codes: tuple[str, ...]
    kecamatan_names: tuple[str, ...]
    kelurahan_codes: tuple[str, ...]
    kelurahan_names: tuple[str, ...]


def _place_name(name: str) -> str:
    upper = name.upper()
    for prefix in ("KABUPATEN ", "KAB. ", "KOTA ADM. ", "KOTA "):
        if upper.startswith(prefix):
            return upper[len(prefix) :]
    return upper


@cache
def _indonesia() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All kecamatan codes (int64), kab/kota codes and their place names (for tempat_lahir)."""
    from sigap.reference import regions

    index = regions()
    kecamatan = np.array([int(r.code) for r in index.descendants("", "kecamatan")], dtype=np.int64)
    kabkota = index.descendants("", "kabupaten_kota")
    codes = np.array([r.code for r in kabkota], dtype=object)
    names = np.array([_place_name(r.name) for r in kabkota], dtype=object)
    return kecamatan, codes, names


def region_plan(region: str) -> RegionPlan:
    """Resolve a kabupaten/kota given as a code ("3275", "32.75") or a unique name ("Kota Bekasi")."""
    from sigap.reference import regions

    index = regions()
    text = (region or "").strip()
    digits = text.replace(".", "")
    if digits.isdigit():
        found = index.get(digits)
    else:
        matches = [r for p in index.children("") for r in index.find(text, parent=p.code)]
        if len(matches) > 1:
            options = ", ".join(f"{r.code} {r.name}" for r in matches[:8])
            raise UserError(f"Region name '{region}' is ambiguous ({options}); give the 4-digit code")
        found = matches[0] if matches else None
    if found is None:
        raise UserError(f"Unknown region '{region}': give a kabupaten/kota code such as 3275 (Kota Bekasi)")
    if found.level != "kabupaten_kota":
        raise UserError(
            f"Region {found.code} ({found.name}) is a {found.level.replace('_', '/')}, "
            "not a kabupaten/kota: give a 4-digit code such as 3275"
        )
    kecamatan = index.descendants(found.code, "kecamatan")
    kelurahan = index.descendants(found.code, "desa_kelurahan")
    if not kecamatan or not kelurahan:
        raise UserError(f"Region {found.code} ({found.name}) has no kecamatan/kelurahan in the reference")
    return RegionPlan(
        code=found.code,
        name=found.name,
        province=found.code[:2],
        is_kota=int(found.code[2:4]) >= 71,
        kecamatan_codes=tuple(r.code for r in kecamatan),
        kecamatan_names=tuple(r.name for r in kecamatan),
        kelurahan_codes=tuple(r.code for r in kelurahan),
        kelurahan_names=tuple(r.name for r in kelurahan),
    )


# --------------------------------------------------------------------------- helpers


def _rank_in_group(keys: np.ndarray) -> np.ndarray:
    """0-based rank of each element among equal keys, in row order."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    new_group = np.empty(len(keys), dtype=bool)
    new_group[:1] = True
    new_group[1:] = sorted_keys[1:] != sorted_keys[:-1]
    starts = np.flatnonzero(new_group)
    group_of = np.cumsum(new_group) - 1
    ranks = np.empty(len(keys), dtype=np.int64)
    ranks[order] = np.arange(len(keys)) - starts[group_of]
    return ranks


def _take(pool: Sequence[str] | np.ndarray, idx: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    arr = pa.array(list(pool), type=pa.string())
    mask = None if valid is None else ~valid
    return arr.take(pa.array(idx, mask=mask))


def _digits(values: np.ndarray, width: int) -> pa.Array:
    text = pc.cast(pa.array(values, type=pa.int64()), pa.string())
    return pc.utf8_lpad(text, width=width, padding="0")


def _join(*parts: pa.Array | str, sep: str = " ") -> pa.Array:
    return pc.binary_join_element_wise(*parts, sep, null_handling="skip")


def person_names(rng: np.random.Generator, female: np.ndarray) -> pa.Array:
    """Indonesian names, upper-case: one to three words, some MUHAMMAD / SITI first words."""
    pools = P.name_pools()
    n = len(female)
    u = rng.random(n)
    male_first = rng.integers(0, len(pools["male"]), n)
    female_first = rng.integers(0, len(pools["female"]), n)
    male_second = rng.integers(0, len(pools["male"]), n)
    female_second = rng.integers(0, len(pools["female"]), n)
    male_last = rng.integers(0, len(pools["last_male"]), n)
    female_last = rng.integers(0, len(pools["last_female"]), n)
    # Build as three word slots: [lead] first [second/last]
    male = ~female
    lead = np.where(male & (u < 0.12), 0, np.where(female & (u < 0.08), 1, -1))
    lead_arr = _take(["MUHAMMAD", "SITI"], np.maximum(lead, 0), lead >= 0)
    first_pool = np.concatenate([pools["male"], pools["female"]])
    first = _take(first_pool, np.where(male, male_first, len(pools["male"]) + female_first))
    single = (u >= 0.12) & (u < 0.32)
    with_last = (u >= 0.32) & (u < 0.80)
    tail_pool = np.concatenate([pools["last_male"], pools["last_female"], pools["male"], pools["female"]])
    offs = np.cumsum([0, len(pools["last_male"]), len(pools["last_female"]), len(pools["male"])])
    tail_idx = np.where(
        with_last,
        np.where(male, offs[0] + male_last, offs[1] + female_last),
        np.where(male, offs[2] + male_second, offs[3] + female_second),
    )
    tail = _take(tail_pool, tail_idx, ~single)
    return _join(lead_arr, first, tail)


# --------------------------------------------------------------------------- occupations


class _Vocab:
    def __init__(self) -> None:
        self.names: list[str] = []
        self._ids: dict[str, int] = {}

    def id(self, name: str) -> int:
        if name not in self._ids:
            self._ids[name] = len(self.names)
            self.names.append(name)
        return self._ids[name]

    def pick(self, rng: np.random.Generator, pool: tuple[tuple[str, ...], np.ndarray], n: int) -> np.ndarray:
        names, weights = pool
        ids = np.array([self.id(x) for x in names], dtype=np.int16)
        return ids[rng.choice(len(names), size=n, p=weights)]


def _occupations(
    rng: np.random.Generator,
    *,
    age: np.ndarray,
    female: np.ndarray,
    desil: np.ndarray,
    role: np.ndarray,
    is_kota: bool,
) -> pa.Array:
    vocab = _Vocab()
    n = len(age)
    occ = np.full(n, vocab.id("BELUM/TIDAK BEKERJA"), dtype=np.int16)
    u = rng.random(n)
    u2 = rng.random(n)
    d = desil - 1

    school = (age >= 5) & (age <= 17) & (u < 0.96)
    occ[school] = vocab.id("PELAJAR/MAHASISWA")

    adult = (age >= 18) & (age <= 60)
    young = adult & (age <= 24)
    p_student = np.where(age <= 22, 0.05 + 0.05 * desil, 0.02 + 0.02 * desil)
    student = young & (u < p_student)
    occ[student] = vocab.id("PELAJAR/MAHASISWA")
    rest = adult & ~student
    # Homemakers (mostly wives), then the unemployed; the others work.
    p_irt = np.where(role == P.ISTRI, 0.45, 0.15)
    irt = rest & female & (u2 < p_irt)
    occ[irt] = vocab.id("MENGURUS RUMAH TANGGA")
    p_jobless = np.where(age <= 24, 0.15, 0.06)
    jobless = rest & ~irt & (rng.random(n) < p_jobless)
    worker = rest & ~irt & ~jobless

    u3 = rng.random(n)
    aparat = worker & (u3 < P.APARAT_SHARE[d])
    formal = worker & ~aparat & (u3 < P.APARAT_SHARE[d] + P.FORMAL_SHARE[d])
    informal = worker & ~aparat & ~formal
    occ[aparat] = vocab.pick(rng, P.APARAT, int(aparat.sum()))
    occ[formal] = vocab.pick(rng, P.FORMAL, int(formal.sum()))
    male_pool = P.INFORMAL_MALE if is_kota else P.INFORMAL_RURAL_MALE
    female_pool = P.INFORMAL_FEMALE if is_kota else P.INFORMAL_RURAL_FEMALE
    inf_m = informal & ~female
    inf_f = informal & female
    occ[inf_m] = vocab.pick(rng, male_pool, int(inf_m.sum()))
    occ[inf_f] = vocab.pick(rng, female_pool, int(inf_f.sum()))

    old = age > 60
    u4 = rng.random(n)
    p_pension = 0.02 + 0.03 * desil
    pension = old & (u4 < p_pension)
    old_irt = old & ~pension & female & (u4 < p_pension + 0.35)
    old_work = old & ~pension & ~old_irt & (rng.random(n) < 0.25)
    occ[pension] = vocab.id("PENSIUNAN")
    occ[old_irt] = vocab.id("MENGURUS RUMAH TANGGA")
    occ[old_work] = vocab.pick(rng, P.ELDERLY_WORK, int(old_work.sum()))
    return _take(vocab.names, occ)


# --------------------------------------------------------------------------- main


def generate_registry(
    *,
    region: str = "3275",
    people: int = 300_000,
    seed: int = 1,
    dirty: DirtyKnobs = DirtyKnobs(),  # noqa: B008 -- frozen dataclass
    reference_date: date = date(2026, 1, 1),
    desil_weights: Sequence[float] | None = None,
    progress: Progress | None = None,
) -> pa.Table:
    """A DTSEN-like extract of ``people`` residents of kabupaten/kota ``region``.

    Columns are ``SOURCE_COLUMNS`` + ``status_hidup``, all strings. ``desil_weights`` are the
    shares of families in desil 1..10 (default: urban skew for a kota, rural for a kabupaten).
    """
    if people < 1:
        raise UserError(f"people must be at least 1, got {people}")
    plan = region_plan(region)
    weights = np.array(
        desil_weights
        if desil_weights is not None
        else (P.URBAN_DESIL_WEIGHTS if plan.is_kota else P.RURAL_DESIL_WEIGHTS),
        dtype=float,
    )
    if weights.shape != (10,) or (weights < 0).any() or weights.sum() <= 0:
        raise UserError("desil_weights must be 10 non-negative numbers (desil 1..10)")
    weights = weights / weights.sum()
    step = progress or (lambda *_: None)
    total_steps = 6.0
    step("Generating registry", 0, total_steps)

    # ---- families
    rng = rng_for(seed, "families")
    size_p = np.array(P.FAMILY_SIZE_WEIGHTS) / sum(P.FAMILY_SIZE_WEIGHTS)
    mean_size = float((np.arange(1, 8) * size_p).sum())
    sizes = rng.choice(np.arange(1, 8), size=int(people / mean_size * 1.05) + 16, p=size_p)
    while sizes.sum() < people:
        sizes = np.concatenate([sizes, rng.choice(np.arange(1, 8), size=len(sizes) // 10 + 16, p=size_p)])
    csum = np.cumsum(sizes)
    n_fam = int(np.searchsorted(csum, people)) + 1
    sizes = sizes[:n_fam].copy()
    sizes[-1] -= int(csum[n_fam - 1]) - people

    kel_weight = rng.gamma(3.0, 1.0, len(plan.kelurahan_codes))
    fam_kel = rng.choice(len(plan.kelurahan_codes), size=n_fam, p=kel_weight / kel_weight.sum())
    fam_rw = rng.integers(1, 21, n_fam)
    fam_rt = rng.integers(1, 16, n_fam)
    # File order: by kelurahan, RW, RT (as a local extract is usually sorted).
    order = np.lexsort((rng.random(n_fam), fam_rt, fam_rw, fam_kel))
    fam_kel, fam_rw, fam_rt = fam_kel[order], fam_rw[order], fam_rt[order]
    fam_desil = rng.choice(np.arange(1, 11), size=n_fam, p=weights)
    has_spouse = (sizes >= 2) & (rng.random(n_fam) < 0.82)
    head_female = np.where(has_spouse, rng.random(n_fam) < 0.03, rng.random(n_fam) < 0.45)
    has_parent = (sizes >= 2) & ~(has_spouse & (sizes == 2)) & (rng.random(n_fam) < 0.12)
    head_age = np.where(
        sizes == 1,
        rng.normal(45, 17, n_fam),
        np.where(has_spouse, rng.normal(44, 11, n_fam), rng.normal(50, 13, n_fam)),
    )
    head_age = np.clip(head_age, 19.0, MAX_AGE - 5)
    head_age = np.where(sizes >= 2, np.maximum(head_age, rng.uniform(21, 28, n_fam)), head_age)
    head_age = np.where(has_parent, np.minimum(head_age, MAX_AGE - 25), head_age)

    kel_codes = np.array([int(c) for c in plan.kelurahan_codes], dtype=np.int64)
    fam_kec = kel_codes[fam_kel] // 10_000
    # nomor_kk: kecamatan of domicile + issue date DDMMYY + serial
    ref = np.datetime64(reference_date, "D")
    kk_days = rng.integers(0, (ref - np.datetime64("2006-01-01", "D")).astype(int), n_fam)
    kk_date = np.datetime64("2006-01-01", "D") + kk_days
    kk_ddmmyy = _ddmmyy(kk_date, np.zeros(n_fam, dtype=bool))
    kk_serial = _rank_in_group(fam_kec * 1_000_000 + kk_ddmmyy) + 1
    fam_kk = fam_kec * 10**10 + kk_ddmmyy * 10_000 + kk_serial

    street = rng.integers(0, len(P.STREETS), n_fam)
    addr_prefix = rng.choice(len(P.ADDRESS_PREFIXES), n_fam)
    house_no = rng.integers(1, 200, n_fam)
    block = rng.integers(0, len(P.ADDRESS_BLOCKS), n_fam)
    step("Generating registry", 1, total_steps)

    # ---- people
    fam = np.repeat(np.arange(n_fam), sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pos = np.arange(people) - starts[fam]
    size_p_person = sizes[fam]
    prng = rng_for(seed, "people")
    role = np.full(people, P.ANAK, dtype=np.int8)
    is_head = pos == 0
    is_spouse = (pos == 1) & has_spouse[fam]
    is_parent = (pos == size_p_person - 1) & has_parent[fam] & ~is_head & ~is_spouse
    role[is_head] = P.HEAD
    role[is_spouse] = np.where(head_female[fam[is_spouse]], P.SUAMI, P.ISTRI)
    role[is_parent] = P.ORANG_TUA
    is_child = ~is_head & ~is_spouse & ~is_parent
    other = is_child & (prng.random(people) < 0.04)
    role[other] = P.FAMILI_LAIN
    is_child &= ~other

    female = prng.random(people) < 0.5
    female[is_head] = head_female[fam[is_head]]
    female[is_spouse] = ~head_female[fam[is_spouse]]
    female[is_parent] = prng.random(int(is_parent.sum())) < 0.65

    h_age = head_age[fam]
    age = h_age.copy()
    gap = prng.normal(3, 4, people)
    age[is_spouse] = np.where(head_female[fam], h_age + gap, h_age - gap)[is_spouse]
    parent_age = h_age - 2
    # children: born when the parent was 19 or older, at most ~35 years old themselves
    child_age = prng.random(people) * np.clip(parent_age - 19, 0.5, 35)
    age[is_child] = child_age[is_child]
    age[is_parent] = (h_age + prng.uniform(20, 34, people))[is_parent]
    age[other] = prng.uniform(3, 70, people)[other]
    age = np.clip(age, 0.01, MAX_AGE)
    age[is_head | is_spouse] = np.maximum(age[is_head | is_spouse], 17.5)
    days = np.maximum((age * DAYS_PER_YEAR).astype(np.int64), 1)
    birth = ref - days
    age_years = _age_years(birth, reference_date)
    desil = fam_desil[fam]
    step("Generating registry", 2, total_steps)

    # ---- NIK
    nrng = rng_for(seed, "nik")
    all_kec, kab_codes, kab_names = _indonesia()
    # A family that moved in keeps NIKs issued where it came from (children born here: half).
    moved = nrng.random(n_fam) < MOVED_FAMILY_SHARE
    origin = all_kec[nrng.integers(0, len(all_kec), n_fam)]
    keeps_origin = moved[fam] & ((age_years >= 17) | (nrng.random(people) < 0.5))
    issue_kec = np.where(keeps_origin, origin[fam], fam_kec[fam])
    ddmmyy = _ddmmyy(birth, female)
    nik_prefix = issue_kec * 1_000_000 + ddmmyy
    serial = _rank_in_group(nik_prefix) + 1
    if serial.max() > 9999:  # pragma: no cover - needs ~10,000 same-day births in one kecamatan
        raise UserError("Too many people for unique NIK serials; lower --people")
    nik = nik_prefix * 10_000 + serial

    # ---- names
    names_rng = rng_for(seed, "names")
    nama = person_names(names_rng, female)
    # Mother: the wife (or the female head) for children; the head's own mother if she lives in.
    mother_row = np.full(people, -1, dtype=np.int64)
    wife_in = has_spouse & ~head_female
    child_or_other = is_child
    mother_row[child_or_other & wife_in[fam]] = starts[fam][child_or_other & wife_in[fam]] + 1
    mother_row[child_or_other & head_female[fam]] = starts[fam][child_or_other & head_female[fam]]
    parent_row = starts + sizes - 1
    parent_female = np.zeros(n_fam, dtype=bool)
    parent_female[has_parent] = female[parent_row[has_parent]]
    head_mother = is_head & parent_female[fam]
    mother_row[head_mother] = parent_row[fam][head_mother]
    random_mother = person_names(names_rng, np.ones(people, dtype=bool))
    has_mother = mother_row >= 0
    ibu = pc.if_else(
        pa.array(has_mother), nama.take(pa.array(np.where(has_mother, mother_row, 0))), random_mother
    )

    # tempat_lahir: the region itself for most, else another kab/kota (same province first)
    prov = np.array([c[:2] for c in kab_codes])
    same_prov = np.flatnonzero(prov == plan.province)
    anywhere_w = np.where(np.isin(prov, ["31", "32", "33", "34", "35", "36"]), 3.0, 1.0)
    u = names_rng.random(people)
    home_share = np.where(age_years < 18, 0.85, 0.55)
    own_idx = int(np.flatnonzero(kab_codes == plan.code)[0])
    place = np.where(
        u < home_share,
        own_idx,
        np.where(
            u < home_share + 0.25,
            same_prov[names_rng.integers(0, len(same_prov), people)],
            names_rng.choice(len(kab_codes), size=people, p=anywhere_w / anywhere_w.sum()),
        ),
    )
    tempat = _take(kab_names, place)
    step("Generating registry", 3, total_steps)

    # ---- occupations, status
    pekerjaan = _occupations(
        rng_for(seed, "occupations"),
        age=age_years,
        female=female,
        desil=desil,
        role=role,
        is_kota=plan.is_kota,
    )
    srng = rng_for(seed, "status")
    hazard = np.exp((age - 40) / 12.0)
    p_dead = np.minimum(hazard * (DEATH_SHARE * people / hazard.sum()), 0.5)
    dead = srng.random(people) < p_dead
    iddtks = int(plan.code) * 10**10 + srng.permutation(people) + 1
    step("Generating registry", 4, total_steps)

    # ---- address strings (family level, then broadcast)
    is_perum = addr_prefix == P.ADDRESS_PREFIXES.index("PERUM")
    fam_street = _join(_take(P.ADDRESS_PREFIXES, addr_prefix), _take(P.STREETS, street))
    fam_no = _join(
        _take(["BLOK"], np.zeros(n_fam, dtype=np.int64), is_perum),
        _take(P.ADDRESS_BLOCKS, block, is_perum),
        pa.array(np.full(n_fam, "NO.")),
        sep=" ",
    )
    fam_alamat = _join(fam_street, fam_no, pc.cast(pa.array(house_no), pa.string()))
    kel_of = fam_kel[fam]
    is_desa = np.array([c[6] == "2" for c in plan.kelurahan_codes], dtype=bool)[kel_of]
    dusun_no = pc.cast(pa.array((fam_rw[fam] - 1) // 4 + 1), pa.string())
    dusun = pc.if_else(pa.array(is_desa), pc.binary_join_element_wise("DUSUN", dusun_no, " "), None)
    fam_idx = pa.array(fam)
    columns: dict[str, pa.Array] = {
        "iddtks": pc.cast(pa.array(iddtks), pa.string()),
        "provinsi": pa.array(np.full(people, plan.province)),
        "kabupaten_kota": pa.array(np.full(people, plan.code)),
        "kecamatan": pc.cast(pa.array(fam_kec[fam]), pa.string()),
        "desa_kelurahan": pc.cast(pa.array(kel_codes[kel_of]), pa.string()),
        "alamat": fam_alamat.take(fam_idx),
        "dusun": dusun,
        "rt": _digits(fam_rt[fam], 3),
        "rw": _digits(fam_rw[fam], 3),
        "nomor_kk": pc.cast(pa.array(fam_kk[fam]), pa.string()),
        "nomor_nik": pc.cast(pa.array(nik), pa.string()),
        "nama": nama,
        "tanggal_lahir": pc.cast(pa.array(birth), pa.string()),
        "tempat_lahir": tempat,
        "jenis_kelamin": _take(["L", "P"], female.astype(np.int8)),
        "nama_ibu_kandung": ibu,
        "hubungan_keluarga": _take(P.HUBUNGAN, role),
        "desil": pc.cast(pa.array(desil), pa.string()),
        "pekerjaan": pekerjaan,
        "status_hidup": _take(["HIDUP", "MENINGGAL"], dead.astype(np.int8)),
    }
    table = pa.table({name: columns[name] for name in REGISTRY_COLUMNS})
    step("Generating registry", 5, total_steps)
    if not dirty.is_clean:
        from sigap.synth._dirty import dirty_registry

        table = dirty_registry(table, plan=plan, seed=seed, knobs=dirty)
    step("Generating registry", total_steps, total_steps)
    return table


def _ddmmyy(dates: np.ndarray, female: np.ndarray) -> np.ndarray:
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    months = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    out: np.ndarray = (days + 40 * female) * 10_000 + months * 100 + years % 100
    return out


def _age_years(birth: np.ndarray, reference_date: date) -> np.ndarray:
    years = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    months = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (birth - birth.astype("datetime64[M]")).astype(np.int64) + 1
    before = (reference_date.month * 100 + reference_date.day) < (months * 100 + days)
    out: np.ndarray = reference_date.year - years - before.astype(np.int64)
    return out
