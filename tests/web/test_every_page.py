"""Every screen reads like the Dinas' own work: each page and export of the URLconf, rendered in
Bahasa Indonesia as every role that may open it, shows no raw identifier (``per_decision``,
``usulan.submit``, ``not_working``) and no English sentence; the same pages in English show English
headings.  The PDFs (annex, invoice, claim letter) and the XLSX headers are checked too.

The data: the web ``world`` approved, sent to BPJS TK and answered, a year of premiums invoiced and
paid, an imported registry extract with rejected rows, a draft run started from the screens, an
incident with its claim, usulan in every state, a grievance answered, a role request waiting and an
exits preview with findings.  A check names the URL, the role and the offending words.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from programmes.helpers import person, write_people
from web.conftest import KEL_A, KEL_B, NIK_A, NIK_B, World, approve

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

TODAY = dt.date(2026, 11, 20)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WIB = dt.timezone(dt.timedelta(hours=7))

#: The order roles are tried in; every role that may open a page renders it.
ROLES = (
    "admin_dinas",
    "kepala_dinas",
    "pimpinan",
    "auditor",
    "operator_kecamatan",
    "operator_kelurahan",
    "superuser",
)

#: Not officers' screens: Django's admin (its own translations), the machine API (JSON, English
#: field names by contract; its docs page is for developers), the language switch, logout (POST).
SKIPPED_PREFIXES = ("/admin/", "/api/", "/i18n/", "/keluar/", "/favicon.ico")
#: Files in another system's layout: the accepted requests for the DTSEN update keep the DTSEN
#: extract's column names (the registry reads them back).
MACHINE_LAYOUTS = ("/usulan/diterima/unduh.",)

# --------------------------------------------------------------------------- what must not show

#: snake_case identifiers (``per_decision``, ``not_working``) and dotted action names
#: (``usulan.submit``); file names (``daftar.pdf``) and web addresses are fine.
SNAKE = re.compile(r"(?<![\w/.-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/-])")
DOTTED = re.compile(r"(?<![\w/.-])[a-z][a-z_]+(?:\.[a-z_]+)+(?![\w/-])")
ISO_DATE = re.compile(r"(?<![\w/-])\d{4}-\d{2}-\d{2}(?![\w/-])")
FILE_SUFFIXES = (".pdf", ".csv", ".xlsx", ".toml", ".parquet", ".json", ".png", ".jpg", ".jpeg", ".svg")

#: English words that do not belong on an Indonesian page (whole words, any case but ALL CAPS, which
#: is how names and places are written in the registry).
ENGLISH = frozenset(
    """
    the and of is are was were be been not for in on at by to or with from this that these those must cannot can could
    should would will already only than into onto about after before between outside inside without
    approved submitted returned rejected accepted enrolled pending draft drafts run runs error errors
    invalid missing required found unknown none true false yes
    member members invoice invoices payment payments claim claims incident amount month months year
    people person selected eligible waiting ineligible cost costs decision decisions exit exits reason
    reasons download upload file files page next previous search name date age domicile roster
    occupation working moved died aged see use used there their they you your please
    refused refuse nothing something every each other another same new old more less over under per_
    """.split()
)

#: Words of Bahasa Indonesia that say a heading rendered in English is still Indonesian.
INDONESIAN = frozenset(
    """
    dan yang untuk dari dengan atau pada ke di peserta penetapan sasaran daftar tagihan pembayaran
    pengaduan usulan kejadian klaim keluar pengganti realisasi anggaran persetujuan cari penduduk kelola
    impor pengguna peran proses latar batas waktu cek beranda berkas unduh riwayat catatan halaman
    perubahan definisi program baru iuran keuangan lampiran diterima
    """.split()
)


class _Text(HTMLParser):
    """The text a person sees: text nodes outside script/style, and labels read out or shown on
    hover (aria-label, title, placeholder, alt)."""

    SKIP = {"script", "style", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.h1: list[str] = []
        self.title: list[str] = []
        self._skip = 0
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        if tag not in ("br", "img", "input", "meta", "link", "hr", "wbr"):
            self._stack.append(tag)
        for name, value in attrs:
            if name in ("aria-label", "title", "placeholder", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip -= 1
        while self._stack:
            if self._stack.pop() == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._skip or ("code" in self._stack and data.strip().startswith("sigap ")):
            return  # a command line for the server administrator (``sigap manage ...``) is not prose
        self.parts.append(data)
        if "h1" in self._stack:
            self.h1.append(data)
        if "title" in self._stack:
            self.title.append(data)


def visible_text(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def problems(text: str, data: frozenset[str], *, dates: bool = True) -> list[str]:
    """Raw identifiers and English words in ``text`` once the data values (names, NIKs, user names,
    file names) are taken out, each with a little of the text around it."""
    for value in sorted(data, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", text)
    text = " ".join(text.split())

    def shown(match: re.Match[str]) -> str:
        return f"{match.group(0)!r} in «{text[max(0, match.start() - 30) : match.end() + 30]}»"

    found = []
    for match in (*SNAKE.finditer(text), *DOTTED.finditer(text)):
        if not match.group(0).endswith(FILE_SUFFIXES):
            found.append(shown(match))
    if dates:  # a date for people reads "5 Desember 2026", never 2026-12-05
        for match in ISO_DATE.finditer(text):
            found.append(shown(match))
    for match in re.finditer(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z']*(?![A-Za-z0-9])", text):
        word = match.group(0)
        if word.lower() in ENGLISH and not word.isupper():
            found.append(shown(match))
    return found


# --------------------------------------------------------------------------- the URLconf, walked


def patterns(resolvers: list[Any] | None = None, prefix: str = "", ns: str = "") -> Iterator[tuple[str, str]]:
    """``(route with <converters>, namespace)`` of every URL pattern."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            space = f"{ns}:{entry.namespace}" if entry.namespace else ns
            yield from patterns(entry.url_patterns, route, space.strip(":"))
        elif isinstance(entry, URLPattern):
            yield "/" + route.lstrip("^").rstrip("$"), ns


PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


def expand(route: str, values: dict[str, list[str]]) -> list[str]:
    """Every URL the route gives with the candidate values of its parameters."""
    urls = [route]
    for match in PARAM.finditer(route):
        name = match.group("name")
        urls = [u.replace(match.group(0), v, 1) for u in urls for v in values.get(name, [])]
    return urls


# --------------------------------------------------------------------------- the data


@dataclass
class Full:
    world: World
    values: dict[str, dict[str, list[str]]]  # namespace -> parameter -> candidates
    data: frozenset[str]
    post_pages: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)  # url, role, form
    get_pages: list[tuple[str, str]] = field(default_factory=list)  # url with a query, role


def _registry_csv(path: Path) -> Path:
    """A small DTSEN extract: two good rows and rows refused for a NIK in scientific notation and an
    unknown kelurahan (rejection reasons the snapshot page shows)."""
    from sigap.core.nik import make_nik
    from sigap.core.schema import SOURCE_COLUMNS

    def row(serial: int, **overrides: str) -> dict[str, str]:
        born = dt.date(1990, 7, 5)
        values = {
            "iddtks": f"ID{serial:05d}",
            "provinsi": "32",
            "kabupaten_kota": "3275",
            "kecamatan": KEL_A[:6],
            "desa_kelurahan": KEL_A,
            "alamat": "JL. MAWAR NO. 1",
            "rt": "001",
            "rw": "002",
            "nomor_kk": f"3275010101{serial:06d}",
            "nomor_nik": make_nik(KEL_A[:6], born, "L", serial),
            "nama": f"WARGA {serial}",
            "tanggal_lahir": born.isoformat(),
            "tempat_lahir": "BEKASI",
            "jenis_kelamin": "L",
            "nama_ibu_kandung": "IBU",
            "hubungan_keluarga": "KEPALA KELUARGA",
            "desil": "2",
            "pekerjaan": "PELAJAR/MAHASISWA" if serial == 2 else "PEDAGANG",
        }
        values.update(overrides)
        return values

    rows = [row(1), row(2), row(3, nomor_nik="3.27501E+15"), row(4, desa_kelurahan="9999999999")]
    out = io.StringIO()
    writer = csv.writer(out, delimiter="|", lineterminator="\n")
    writer.writerow(SOURCE_COLUMNS)
    for r in rows:
        writer.writerow([r.get(c, "") for c in SOURCE_COLUMNS])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _quiet_requests() -> Iterator[None]:
    """Hundreds of 403/404/405 answers are expected here: keep them out of the log."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture
def full(world: World, data_dir: Path, tmp_path: Path, clock: Any, settings: Any) -> Full:
    from sigap.accounts import roles
    from sigap.accounts.actions import user_create
    from sigap.billing.actions import payment_record
    from sigap.billing.models import Invoice, Payment
    from sigap.claims import actions as claims
    from sigap.core.schema import SOURCE_COLUMNS, SOURCE_ROSTER_COLUMNS
    from sigap.enrolment.actions import batch_export, response_import
    from sigap.enrolment.models import Member
    from sigap.jobs.actions import job_start
    from sigap.jobs.models import Job
    from sigap.pengaduan import actions as grievances
    from sigap.registry.actions import snapshot_import
    from sigap.status.actions import status_refresh
    from sigap.usulan import actions as usulan
    from sigap.usulan.files import Upload

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    users = world.users
    admin = users[roles.ADMIN_DINAS]
    clock(dt.date(2025, 12, 1))
    # a draft run started from the screens (a background job; immediate here), before the list is
    # approved (a second initial list is refused once one is in force)
    job = job_start(
        kind=Job.TARGETING_RUN,
        params={"programme": world.programme.pk, "snapshot": world.run.snapshot_id, "roster": None},
        acting_user=admin,
    )
    approve(world)
    batch = batch_export(programme=world.programme, acting_user=admin, today=dt.date(2025, 12, 10))
    answer = tmp_path / "jawaban.csv"
    answer.write_text(
        "NIK;KPJ;STATUS;ALASAN;TANGGAL_EFEKTIF\n"
        f"{NIK_A};26000000001;DITERIMA;;2026-01-05\n{NIK_B};26000000002;DITERIMA;;2026-01-05\n",
        encoding="utf-8",
    )
    clock(dt.date(2026, 1, 20))
    response_import(batch=batch, path=answer, acting_user=admin, today=dt.date(2026, 1, 20))
    payment_record(
        programme=world.programme,
        sp2d_number="SP2D/2026/0001",
        sp2d_date=dt.date(2026, 1, 10),
        amount=12 * 2 * 16_800,
        months=12,
        exact=True,
        acting_user=admin,
    )
    clock(TODAY)
    imported = snapshot_import(
        path=_registry_csv(tmp_path / "dtsen-bekasi.csv"),
        reference_date=dt.date(2026, 11, 1),
        acting_user=admin,
    ).snapshot
    # a segment list the city already funds (one row rejected) and its estimate (ADR 0020)
    from sigap.coverage.actions import reference_set, segment_import

    segment_csv = tmp_path / "segmen-rtrw.csv"
    segment_csv.write_text(
        "NIK,Nama,Segmen,Kelurahan\n3275014505800077,AHMAD FAUZI,RT/RW,3275011001\n123,BUDI,RT/RW,3275011001\n",
        encoding="utf-8",
    )
    segment_list = segment_import(
        path=segment_csv,
        code="RTRW-2026",
        fiscal_year=2026,
        region="3275",
        name="RT/RW 2026",
        acting_user=admin,
    ).segment_list
    reference_set(region="3275", year=2026, estimate=200_000, source="DPRD Kota Bekasi", acting_user=admin)
    # an upload with the Dinsos' own column names, waiting in the column-mapping step, and a profile
    from sigap.jobs.importflow import pending_add
    from sigap.jobs.kinds import UPLOAD_DIR
    from sigap.registry.actions import mapping_profile_save

    theirs = {
        "nomor_nik": "NIK KTP",
        "nama": "Nama Lengkap",
        "tanggal_lahir": "Tgl Lahir",
        "desil": "Desil Nasional",
    }
    waiting = tmp_path / "upload" / "dtsen-dinsos.csv"
    waiting.parent.mkdir()
    _registry_csv(waiting)
    head, _nl, rest = waiting.read_text(encoding="utf-8").partition("\n")
    header = [theirs.get(c, c) for c in head.split("|")]
    folder = Path(settings.DATA_DIR) / UPLOAD_DIR / ("a" * 32)
    folder.mkdir(parents=True)
    (folder / waiting.name).write_text("|".join(header) + "\n" + rest, encoding="utf-8")
    pending = pending_add(upload=f"{UPLOAD_DIR}/{'a' * 32}/{waiting.name}", kind="registry",
                          reference_date="2026-11-01", name=waiting.name, user=admin)  # fmt: skip
    mapping_profile_save(name="DTSEN Dinsos 2026", kind="registry", mapping={"columns": theirs}, header=header,
                         acting_user=admin)  # fmt: skip
    job.refresh_from_db()
    assert job.result is not None, (job.state, job.error)
    draft = job.result["run"]
    member_a = Member.objects.get(programme=world.programme, nik=NIK_A)
    claim = claims.incident_register(
        member=member_a,
        kind="work_accident",
        date=dt.date(2026, 3, 10),
        place="Jl. Ahmad Yani",
        today=TODAY,
        acting_user=users[roles.OPERATOR_KELURAHAN],
    ).claims.get()
    document = claim.documents.order_by("id").first()
    claims.claim_document_attach(
        document=document,
        upload=SimpleUploadedFile("ktp.pdf", PDF, content_type="application/pdf"),
        today=TODAY,
        acting_user=users[roles.OPERATOR_KELURAHAN],
    )
    operator = users[roles.OPERATOR_KELURAHAN]
    filed = usulan.usulan_submit(
        kind="desil",
        kode_kelurahan=KEL_A,
        nik=NIK_A,
        proposed={"desil": 3},
        uploads=[Upload(name="surat-keterangan.pdf", data=PDF)],
        acting_user=operator,
    )
    moved = usulan.usulan_submit(
        kind="pindah",
        kode_kelurahan=KEL_A,
        nik="3275010202800003",
        proposed={"kode_kelurahan_baru": KEL_B},
        acting_user=operator,
    )
    usulan.usulan_verify(request=moved, acting_user=users[roles.OPERATOR_KECAMATAN])
    usulan.usulan_accept(request=moved, acting_user=admin)
    refused = usulan.usulan_submit(
        kind="pekerjaan",
        kode_kelurahan=KEL_A,
        nik="3275010303800004",
        proposed={"pekerjaan": "SOPIR"},
        acting_user=operator,
    )
    usulan.usulan_reject(request=refused, reason="Dokumen tidak terbaca", acting_user=admin)
    now = dt.datetime(2026, 11, 16, 9, 0, tzinfo=WIB)
    grievance = grievances.grievance_file(
        channel="operator",
        category="sanggahan",
        text="Warga keberatan: tidak terpilih padahal desil 1.",
        kode_kelurahan=KEL_A,
        nik=NIK_A,
        contact_phone="0812-3456-7890",
        now=now,
        acting_user=operator,
    )
    grievances.grievance_assign(grievance=grievance, assignee=admin, acting_user=admin)
    grievances.grievance_answer(
        grievance=grievance,
        answer="Desil tercatat 7; silakan ajukan usulan data.",
        now=now,
        acting_user=admin,
    )
    # a role request waiting for a second Admin Dinas
    user_create(
        username="calon.kadis", password="sandi-rahasia-1", role=roles.KEPALA_DINAS, area_code="3275",
        acting_user=admin,
    )  # fmt: skip
    # a newer registry extract in which member B has died: the exits preview has a finding
    write_people(
        data_dir,
        [
            person(  # past the age limit of the programme (60) by now
                NIK_A,
                nama="SITI AMINAH",
                jenis_kelamin="P",
                kode_kelurahan=KEL_A,
                tanggal_lahir=dt.date(1950, 1, 1),
            ),
            person(NIK_B, nama="BUDI SANTOSO", kode_kelurahan=KEL_B, meninggal=True),
        ],
    )
    status_refresh(programme=world.programme, on=TODAY, acting_user=admin)  # the leaders' figures
    invoice = Invoice.objects.filter(programme=world.programme).order_by("month").first()
    assert invoice is not None
    run_ids = [str(r.pk) for r in world.programme.runs.all()]
    values = {
        "": {
            "run_id": run_ids,
            "name": sorted({n for r in world.programme.runs.all() for n in (r.exports or {})}),
            "fmt": ["pdf", "xlsx"],
            "nik": [NIK_A],
            "programme_id": [str(world.programme.pk)],
            "member_id": [str(member_a.pk)],
            "batch_id": [str(batch.pk)],
            "kind": ["csv", "xlsx"],
            "invoice_id": [str(invoice.pk)],
        },
        "web:claims": {
            "member_id": [str(member_a.pk)],
            "claim_id": [str(claim.pk)],
            "document_id": [str(document.pk)],
            "scholarship_id": ["1"],  # a POST-only decision: 405 before any look-up
        },
        "web:usulan": {
            "number": [filed.number, moved.number, refused.number],
            "fmt": ["csv", "xlsx"],
            "attachment_id": [str(a.pk) for a in filed.attachments.all()],
        },
        "web:pengaduan": {"number": [grievance.number]},
        "coverage": {"list_id": [str(segment_list.pk)], "fmt": ["csv", "xlsx"]},
        "ops": {
            "job_id": [str(job.pk)],
            "snapshot_id": [str(imported.pk)],
            "fmt": ["csv", "xlsx"],
            "programme_id": [str(world.programme.pk)],
            "user_id": [str(admin.pk)],  # POST-only
            "active": ["1"],
            "grant_id": ["1"],  # POST-only
            "decision": ["konfirmasi"],
            "token": [pending.token],
        },
    }
    names = {"SITI AMINAH", "BUDI SANTOSO", "SITI RAHAYU", "AHMAD KAYA", "Jl. Ahmad Yani"}
    data = frozenset(
        # the column names of the registry and roster files an officer imports (the DTSEN layout)
        set(SOURCE_COLUMNS)
        | set(SOURCE_ROSTER_COLUMNS)
        | {u.get_username() for u in users.values()}
        | {"calon.kadis", "root", "tanpa.peran", imported.source_name, "t.toml"}
        | set(header)
        | {pending.name, "1990-07-05"}  # the waiting upload's own cells, shown as the file holds them
        | {segment_csv.name, "AHMAD FAUZI", "BUDI", "123"}  # the segment list's own cells
        | names
        | {p.sp2d_number for p in Payment.objects.all()}
    )
    # a long audit log written by a job for the auditor who asked (ADR 0024): its page and its file
    export_job = job_start(
        kind=Job.LIST_EXPORT,
        params={
            "export": "audit",
            "fmt": "xlsx",
            "query": "",
            "filename": "log-audit.xlsx",
            "back": "/audit/",
        },
        acting_user=users[roles.AUDITOR],
    )
    values["web"] = {"job_id": [str(export_job.pk)]}
    full = Full(world=world, values=values, data=data)
    # exports chosen by a query parameter on a page's own URL
    full.get_pages = [
        (f"/keuangan/tagihan/{invoice.pk}/?format=pdf", "admin_dinas"),
        (f"/keuangan/tagihan/{invoice.pk}/?format=xlsx", "admin_dinas"),
        (f"/keuangan/{world.programme.pk}/tagihan/?format=xlsx", "admin_dinas"),
        (f"/keuangan/{world.programme.pk}/pembayaran/?format=xlsx", "admin_dinas"),
        (f"/keuangan/{world.programme.pk}/batch/?format=xlsx", "admin_dinas"),
        (f"/klaim/{claim.pk}/surat.pdf?untuk=keluarga", "operator_kelurahan"),
    ]
    pk = world.programme.pk
    full.post_pages += [
        (f"/keuangan/{pk}/keluar/", "admin_dinas", {"action": "preview", "on": TODAY.isoformat()}),
        # refusals, shown as the officer sees them: nobody left to send, a month invoiced twice, an
        # SP2D number recorded twice, a draft approved before it was submitted
        (f"/keuangan/{pk}/batch/", "admin_dinas", {"coverage_start": "2026-12"}),
        (f"/keuangan/{pk}/tagihan/", "admin_dinas", {"action": "issue", "month": "2026-01"}),
        (
            f"/keuangan/{pk}/pembayaran/",
            "admin_dinas",
            {
                "action": "record",
                "sp2d_number": "SP2D/2026/0001",
                "sp2d_date": "2026-02-01",
                "amount": "16800",
            },
        ),
        (f"/persetujuan/{draft}/setujui/", "superuser", {}),
        # a citizen files a grievance: the page after it is the ticket
        (
            "/pengaduan/warga/",
            "operator_kelurahan",
            {
                "action": "file",
                "category": "layanan",
                "kode_kelurahan": KEL_A,
                "contact_phone": "081234567899",
                "text": "Antrean di kantor kelurahan terlalu lama.",
            },
        ),  # fmt: skip
        # the column-mapping step's preview: a required column left out, a desil read from the names
        (
            f"/kelola/impor/pemetaan/{pending.token}/",
            "admin_dinas",
            {
                "action": "mapping-refused",
                "preview": "1",
                **{f"col_{c}": h for c, h in zip(head.split("|"), header, strict=True)},
                "col_nomor_nik": "",
                "col_desil": "Nama Lengkap",
                "col_nama": "Desil Nasional",
            },
        ),  # fmt: skip
        (
            f"/kelola/impor/pemetaan/{pending.token}/",
            "admin_dinas",
            {
                "action": "preview",
                "preview": "1",
                **{f"col_{c}": h for c, h in zip(head.split("|"), header, strict=True)},
                "col_desil": "Nama Lengkap",
                "col_nama": "Desil Nasional",
            },
        ),  # fmt: skip
    ]
    return full


# --------------------------------------------------------------------------- rendering


@dataclass
class Page:
    url: str
    role: str
    content_type: str
    body: bytes


def _client(full: Full, role: str, language: str = "id") -> Client:
    client = Client()
    client.force_login(full.world.users[role])
    client.cookies["django_language"] = language
    return client


def render_all(full: Full, *, only_html: bool = False) -> tuple[list[Page], list[str]]:
    """Every GET-able page as every role that may open it; the routes no role could open."""
    pages: list[Page] = []
    unopened: list[str] = []
    clients = {role: _client(full, role) for role in ROLES}
    anonymous = Client()
    for route, ns in patterns():
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if only_html and re.search(r"\.(?:xlsx|csv|pdf|geojson|<str:fmt>)/?$|/unduh/|/berkas/|/surat", route):
            continue
        urls = expand(
            route,
            full.values.get(ns, {})
            | {k: v for k, v in full.values[""].items() if k not in full.values.get(ns, {})},
        )
        opened = False
        for url in urls:
            for role in ROLES:
                response = clients[role].get(url)
                if response.status_code == 405:  # a POST-only action
                    opened = True
                    break
                if response.status_code != 200:
                    continue
                opened = True
                body = b"".join(response.streaming_content) if response.streaming else response.content
                pages.append(Page(url, role, response.get("Content-Type", ""), body))
            response = anonymous.get(url)
            if response.status_code == 200:
                opened = True
                pages.append(Page(url, "anonymous", response.get("Content-Type", ""), response.content))
        if not opened:
            unopened.append(route)
    for url, role in full.get_pages:
        response = _client(full, role).get(url)
        assert response.status_code == 200, (url, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        pages.append(Page(url, role, response.get("Content-Type", ""), body))
    landed: set[str] = set()  # pages only a form leads to (the ticket after filing a grievance)
    for url, role, form in full.post_pages:
        client = _client(full, role)
        response = client.post(url, form, follow=True)
        assert response.status_code in (200, 400), (url, response.status_code)
        if response.redirect_chain:
            landed.add(response.redirect_chain[-1][0].partition("?")[0])
        pages.append(
            Page(url + " (POST " + form.get("action", "") + ")", role, "text/html", response.content)
        )
    return pages, [route for route in unopened if route not in landed]


def page_problems(page: Page, data: frozenset[str]) -> list[str]:
    kind = page.content_type
    if page.url.startswith(MACHINE_LAYOUTS):
        return []
    if page.body == PDF:
        return []  # the scan an officer uploaded, served back as it came
    if kind.startswith("text/html"):
        return problems(" ".join(visible_text(page.body.decode()).parts), data)
    if kind == "application/pdf":
        from pypdf import PdfReader

        text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(page.body)).pages)
        return problems(text, data)
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(page.body), read_only=True)
        found = []
        for sheet in book.worksheets:
            found += problems(sheet.title, data)
            for row in sheet.iter_rows(min_row=1, max_row=1, values_only=True):
                found += problems(" ".join(str(v) for v in row if v is not None), data)
        return found
    return []  # CSV for BPJS TK and the registry, GeoJSON: machine layouts by contract


def test_every_page_and_export_reads_in_bahasa_indonesia(full: Full) -> None:
    pages, unopened = render_all(full)
    report = {route: ["no role could open this page"] for route in unopened}
    for page in pages:
        found = page_problems(page, full.data)
        if found:
            report[f"{page.url} [{page.role}]"] = sorted(set(found))
    assert not report, "\n".join(f"{where}: {words}" for where, words in sorted(report.items()))


def test_every_page_in_english_has_english_headings(full: Full) -> None:
    """The same pages in English: the main heading and the title are translated (an untranslated
    template string shows here as Bahasa Indonesia)."""
    pages, _unopened = render_all(full, only_html=True)
    seen: set[str] = set()
    report = {}
    for page in pages:
        if page.url in seen or not page.content_type.startswith("text/html"):
            continue
        seen.add(page.url)
        client = _client(full, page.role) if page.role != "anonymous" else Client()
        client.cookies["django_language"] = "en"
        url = page.url.partition(" (POST")[0]
        if "(POST" in page.url:
            form = next(f for u, r, f in full.post_pages if u == url)
            response = client.post(url, form, follow=True)
        else:
            response = client.get(url)
        text = visible_text(response.content.decode())
        heading = " ".join(" ".join(text.h1).split())
        title = " ".join(" ".join(text.title).split())
        for value in sorted(full.data, key=len, reverse=True):
            heading = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", heading)
        words = {w.lower() for w in re.findall(r"[A-Za-z]+", f"{heading} {title}") if not w.isupper()}
        if words & INDONESIAN or not heading:
            report[f"{page.url} [{page.role}]"] = f"h1={heading!r} title={title!r}"
    assert not report, "\n".join(f"{where}: {what}" for where, what in sorted(report.items()))
