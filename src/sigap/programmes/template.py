"""The commented programme definition printed by ``sigap programme template`` (no Django needed).

The premium figures in its comments come from :mod:`sigap.core.tariff` (the tariff in force in the
template's first covered month, at its income bracket), so they never drift from the rules.
"""

from __future__ import annotations

from sigap.core import tariff
from sigap.core.money import Month, format_rupiah

_TEMPLATE = """\
# Definisi program SIGAP / SIGAP programme definition.
# Terapkan dengan / apply with:  sigap programme apply program.toml
# Menerapkan ulang berkas yang berubah menaikkan versi program.
# Applying a changed file again raises the programme version.

[programme]
# Kode unik program / unique programme code.
code = "SIGAP-2026"
# Nama program / programme name.
name = "SIGAP - Siap Jaga Pekerja Informal 2026"
# Kode wilayah Kemendagri: provinsi (2 digit) atau kabupaten/kota (4 digit). Domisili diambil dari
# alamat (kode kelurahan) di registri, bukan dari NIK.
# Kemendagri region code: province (2 digits) or kabupaten/kota (4 digits). Domicile comes from the
# registry address (kelurahan code), never from the NIK.
region = "3275"  # Kota Bekasi
# Tahun anggaran / fiscal year.
fiscal_year = 2026
# Anggaran dalam rupiah bulat / budget in whole rupiah.
budget = 2_000_000_000
# Bulan pertama perlindungan (YYYY-MM); biaya dihitung per bulan sampai Desember tahun anggaran.
# First covered month (YYYY-MM); cost is counted per month up to December of the fiscal year.
coverage_start = "2026-01"
# Sumber dana: APBD atau APBN. Diskon 50% PP 50/2025 TIDAK berlaku untuk iuran yang dibayar APBD/APBN.
# Funding source: APBD or APBN. The 50% PP 50/2025 discount NEVER applies to premiums paid by APBD/APBN.
funding = "APBD"
# Perkiraan jumlah pekerja rentan di wilayah (opsional): dasar persentase cakupan di beranda pimpinan.
# Tanpa baris ini, dasarnya jumlah orang yang memenuhi syarat pada daftar terakhir.
# Estimated vulnerable workers in the region (optional): the coverage base on the leaders' dashboard.
# Without this line the base is the number of eligible people in the latest list.
# estimated_vulnerable_workers = 200_000

[tariff]
# Dasar upah (rupiah) untuk iuran BPU: JKK {jkk_pct} x {bracket} = {jkk} + JKM {jkm}
# = {base} per orang per bulan ({base_year} per tahun).
# Declared income bracket for BPU premiums: JKK {jkk_pct} of {bracket_en} = {jkk_en} + JKM {jkm_en}
# = {base_en} per person per month ({base_year_en} per year).
income_bracket = 1_000_000
# Ikut membayar JHT (Jaminan Hari Tua, opsional bagi peserta BPU): {jht_pct} x dasar upah. Pada dasar upah
# di atas JHT = {jht}, jadi iuran per orang per bulan JKK {jkk} + JKM {jkm} + JHT {jht}
# = {full} ({full_year} per tahun): anggaran yang sama membiayai lebih sedikit orang.
# Also pay JHT (old-age savings, optional for BPU participants): {jht_pct} of the declared income. At the
# bracket above JHT = {jht_en}, so the premium per person per month is JKK {jkk_en} + JKM {jkm_en}
# + JHT {jht_en} = {full_en} ({full_year_en} per year): the same budget covers fewer people.
include_jht = false

[eligibility]
# Desil DTSEN tertinggi yang boleh (1 sangat miskin ... 5 menengah bawah).
# Highest DTSEN desil admitted (1 very poor ... 5 lower-middle).
desil_max = 5
# Rentang umur dalam tahun penuh pada hari pertama bulan mulai.
# Age range in whole years on the first day of coverage_start.
age_min = 18
age_max = 60
# Pekerjaan KTP yang boleh: "informal" (semua pekerjaan informal) atau daftar nama pekerjaan dan/atau
# kategori ("informal", "formal", "not_working").
# KTP occupations admitted: "informal" (every informal occupation) or a list of occupation names
# and/or categories ("informal", "formal", "not_working").
#
# PILIHAN: "informal" TIDAK memuat "MENGURUS RUMAH TANGGA" dan "BELUM/TIDAK BEKERJA" (kategori
# not_working). Banyak pekerja informal (buruh tani musiman, pedagang dari rumah) tercatat begitu di
# KTP dan tidak akan terpilih. Untuk mengikutkan mereka, hapus tanda # di depan baris kedua di bawah
# dan hapus baris pertama.
# CHOICE: "informal" does NOT hold "MENGURUS RUMAH TANGGA" (homemaker) and "BELUM/TIDAK BEKERJA"
# (not working). Many informal workers (seasonal farm hands, home traders) are recorded so on the KTP
# and will not be selected. To admit them, remove the # before the second line below and delete the
# first line.
occupations_included = "informal"
# occupations_included = ["informal", "MENGURUS RUMAH TANGGA", "BELUM/TIDAK BEKERJA"]
# Pekerjaan yang dikecualikan walau termasuk di atas / occupations excluded even if included above.
occupations_excluded = []
# Kecualikan yang sudah AKTIF di daftar peserta BPJS TK / exclude people already AKTIF in the BPJS TK roster.
exclude_insured = true
# Kecualikan ASN/TNI/Polri dan pejabat negara / exclude civil servants, military, police and officials.
exclude_aparat = true
# Kecualikan yang tercatat meninggal / exclude people recorded as deceased.
exclude_deceased = true

[priority]
# Urutan prioritas / priority order.
# Kunci / keys: "desil" (terendah dulu / lowest first), "occupation_risk" (risiko tinggi dulu / high risk
# first), "age_desc" (tertua dulu / oldest first), "age_asc", "kk_size_desc" (KK terbesar dulu / largest family).
order = ["desil", "occupation_risk", "age_desc"]
# Urutan seri (ADR 0014): orang yang sama pada semua kunci di atas diurutkan menurut hash SHA-256 dari
# benih + NIK (terkecil dulu), bukan NIK terkecil -- NIK perempuan (tanggal lahir +40) dan NIK dari
# provinsi berkode kecil tidak lagi didahulukan. Tanpa baris ini setiap run membuat benih acak; benih
# dicatat di run, di log audit dan di lampiran keputusan, sehingga daftar dapat dihitung ulang.
# Opsional: tetapkan benih sendiri (huruf, angka, . _ : / -; maks. 64), sebaiknya diumumkan sebelum
# data diketahui, mis. nomor keputusan atau hasil undian terbuka.
# Tie-break (ADR 0014): people equal on every key above are ordered by the SHA-256 hash of seed + NIK
# (smallest first), not by the smallest NIK -- women's NIKs (birth day +40) and NIKs of low-numbered
# provinces no longer come first. Without this line each run draws a random seed; the seed is kept in
# the run, the audit log and the decree annex, so the list can be recomputed.
# Optional: set the seed yourself (letters, digits, . _ : / -; at most 64), best announced before the
# data is known, e.g. a decree number or the result of a public draw.
# tie_break_seed = "SK-2026-017"
"""


#: The template's income bracket and first covered month (its ``income_bracket`` and ``coverage_start``).
TEMPLATE_BRACKET = 1_000_000
TEMPLATE_MONTH = Month(2026, 1)


def _figures() -> dict[str, str]:
    """The premium figures quoted in the template, in Indonesian (``Rp10.000``) and English style."""
    rule = tariff.tariff_in_force(TEMPLATE_MONTH.first_day())
    parts = tariff.monthly_components(TEMPLATE_MONTH, income_bracket=TEMPLATE_BRACKET, include_jht=True)
    base = parts[tariff.JKK] + parts[tariff.JKM]
    full = sum(parts.values())
    amounts = {
        "bracket": TEMPLATE_BRACKET,
        "jkk": parts[tariff.JKK],
        "jkm": parts[tariff.JKM],
        "jht": parts[tariff.JHT],
        "base": base,
        "base_year": base * 12,
        "full": full,
        "full_year": full * 12,
    }
    out = {
        "jkk_pct": tariff.percent_text(rule.jkk_per_mille),
        "jht_pct": tariff.percent_text(rule.jht_per_mille),
    }
    for key, amount in amounts.items():
        out[key] = format_rupiah(amount)
        out[f"{key}_en"] = f"Rp{amount:,}"
    return out


PROGRAMME_TEMPLATE = _TEMPLATE.format(**_figures())


def programme_template() -> str:
    """A commented TOML programme definition accepted by ``ProgrammeSpec.from_dict``."""
    return PROGRAMME_TEMPLATE
