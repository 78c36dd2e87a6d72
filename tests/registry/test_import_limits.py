"""Import limits (docs/security.md "Import limits"): text lengths checked at import and used by the
models, CSV lines of any length, XLSX zip bombs, too many rows; and the property that any CSV file
either imports with a rejection report or is refused with a UserError -- never another exception."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import models
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from registry_factory import csv_text, person, roster_row, write_csv, write_roster_csv
from xlsx_factory import cell, registry_rows, row, write_xlsx

from factories import make_programme, make_run, make_user
from sigap.core.schema import (
    MEMBER_TEXT_MAX_LENGTH,
    OPTIONAL_SOURCE_COLUMNS,
    SOURCE_COLUMNS,
    SOURCE_ROSTER_COLUMNS,
    SOURCE_TEXT_MAX_LENGTH,
)
from sigap.errors import UserError
from sigap.registry.actions import snapshot_import

REF = dt.date(2026, 1, 1)
pytestmark = pytest.mark.django_db


def report(result: Any) -> list[dict[str, str]]:
    with open(result.report_path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def where(lines: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    return [(line["row"], line["column"], line["code"]) for line in lines]


# -- text lengths: defined once ---------------------------------------------------------------


def test_text_limits_are_the_models_max_length() -> None:
    from sigap.enrolment.lists import MEMBER_COLUMNS
    from sigap.enrolment.models import EnrolmentLine, Member
    from sigap.status.models import AreaCell

    text_fields = {f.name for f in Member._meta.fields if isinstance(f, models.CharField)} - {"state"}
    assert text_fields == set(MEMBER_TEXT_MAX_LENGTH), (
        "every text a Member keeps has its length in core.schema"
    )
    for name, length in MEMBER_TEXT_MAX_LENGTH.items():
        assert Member._meta.get_field(name).max_length == length, name
    assert EnrolmentLine._meta.get_field("kpj").max_length == MEMBER_TEXT_MAX_LENGTH["kpj"]
    # every column of both imports is checked; a column copied onto a Member fits the Member
    assert set(SOURCE_TEXT_MAX_LENGTH) == set(
        SOURCE_COLUMNS + OPTIONAL_SOURCE_COLUMNS + SOURCE_ROSTER_COLUMNS
    )
    # (nik, no_kk, jenis_kelamin and kode_kelurahan are checked for their form: 16 digits, L/P, a code)
    copied = ("nama", "tempat_lahir", "alamat", "rt", "rw", "pekerjaan")
    assert set(copied) <= set(MEMBER_COLUMNS)
    for name in (*copied, "kpj"):
        assert SOURCE_TEXT_MAX_LENGTH[name] <= MEMBER_TEXT_MAX_LENGTH[name], name
    assert AreaCell._meta.get_field("pekerjaan").max_length >= SOURCE_TEXT_MAX_LENGTH["pekerjaan"]


def test_long_tempat_lahir_is_rejected_and_the_list_is_approved(
    data_dir: Path, tmp_path: Path, clock: Any
) -> None:
    """Regression: a selected person's 150-character tempat_lahir made approval fail on PostgreSQL
    (DataError) and was stored whole on SQLite.  Run with DATABASE_URL=postgres://... for PostgreSQL."""
    from sigap.enrolment.actions import run_approve, run_submit
    from sigap.enrolment.models import Member

    clock(dt.date(2025, 12, 15))
    rows = [person(i) for i in range(1, 6)]
    rows += [person(6, tempat_lahir="B" * 150), person(7, alamat="A" * 2_000_000), person(8, nama="x" * 201)]
    result = snapshot_import(path=write_csv(tmp_path / "dtsen.csv", rows), reference_date=REF)
    assert (result.rows, result.accepted, result.rejected) == (8, 5, 3)
    lines = report(result)
    assert where(lines) == [
        ("7", "tempat_lahir", "text_too_long"),
        ("8", "alamat", "text_too_long"),
        ("9", "nama", "text_too_long"),
    ]
    assert (
        lines[0]["reason"]
        == "terlalu panjang: 150 karakter, maksimal 100 / too long: 150 characters, at most 100"
    )
    assert lines[0]["value"] == "B" * 50 + "\u2026"
    assert lines[1]["reason"].startswith("terlalu panjang: 2.000.000 karakter, maksimal 300 / ")
    assert len(lines[1]["value"]) == 51 and lines[2]["value"] == "x" * 50 + "\u2026"

    run = make_run(make_programme("SIGAP-2026"), result.snapshot)
    run_submit(run=run, acting_user=make_user("petugas"))
    approved = run_approve(run=run, acting_user=make_user("kadis"))
    assert approved.members == 5
    for member in Member.objects.filter(run=run):
        for name, length in MEMBER_TEXT_MAX_LENGTH.items():
            assert len(getattr(member, name)) <= length, (member.nik, name)


def test_roster_text_lengths(data_dir: Path, tmp_path: Path) -> None:
    rows = [roster_row(1), roster_row(2, kpj="K" * 21), roster_row(3, nama="n" * 250), roster_row(4)]
    result = snapshot_import(
        path=write_roster_csv(tmp_path / "bpjs.csv", rows), kind="roster", reference_date=REF
    )
    assert (result.accepted, result.rejected) == (2, 2)
    lines = report(result)
    assert where(lines) == [("3", "kpj", "text_too_long"), ("4", "nama", "text_too_long")]
    assert lines[0]["reason"].startswith("terlalu panjang: 21 karakter, maksimal 20")


def test_length_counts_characters_of_the_trimmed_value(data_dir: Path, tmp_path: Path) -> None:
    rows = [person(1, tempat_lahir="  " + "é" * 100 + "  "), person(2, tempat_lahir="é" * 101)]
    result = snapshot_import(path=write_csv(tmp_path / "utf8.csv", rows), reference_date=REF)
    assert (result.accepted, result.rejected) == (1, 1)
    assert where(report(result)) == [("3", "tempat_lahir", "text_too_long")]


# -- CSV: a field or a line of any length --------------------------------------------------------


def _with_malformed_row(text: str) -> str:
    """``text`` plus a row with too many fields: DuckDB refuses the file and it is read record by record."""
    return text + "|".join(["x"] * 25) + "\n"


@pytest.mark.parametrize("malformed", [False, True], ids=["duckdb", "record-by-record"])
def test_unquoted_200_kib_field_is_a_rejected_row_not_a_traceback(
    data_dir: Path, tmp_path: Path, malformed: bool
) -> None:
    """Regression: a field over 128 KiB crashed the record-by-record reader (Python's csv field limit)."""
    from sigap.cli import _register, cli

    text = csv_text([person(1), person(2, alamat="A" * 200 * 1024), person(3)])
    path = tmp_path / "panjang.csv"
    path.write_text(_with_malformed_row(text) if malformed else text, encoding="utf-8")
    _register()
    out = CliRunner().invoke(
        cli,
        ["registry", "import", str(path), "--reference-date", "2026-01-01", "--json"],
        catch_exceptions=False,
    )
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert (result["accepted"], result["rejected"]) == (2, 2 if malformed else 1)
    with open(result["report"], encoding="utf-8-sig", newline="") as f:
        lines = list(csv.DictReader(f))
    assert where(lines)[0] == ("3", "alamat", "text_too_long")
    assert lines[0]["reason"].startswith("terlalu panjang: 204.800 karakter, maksimal 300")
    if malformed:
        assert where(lines)[1] == ("5", "(row)", "row_malformed")


@pytest.mark.parametrize("malformed", [False, True], ids=["duckdb", "record-by-record"])
def test_line_over_the_limit_is_one_rejected_row(
    data_dir: Path, tmp_path: Path, settings: Any, malformed: bool
) -> None:
    settings.SIGAP_IMPORT_MAX_LINE_BYTES = 64 * 1024
    text = csv_text([person(1), person(2, alamat="A" * 200 * 1024), person(3)])
    path = tmp_path / "baris.csv"
    path.write_text(_with_malformed_row(text) if malformed else text, encoding="utf-8")
    result = snapshot_import(path=path, reference_date=REF)
    lines = report(result)
    assert where(lines)[0] == ("3", "(row)", "row_malformed")
    assert lines[0]["reason"] == "baris lebih panjang dari 0,06 MB / the line is longer than 0.06 MB"
    assert [p for p in (result.accepted, result.rejected)] == [2, 2 if malformed else 1]


def test_header_line_over_the_limit_is_refused(data_dir: Path, tmp_path: Path, settings: Any) -> None:
    settings.SIGAP_IMPORT_MAX_LINE_BYTES = 64 * 1024
    path = tmp_path / "judul.csv"
    path.write_text(
        "|".join(SOURCE_COLUMNS) + "|" + "X" * 100_000 + "\n" + csv_text([person(1)]), encoding="utf-8"
    )
    with pytest.raises(UserError, match=r"judul.csv: baris 1 lebih panjang dari 0,06 MB / line 1 is longer"):
        snapshot_import(path=path, reference_date=REF)


def test_file_and_rows_over_the_limits(data_dir: Path, tmp_path: Path, settings: Any) -> None:
    path = write_csv(tmp_path / "dtsen.csv", [person(i) for i in range(1, 6)])
    settings.SIGAP_IMPORT_MAX_ROWS = 4
    with pytest.raises(UserError, match=r"dtsen.csv: terlalu banyak baris: 5, maksimal 4 / too many rows"):
        snapshot_import(path=path, reference_date=REF)
    settings.SIGAP_IMPORT_MAX_FILE_BYTES = 1000
    with pytest.raises(UserError, match=r"berkas terlalu besar: 0,0\d MB, maksimal 0,01 MB / the file is"):
        snapshot_import(path=path, reference_date=REF)
    assert not list((data_dir / "snapshots").glob("*")) or not any((data_dir / "snapshots").iterdir())


def test_parquet_row_count_is_read_from_the_footer(data_dir: Path, tmp_path: Path, settings: Any) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [person(i) for i in range(1, 6)]
    pq.write_table(pa.table({c: [r[c] for r in rows] for c in SOURCE_COLUMNS}), tmp_path / "dtsen.parquet")
    settings.SIGAP_IMPORT_MAX_ROWS = 4
    with pytest.raises(UserError, match=r"dtsen.parquet: terlalu banyak baris: 5, maksimal 4"):
        snapshot_import(path=tmp_path / "dtsen.parquet", reference_date=REF)


# -- XLSX: bombs and huge sheets ------------------------------------------------------------------


def _never_opened(monkeypatch: Any) -> None:
    import openpyxl

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("openpyxl must not open a workbook over the limits")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {},
            r"bomb.xlsx: berkas XLSX tidak wajar: bagian xl/sharedStrings.xml dimampatkan 1\.\d{3}:1 .*zip bomb",
        ),
        (
            {"SIGAP_IMPORT_XLSX_MAX_RATIO": 10**6},
            r"bomb.xlsx: sebuah teks di xl/sharedStrings.xml lebih besar dari 0,25 MB",
        ),
        (
            {"SIGAP_IMPORT_XLSX_MAX_RATIO": 10**6, "SIGAP_IMPORT_XLSX_MAX_UNPACKED_BYTES": 4 * 1024**2},
            r"bomb.xlsx: isi berkas XLSX terlalu besar: 8 MB setelah diekstrak, maksimal 4 MB / the workbook unpacks",
        ),
    ],
    ids=["ratio", "cell-size", "unpacked-size"],
)
def test_xlsx_zip_bomb_is_refused_before_openpyxl_opens_it(
    data_dir: Path, tmp_path: Path, settings: Any, monkeypatch: Any, overrides: dict[str, int], message: str
) -> None:
    """Regression: a 1 MB upload with one 1 GiB shared string used 6 GB of memory (here: 8 MiB in ~8 KB)."""
    for name, value in overrides.items():
        setattr(settings, name, value)
    huge = "A" * (8 * 1024**2 - 64)
    path = write_xlsx(
        tmp_path / "bomb.xlsx",
        registry_rows([person(1), person(2)], shared={(1, "alamat"): 0}),
        shared=[huge],
    )
    assert path.stat().st_size < 64 * 1024
    _never_opened(monkeypatch)
    with pytest.raises(UserError, match=message):
        snapshot_import(path=path, reference_date=REF)
    assert not list((data_dir / "snapshots").glob(".tmp-*"))


def test_xlsx_cell_over_the_limit_is_named(
    data_dir: Path, tmp_path: Path, settings: Any, monkeypatch: Any
) -> None:
    settings.SIGAP_IMPORT_XLSX_MAX_CELL_BYTES = 64 * 1024
    path = write_xlsx(tmp_path / "sel.xlsx", registry_rows([person(1), person(2, alamat="B" * 100_000)]))
    _never_opened(monkeypatch)
    with pytest.raises(
        UserError, match=r"sel.xlsx: sel F3 lebih besar dari 0,06 MB / cell F3 is larger than 0.06 MB"
    ):
        snapshot_import(path=path, reference_date=REF)


def test_xlsx_with_too_many_rows_is_refused_before_openpyxl_opens_it(
    data_dir: Path, tmp_path: Path, settings: Any, monkeypatch: Any
) -> None:
    """Regression: a 3.7 MB workbook of 1.5 million rows took 171 s and 3.5 GB (here: limit 50)."""
    settings.SIGAP_IMPORT_XLSX_MAX_ROWS = 50
    path = write_xlsx(tmp_path / "banyak.xlsx", registry_rows([person(i) for i in range(1, 61)]))
    _never_opened(monkeypatch)
    with pytest.raises(
        UserError, match=r"banyak.xlsx \(xl/worksheets/sheet1.xml\): terlalu banyak baris: 61, maksimal 50"
    ):
        snapshot_import(path=path, reference_date=REF)


def test_xlsx_row_numbers_beyond_the_limit_stop_the_reading(
    data_dir: Path, tmp_path: Path, settings: Any
) -> None:
    settings.SIGAP_IMPORT_XLSX_MAX_ROWS = 50
    rows = registry_rows([person(1)]) + [row(1_000_000, [cell("A1000000", "x")])]
    with pytest.raises(UserError, match=r"lompat.xlsx: baris 51 melewati batas 50 baris / row 51 is beyond"):
        snapshot_import(path=write_xlsx(tmp_path / "lompat.xlsx", rows), reference_date=REF)


def test_xlsx_header_is_looked_for_in_the_first_rows_only(data_dir: Path, tmp_path: Path) -> None:
    rows = [row(1500, [cell("A1500", c) for c in SOURCE_COLUMNS])]
    with pytest.raises(
        UserError,
        match=r"jauh.xlsx: lembar pertama buku kerja kosong \(tidak ada nilai di 1.000 baris pertamanya",
    ):
        snapshot_import(path=write_xlsx(tmp_path / "jauh.xlsx", rows), reference_date=REF)


def test_xlsx_shared_long_text_and_a_far_right_cell(data_dir: Path, tmp_path: Path) -> None:
    """One long shared string in many rows is cut while reading (never copied to every row); a cell
    in the last column (XFD) does not widen the rows read."""
    people = [person(i) for i in range(1, 21)]
    rows = registry_rows(people, shared={(i, "alamat"): 0 for i in range(0, 20, 2)})
    rows = [r.replace("</row>", cell(f"XFD{n}", "jauh") + "</row>") for n, r in enumerate(rows, start=1)]
    path = write_xlsx(tmp_path / "lebar.xlsx", rows, shared=["C" * 5000])
    result = snapshot_import(path=path, reference_date=REF)
    assert (result.accepted, result.rejected) == (10, 10)
    lines = report(result)
    assert {line["column"] for line in lines} == {"alamat"} and len(lines) == 10
    assert lines[0]["reason"].startswith("terlalu panjang: 5.000 karakter, maksimal 300")
    assert lines[0]["value"] == "C" * 50 + "\u2026"


def test_quotes_in_the_middle_of_values_on_two_lines(data_dir: Path, tmp_path: Path) -> None:
    """Found by the property below: two quotes inside unquoted values on consecutive lines made the
    record-by-record reader join the lines and Python's csv module fail (line break in a value)."""
    text = csv_text([person(i) for i in range(1, 6)])
    lines = text.splitlines(keepends=True)
    lines[2] = lines[2].replace("JL. MAWAR", 'JL. MA"WAR')
    lines[3] = lines[3].replace("JL. MAWAR", 'JL. MA"WAR')
    path = tmp_path / "kutip.csv"
    path.write_text(_with_malformed_row("".join(lines)), encoding="utf-8")
    result = snapshot_import(path=path, reference_date=REF)
    assert (result.rows, result.accepted) == (6, 3)
    assert [(r, c) for r, c, _ in where(report(result))] == [("3", "(row)"), ("4", "(row)"), ("7", "(row)")]


# -- property: any CSV file -----------------------------------------------------------------------

ENCODINGS = ("utf-8", "utf-8-sig", "latin-1", "cp1252")
_PLAIN = "abcXYZ019 .,-/'é"
_HOSTILE = "\"|;,\t\r\n'=\\\x01ñÀ"


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, str]:
    encoding = draw(st.sampled_from(ENCODINGS))
    extra = "…ß雪" if encoding.startswith("utf-8") else "ÿ×"
    text = st.text(alphabet=_PLAIN + _HOSTILE + extra, max_size=30)
    sizes = st.sampled_from([0, 1, 101, 301, 5000, 70 * 1024, 140 * 1024])
    delimiter = draw(st.sampled_from([",", ";", "|", "\t"]))
    header = list(SOURCE_COLUMNS) if draw(st.integers(0, 4)) else draw(st.lists(text, min_size=1, max_size=5))
    rows = []
    for i in range(draw(st.integers(0, 5))):
        values = [str(person(i + 1).get(c, "")) for c in SOURCE_COLUMNS]
        for _ in range(draw(st.integers(0, 3))):
            at = draw(st.integers(0, len(values) - 1))
            values[at] = draw(text) if draw(st.booleans()) else draw(st.sampled_from('AZé"|')) * draw(sizes)
        rows.append(values[: draw(st.integers(1, len(values) + 2))] + draw(st.lists(text, max_size=2)))
    quoting = draw(st.sampled_from(["minimal", "all", "none"]))
    terminator = draw(st.sampled_from(["\n", "\r\n"]))
    if quoting == "none":  # written by hand: delimiters and quotes inside values break the rows
        body = terminator.join(delimiter.join(r) for r in [header, *rows]) + terminator
    else:
        import io

        out = io.StringIO()
        style = csv.QUOTE_ALL if quoting == "all" else csv.QUOTE_MINIMAL
        writer = csv.writer(out, delimiter=delimiter, quoting=style, lineterminator=terminator)
        writer.writerows([header, *rows])
        body = out.getvalue()
    return body.encode(encoding, errors="replace"), encoding


@hsettings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(generated=csv_files())
def test_any_csv_imports_with_a_report_or_is_refused_with_a_user_error(
    data_dir: Path, tmp_path: Path, settings: Any, generated: tuple[bytes, str]
) -> None:
    content, encoding = generated
    settings.SIGAP_IMPORT_MAX_LINE_BYTES = 128 * 1024  # small: fields both below and above it
    path = tmp_path / f"acak-{encoding}.csv"
    path.write_bytes(content)
    try:
        result = snapshot_import(path=path, reference_date=REF)
    except UserError as e:
        assert e.message and "Traceback" not in e.message
        event("refused: " + e.message.split(": ", 1)[-1][:40])
        return
    event("imported, read record by record" if result.snapshot.stats.get("repaired") else "imported")
    assert result.rows == result.accepted + result.rejected
    assert result.report_path is not None and result.report_path.is_file()
    for line in report(result):
        assert line["row"].isdigit() and line["column"] and line["reason"]
        assert len(line["value"]) <= 300 + 1
