"""Words for the codes the engine and the registry store: occupation categories, sexes, the run's
summary tables and export files.  One table each, used by every page, PDF and XLSX that shows them
(a code never reaches an officer's screen as it is stored)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sigap.core import occupations as occ
from sigap.core.selection import OUTSIDE
from sigap.reference import regions

#: core.occupations category -> words
CATEGORIES = {
    occ.INFORMAL: gettext_lazy("pekerja informal"),
    occ.FORMAL: gettext_lazy("pekerja formal (penerima upah)"),
    occ.APARAT: gettext_lazy("ASN/TNI/Polri atau pejabat negara"),
    occ.NOT_WORKING: gettext_lazy("tidak bekerja (pelajar, ibu rumah tangga, pensiunan)"),
    occ.UNKNOWN: gettext_lazy("tidak dikenal"),
}

SEXES = {"L": gettext_lazy("Laki-laki"), "P": gettext_lazy("Perempuan")}

DECISIONS = {
    "selected": gettext_lazy("Terpilih"),
    "waiting": gettext_lazy("Daftar tunggu"),
    "ineligible": gettext_lazy("Tidak memenuhi syarat"),
}


def category_label(code: Any) -> str:
    """``not_working`` -> ``tidak bekerja (...)``; "" for no category."""
    if not code:
        return ""
    return str(CATEGORIES.get(str(code), code))


def sex_label(code: Any) -> str:
    return str(SEXES.get(str(code or "").upper(), code or "")) or _("tidak tercatat")


def decision_label(code: Any) -> str:
    return str(DECISIONS.get(str(code), code))


def place_name(code: Any) -> str:
    """A region code as its name (the code itself when the reference does not know it)."""
    text = str(code or "")
    if not text:
        return ""
    found = regions().get(text)
    return found.name if found is not None else text


# --------------------------------------------------------------------------- run summary tables

#: Count columns of every summary table, in order: key -> (heading, money?).
SUMMARY_COLUMNS: dict[str, tuple[Any, bool]] = {
    "people": (gettext_lazy("Penduduk"), False),
    "eligible": (gettext_lazy("Memenuhi syarat"), False),
    "selected": (gettext_lazy("Terpilih"), False),
    "waiting": (gettext_lazy("Daftar tunggu"), False),
    "ineligible": (gettext_lazy("Tidak memenuhi syarat"), False),
    "cost": (gettext_lazy("Biaya"), True),
}

#: ``run.summary`` key -> (title, heading of the first column).
SUMMARY_TABLES: dict[str, tuple[Any, Any]] = {
    "per_decision": (gettext_lazy("Menurut keputusan"), gettext_lazy("Keputusan")),
    "per_kecamatan": (gettext_lazy("Menurut kecamatan"), gettext_lazy("Kecamatan")),
    "per_kelurahan": (gettext_lazy("Menurut kelurahan"), gettext_lazy("Kelurahan")),
    "per_desil": (gettext_lazy("Menurut desil kesejahteraan"), gettext_lazy("Desil")),
    "per_occupation": (gettext_lazy("Menurut pekerjaan"), gettext_lazy("Pekerjaan")),
    "per_sex": (gettext_lazy("Menurut jenis kelamin"), gettext_lazy("Jenis kelamin")),
}


def _subject(table: str, row: dict[str, Any]) -> str:
    """The words of a summary row's subject (a region's name, ``Desil 3``, ``Perempuan``)."""
    if table == "per_decision":
        return decision_label(row.get("decision"))
    if table in ("per_kecamatan", "per_kelurahan"):
        code = str(row.get("code") or "")
        if code == OUTSIDE or str(row.get("name", "")).startswith("outside"):
            return _("di luar wilayah program")
        if not code:
            return _("tidak tercatat")
        name = str(row.get("name") or "") or place_name(code)
        if table == "per_kelurahan" and row.get("kecamatan"):
            return f"{name}, {row['kecamatan']}"
        return name
    if table == "per_desil":
        value = str(row.get("desil") or "")
        return _("Desil %(n)s") % {"n": value} if value else _("tidak tercatat")
    if table == "per_occupation":
        name = str(row.get("pekerjaan") or "") or _("tidak tercatat")
        category = category_label(row.get("category"))
        return f"{name} ({category})" if category else name
    if table == "per_sex":
        return sex_label(row.get("jenis_kelamin"))
    return str(next(iter(row.values()), ""))


def summary_tables(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The run's summary as tables for people: a title per subject, Indonesian column headings,
    each row ``(subject, [(value, money?), ...])``; unknown tables are left out."""
    tables = []
    for key, (title, first) in SUMMARY_TABLES.items():
        rows = summary.get(key)
        if not isinstance(rows, list) or not rows:
            continue
        columns = [name for name in SUMMARY_COLUMNS if name in rows[0]]
        if key == "per_decision":
            columns = [name for name in ("people", "cost") if name in rows[0]]
        tables.append(
            {
                "key": key,
                "title": str(title),
                "headings": [str(first), *(str(SUMMARY_COLUMNS[c][0]) for c in columns)],
                "rows": [
                    (
                        _subject(key, row),
                        [(int(row.get(c) or 0), SUMMARY_COLUMNS[c][1]) for c in columns],
                    )
                    for row in rows
                ],
            }
        )
    return tables


# --------------------------------------------------------------------------- export files

EXPORT_STEMS = {
    "beneficiaries": gettext_lazy("Daftar penerima"),
    "waiting_list": gettext_lazy("Daftar tunggu"),
    "summary": gettext_lazy("Ringkasan"),
    "decisions": gettext_lazy("Semua keputusan"),
}
EXPORT_FORMATS = {"csv": "CSV", "xlsx": "Excel", "parquet": "Parquet", "pdf": "PDF"}


def export_label(name: str) -> str:
    """``waiting_list.xlsx`` -> ``Daftar tunggu (Excel)``."""
    stem, _dot, suffix = str(name).rpartition(".")
    if not stem:
        stem, suffix = suffix, ""
    label = EXPORT_STEMS.get(stem)
    text = str(label) if label is not None else stem.replace("_", " ")
    return f"{text} ({EXPORT_FORMATS.get(suffix, suffix.upper())})" if suffix else text


# --------------------------------------------------------------------------- exit evidence

_EXIT_DETAILS = (
    (re.compile(r"^meninggal in snapshot #(?P<snap>\d+)$"), "died"),
    (re.compile(r"^domicile (?P<kel>\d+) outside (?P<region>\d+) in snapshot #(?P<snap>\d+)$"), "moved"),
    (re.compile(r"^AKTIF PU \(KPJ (?P<kpj>[^)]*)\) in roster #(?P<roster>\d+)$"), "formal_job"),
    (re.compile(r"^age (?P<age>\d+) > (?P<max>\d+) on (?P<on>\d{4}-\d{2}-\d{2})$"), "aged_out"),
    (re.compile(r"^not found in snapshot #(?P<snap>\d+)$"), "not_found"),
    (re.compile(r"^domicile unknown in snapshot #(?P<snap>\d+)$"), "domicile_unknown"),
)


def local_date(day: dt.date) -> str:
    """``2026-12-05`` -> ``5 Desember 2026`` (month in the active language)."""
    return date_format(day, "j F Y")


def exit_detail(text: Any) -> str:
    """The evidence exits detection stores (``age 61 > 60 on 2026-12-05``) in words of the active
    language (``usia 61 tahun pada 5 Desember 2026, di atas batas 60 tahun``); other notes as written."""
    raw = str(text or "").strip()
    for pattern, kind in _EXIT_DETAILS:
        found = pattern.match(raw)
        if found is None:
            continue
        g = found.groupdict()
        if kind == "died":
            return _("tercatat meninggal dunia di snapshot registri #%(snap)s") % g
        if kind == "moved":
            return _(
                "domisili %(kel)s berada di luar wilayah program (%(region)s), snapshot registri #%(snap)s"
            ) % {
                "kel": place_name(g["kel"]),
                "region": place_name(g["region"]),
                "snap": g["snap"],
            }
        if kind == "formal_job":
            return (
                _(
                    "peserta aktif BPJS TK sebagai penerima upah (KPJ %(kpj)s), daftar peserta BPJS TK #%(roster)s"
                )
                % g
            )
        if kind == "aged_out":
            return _("usia %(age)s tahun pada %(on)s, di atas batas %(max)s tahun") % {
                "age": g["age"],
                "max": g["max"],
                "on": local_date(dt.date.fromisoformat(g["on"])),
            }
        if kind == "not_found":
            return _("tidak ditemukan di snapshot registri #%(snap)s") % g
        return _("domisili tidak tercatat di snapshot registri #%(snap)s") % g
    return raw


# --------------------------------------------------------------------------- sizes

_UNITS = ((1024**3, "GB"), (1024**2, "MB"), (1024, "KB"))


def size_text(size: int) -> str:
    """A size for people: ``2 GB``, ``5 MB``, ``1,5 MB``, ``256 KB`` (binary units, at most one
    decimal, the decimal mark of the active language); never a count of bytes."""
    from django.utils.formats import number_format

    for unit, name in _UNITS:
        if size >= unit:
            value = round(size / unit, 1)
            shown = number_format(value, decimal_pos=0 if value == int(value) else 1)
            return f"{shown} {name}"
    return f"{size} B"
