"""Audit rows in sentences: who did what to whom, the one wording of every screen.

``ACTIONS`` holds, for every action an audit row records, a verb phrase with ``%(what)s`` where the
object goes (``mengajukan %(what)s``) and the noun for its usual object; ``OBJECTS`` names each kind
of object (``penetapan sasaran``) and how one is written and linked (``penetapan sasaran #4
SIGAP-2026``).  :func:`describe` turns audit rows into :class:`Line` objects: the audit log, the
usulan and grievance histories and the audit Excel all read from it, so an action reads the same
everywhere: "Budi (Admin Dinas) mengajukan penetapan sasaran #4 SIGAP-2026".

The action codes stay in the database, the CSV export and the filters' values (machine-readable).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Act:
    """An action: its verb phrase (``%(what)s`` = the object) and the noun of its usual object."""

    phrase: Any
    what: Any = ""
    #: How the row's note reads under the sentence: "" not shown (technical), "words" a person's own
    #: words (a reason, an answer), "nik" a NIK looked at, "query" what was searched for.
    note: str = ""


ACTIONS: dict[str, Act] = {
    # targeting runs and their approval
    "targeting.run": Act(gettext_lazy("menjalankan %(what)s"), gettext_lazy("penetapan sasaran")),
    "targeting.export": Act(
        gettext_lazy("menulis berkas unduhan %(what)s"), gettext_lazy("penetapan sasaran")
    ),
    "run.roster_review": Act(
        gettext_lazy("memeriksa calon yang mungkin sudah terdaftar di BPJS TK pada %(what)s"),
        gettext_lazy("penetapan sasaran"),
    ),
    "run.submit": Act(gettext_lazy("mengajukan %(what)s"), gettext_lazy("penetapan sasaran")),
    "run.approve": Act(gettext_lazy("menyetujui %(what)s"), gettext_lazy("penetapan sasaran")),
    "run.return": Act(
        gettext_lazy("mengembalikan %(what)s kepada pengaju"), gettext_lazy("penetapan sasaran"), "words"
    ),
    "run.enrolled": Act(
        gettext_lazy("menandai %(what)s sudah terdaftar seluruhnya di BPJS TK"),
        gettext_lazy("penetapan sasaran"),
    ),
    "export.download": Act(gettext_lazy("mengunduh berkas %(what)s"), gettext_lazy("penetapan sasaran")),
    "annex.export": Act(
        gettext_lazy("membuat lampiran keputusan %(what)s"), gettext_lazy("penetapan sasaran")
    ),
    "annex.download": Act(
        gettext_lazy("mengunduh lampiran keputusan %(what)s"), gettext_lazy("penetapan sasaran")
    ),
    "replacement.run": Act(
        gettext_lazy("membuat %(what)s sebagai pengganti"), gettext_lazy("penetapan sasaran")
    ),
    "renewal.carry_over": Act(
        gettext_lazy("meneruskan peserta lama ke %(what)s"), gettext_lazy("penetapan sasaran")
    ),
    # programmes
    "programme.apply": Act(gettext_lazy("menyimpan definisi %(what)s"), gettext_lazy("program")),
    "programme.close": Act(gettext_lazy("menutup %(what)s di akhir tahun anggaran"), gettext_lazy("program")),
    "programme.renew": Act(gettext_lazy("membuat %(what)s sebagai perpanjangan"), gettext_lazy("program")),
    "status.refresh": Act(
        gettext_lazy("memperbarui angka beranda dan cek status %(what)s"), gettext_lazy("program")
    ),
    "dashboard.export": Act(gettext_lazy("mengunduh angka beranda %(what)s"), gettext_lazy("program")),
    "billing.lapse_check": Act(gettext_lazy("memeriksa iuran tertunggak %(what)s"), gettext_lazy("program")),
    "exits.preview": Act(gettext_lazy("melihat pratinjau peserta keluar %(what)s"), gettext_lazy("program")),
    "exits.detect": Act(
        gettext_lazy("mencatat peserta keluar %(what)s menurut data terbaru"), gettext_lazy("program")
    ),
    "reinstatement.record": Act(
        gettext_lazy("mencatat pemulihan kepesertaan di %(what)s"), gettext_lazy("program"), "words"
    ),
    # members
    "member.list": Act(gettext_lazy("membuka daftar peserta %(what)s"), gettext_lazy("program")),
    "member.export": Act(gettext_lazy("mengunduh daftar peserta %(what)s"), gettext_lazy("program")),
    "member.view": Act(gettext_lazy("membuka data %(what)s"), gettext_lazy("peserta"), "nik"),
    "member.exit": Act(gettext_lazy("mencatat %(what)s keluar"), gettext_lazy("peserta"), "words"),
    "member.reinstate": Act(
        gettext_lazy("memulihkan kepesertaan %(what)s"), gettext_lazy("peserta"), "words"
    ),
    "member.reselect": Act(gettext_lazy("memilih kembali %(what)s"), gettext_lazy("peserta"), "words"),
    # enrolment batches
    "batch.export": Act(gettext_lazy("mengirim %(what)s ke BPJS TK"), gettext_lazy("batch pendaftaran")),
    "batch.pull": Act(gettext_lazy("mengambil %(what)s melalui API"), gettext_lazy("batch pendaftaran")),
    "batch.response": Act(
        gettext_lazy("mengimpor jawaban BPJS TK untuk %(what)s"), gettext_lazy("batch pendaftaran")
    ),
    "batch.view": Act(gettext_lazy("membuka %(what)s"), gettext_lazy("batch pendaftaran")),
    "batch.download": Act(gettext_lazy("mengunduh berkas %(what)s"), gettext_lazy("batch pendaftaran")),
    "batch.list_export": Act(gettext_lazy("mengunduh daftar batch %(what)s"), gettext_lazy("program")),
    # invoices and payments
    "invoice.issue": Act(gettext_lazy("menerbitkan %(what)s"), gettext_lazy("tagihan")),
    "invoice.reconcile": Act(gettext_lazy("merekonsiliasi %(what)s"), gettext_lazy("tagihan")),
    "invoice.line_reverse": Act(
        gettext_lazy("membatalkan satu baris %(what)s"), gettext_lazy("tagihan"), "words"
    ),
    "invoice.state": Act(gettext_lazy("mengubah status %(what)s"), gettext_lazy("tagihan")),
    "invoice.view": Act(gettext_lazy("membuka %(what)s"), gettext_lazy("tagihan")),
    "invoice.pdf": Act(gettext_lazy("mengunduh PDF %(what)s"), gettext_lazy("tagihan")),
    "invoice.export": Act(gettext_lazy("mengunduh rincian %(what)s"), gettext_lazy("tagihan")),
    "invoice.list_export": Act(gettext_lazy("mengunduh daftar tagihan %(what)s"), gettext_lazy("program")),
    "payment.record": Act(gettext_lazy("mencatat %(what)s"), gettext_lazy("pembayaran")),
    "payment.reverse": Act(gettext_lazy("membatalkan %(what)s"), gettext_lazy("pembayaran"), "words"),
    "payment.list_export": Act(gettext_lazy("mengunduh daftar pembayaran %(what)s"), gettext_lazy("program")),
    # incidents and claims
    "incident.register": Act(gettext_lazy("mencatat %(what)s"), gettext_lazy("kejadian")),
    "claim.open": Act(gettext_lazy("membuat %(what)s"), gettext_lazy("klaim")),
    "claim.document": Act(gettext_lazy("memperbarui kelengkapan dokumen %(what)s"), gettext_lazy("klaim")),
    "claim.attach": Act(gettext_lazy("mengunggah dokumen untuk %(what)s"), gettext_lazy("klaim")),
    "claim.submit": Act(gettext_lazy("mengajukan %(what)s ke BPJS TK"), gettext_lazy("klaim")),
    "claim.pay": Act(gettext_lazy("mencatat pembayaran %(what)s"), gettext_lazy("klaim")),
    "claim.reject": Act(gettext_lazy("mencatat penolakan %(what)s"), gettext_lazy("klaim"), "words"),
    "claim.list": Act(gettext_lazy("membuka daftar klaim")),
    "claim.export": Act(gettext_lazy("mengunduh daftar klaim")),
    "claim.view": Act(gettext_lazy("membuka %(what)s"), gettext_lazy("klaim")),
    "claim.file": Act(gettext_lazy("mengunduh dokumen %(what)s"), gettext_lazy("klaim")),
    "claim.letter": Act(gettext_lazy("mengunduh surat pengantar %(what)s"), gettext_lazy("klaim")),
    "claim.member_lookup": Act(gettext_lazy("mencari peserta untuk mencatat kejadian"), "", "query"),
    "claim.member_view": Act(
        gettext_lazy("membuka data %(what)s untuk mencatat kejadian"), gettext_lazy("peserta")
    ),
    "scholarship.add": Act(gettext_lazy("mencatat %(what)s"), gettext_lazy("beasiswa"), "words"),
    "scholarship.decide": Act(gettext_lazy("memutuskan %(what)s"), gettext_lazy("beasiswa"), "words"),
    # data-update requests
    "usulan.submit": Act(gettext_lazy("mengajukan %(what)s"), gettext_lazy("usulan"), "words"),
    "usulan.attach": Act(gettext_lazy("menambah lampiran pada %(what)s"), gettext_lazy("usulan")),
    "usulan.verify": Act(gettext_lazy("memverifikasi %(what)s"), gettext_lazy("usulan"), "words"),
    "usulan.accept": Act(gettext_lazy("menerima %(what)s"), gettext_lazy("usulan"), "words"),
    "usulan.reject": Act(gettext_lazy("menolak %(what)s"), gettext_lazy("usulan"), "words"),
    "usulan.apply": Act(gettext_lazy("menandai %(what)s sudah diterapkan ke DTSEN"), gettext_lazy("usulan")),
    "usulan.list": Act(gettext_lazy("membuka daftar usulan")),
    "usulan.export": Act(gettext_lazy("mengunduh daftar usulan")),
    "usulan.view": Act(gettext_lazy("membuka %(what)s"), gettext_lazy("usulan")),
    "usulan.attachment.download": Act(gettext_lazy("mengunduh %(what)s"), gettext_lazy("lampiran usulan")),
    # grievances
    "grievance.file": Act(gettext_lazy("mencatat %(what)s"), gettext_lazy("pengaduan")),
    "grievance.assign": Act(gettext_lazy("menugaskan %(what)s"), gettext_lazy("pengaduan")),
    "grievance.answer": Act(gettext_lazy("menjawab %(what)s"), gettext_lazy("pengaduan"), "words"),
    "grievance.close": Act(gettext_lazy("menutup %(what)s"), gettext_lazy("pengaduan")),
    "grievance.escalate": Act(
        gettext_lazy("mengeskalasi %(what)s ke Kepala Dinas"), gettext_lazy("pengaduan")
    ),
    "grievance.list": Act(gettext_lazy("membuka daftar pengaduan")),
    "grievance.export": Act(gettext_lazy("mengunduh daftar pengaduan")),
    "grievance.view": Act(gettext_lazy("membuka %(what)s"), gettext_lazy("pengaduan")),
    "grievance.public_check": Act(
        gettext_lazy("memeriksa %(what)s dari halaman publik"), gettext_lazy("pengaduan")
    ),
    "sla.set": Act(gettext_lazy("mengubah %(what)s"), gettext_lazy("batas waktu pengaduan")),
    # people, registry, holidays
    "person.search": Act(
        gettext_lazy("mencari penduduk di %(what)s"), gettext_lazy("penetapan sasaran"), "query"
    ),
    "person.view": Act(
        gettext_lazy("membuka data penduduk di %(what)s"), gettext_lazy("penetapan sasaran"), "nik"
    ),
    "snapshot.import": Act(gettext_lazy("mengimpor %(what)s"), gettext_lazy("snapshot")),
    # roster linkage (ADR 0022)
    "roster.link": Act(
        gettext_lazy("mencocokkan daftar peserta BPJS TK dengan registri: %(what)s"),
        gettext_lazy("pencocokan daftar peserta BPJS TK"),
    ),
    "roster.link_review": Act(
        gettext_lazy("melihat calon pasangan yang menunggu keputusan pada %(what)s"),
        gettext_lazy("pencocokan daftar peserta BPJS TK"),
    ),
    "roster.link_confirm": Act(
        gettext_lazy("menyatakan orang yang sama: %(what)s"), gettext_lazy("keputusan pencocokan")
    ),
    "roster.link_reject": Act(
        gettext_lazy("menyatakan bukan orang yang sama: %(what)s"), gettext_lazy("keputusan pencocokan")
    ),
    "snapshot.rejections.download": Act(
        gettext_lazy("mengunduh laporan penolakan %(what)s"), gettext_lazy("snapshot")
    ),
    "holidays.import": Act(gettext_lazy("mengimpor daftar hari libur")),
    # coverage of the region's informal workforce (ADR 0020)
    "reference.set": Act(gettext_lazy("mengubah %(what)s"), gettext_lazy("angka acuan pekerja rentan")),
    "segment.import": Act(gettext_lazy("mengimpor daftar segmen %(what)s"), gettext_lazy("program")),
    "segment.rejections.download": Act(
        gettext_lazy("mengunduh laporan penolakan daftar segmen %(what)s"), gettext_lazy("program")
    ),
    # background jobs
    "mapping.save": Act(gettext_lazy("menyimpan %(what)s"), gettext_lazy("profil pemetaan kolom")),
    "job.start": Act(gettext_lazy("memulai %(what)s"), gettext_lazy("proses latar")),
    "job.run": Act(gettext_lazy("mulai mengerjakan %(what)s"), gettext_lazy("proses latar")),
    "job.done": Act(gettext_lazy("menyelesaikan %(what)s"), gettext_lazy("proses latar")),
    "job.fail": Act(gettext_lazy("mencatat kegagalan %(what)s"), gettext_lazy("proses latar")),
    "job.download": Act(gettext_lazy("mengunduh berkas hasil %(what)s"), gettext_lazy("proses latar")),
    # accounts
    "user.create": Act(gettext_lazy("membuat akun %(what)s"), gettext_lazy("pengguna")),
    "user.role_change": Act(gettext_lazy("mengubah peran %(what)s"), gettext_lazy("pengguna")),
    "user.role_request": Act(gettext_lazy("meminta peran baru untuk %(what)s"), gettext_lazy("pengguna")),
    "user.role_confirm": Act(gettext_lazy("mengonfirmasi peran %(what)s"), gettext_lazy("pengguna")),
    "user.role_refuse": Act(
        gettext_lazy("menolak permintaan peran %(what)s"), gettext_lazy("pengguna"), "words"
    ),
    "user.activate": Act(gettext_lazy("mengaktifkan akun %(what)s"), gettext_lazy("pengguna")),
    "user.deactivate": Act(gettext_lazy("menonaktifkan akun %(what)s"), gettext_lazy("pengguna")),
    "audit.view": Act(gettext_lazy("membuka log audit"), note="query"),
    "audit.export": Act(gettext_lazy("mengunduh log audit")),
    # machine clients (REST API)
    "api.client.create": Act(gettext_lazy("membuat %(what)s"), gettext_lazy("klien API")),
    "api.client.revoke": Act(gettext_lazy("mencabut %(what)s"), gettext_lazy("klien API"), "words"),
    "api.key.create": Act(gettext_lazy("membuat %(what)s"), gettext_lazy("kunci tanda tangan API")),
    "api.key.rotate": Act(gettext_lazy("mengganti %(what)s"), gettext_lazy("kunci tanda tangan API")),
    "api.key.retire": Act(gettext_lazy("mempensiunkan %(what)s"), gettext_lazy("kunci tanda tangan API")),
    "api.token.issue": Act(gettext_lazy("memberi token akses kepada %(what)s"), gettext_lazy("klien API")),
    "api.token.refuse": Act(gettext_lazy("menolak permintaan token %(what)s"), gettext_lazy("klien API")),
    "api.call": Act(gettext_lazy("memanggil API sebagai %(what)s"), gettext_lazy("klien API")),
    "dci.search": Act(gettext_lazy("mencari %(what)s melalui DCI"), gettext_lazy("peserta"), "query"),
}


# --------------------------------------------------------------------------- objects


@dataclass(frozen=True)
class Kind:
    """A kind of object: its noun, how one is written after the noun, and its page (if any)."""

    noun: Any
    text: Callable[[Any], str] = lambda obj: f"#{obj.pk}"
    url: Callable[[Any], str | None] = lambda obj: None
    related: tuple[str, ...] = ()


def _url(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


OBJECTS: dict[str, Kind] = {
    "programmes.targetingrun": Kind(
        gettext_lazy("penetapan sasaran"),
        lambda r: f"#{r.pk} {r.programme.code}",
        lambda r: _url("web:run-detail", r.pk),
        ("programme",),
    ),
    "programmes.programme": Kind(gettext_lazy("program"), lambda p: str(p.code)),
    "registry.snapshot": Kind(gettext_lazy("snapshot"), lambda s: f"#{s.pk} ({s.source_name})"),
    "programmes.rosterlinkage": Kind(gettext_lazy("pencocokan daftar peserta BPJS TK"), lambda k: f"#{k.pk}"),
    "programmes.linkdecision": Kind(
        gettext_lazy("keputusan pencocokan"), lambda d: f"NIK {d.nik} ~ KPJ {d.kpj}"
    ),
    "enrolment.member": Kind(
        gettext_lazy("peserta"),
        lambda m: f"{m.nama} (NIK {m.nik})",
        lambda m: _url("web:member-detail", m.pk),
    ),
    "enrolment.enrolmentbatch": Kind(
        gettext_lazy("batch pendaftaran"), lambda b: str(b.number), lambda b: _url("web:batch-detail", b.pk)
    ),
    "billing.invoice": Kind(
        gettext_lazy("tagihan"), lambda i: str(i.number), lambda i: _url("web:invoice-detail", i.pk)
    ),
    "billing.payment": Kind(
        gettext_lazy("pembayaran"),
        lambda p: f"SP2D {p.sp2d_number}",
        lambda p: _url("web:payment-list", p.programme_id),
    ),
    "claims.incident": Kind(gettext_lazy("kejadian")),
    "claims.claim": Kind(gettext_lazy("klaim"), url=lambda c: _url("web:claims:detail", c.pk)),
    "claims.scholarship": Kind(gettext_lazy("beasiswa"), url=lambda s: _url("web:claims:detail", s.claim_id)),
    "usulan.dataupdaterequest": Kind(
        gettext_lazy("usulan"),
        lambda r: str(r.number or f"#{r.pk}"),
        lambda r: _url("web:usulan:detail", r.number),
    ),
    "usulan.attachment": Kind(gettext_lazy("lampiran usulan"), lambda a: str(a.original_name)),
    "pengaduan.grievance": Kind(
        gettext_lazy("pengaduan"), lambda g: str(g.number), lambda g: _url("web:pengaduan:detail", g.number)
    ),
    "pengaduan.slapolicy": Kind(gettext_lazy("batas waktu pengaduan"), lambda p: str(p.category)),
    "registry.columnmapping": Kind(gettext_lazy("profil pemetaan kolom"), lambda m: f"'{m.name}'"),
    "coverage.referencefigure": Kind(
        gettext_lazy("angka acuan pekerja rentan"),
        lambda f: f"{f.region} {f.year}",
        lambda f: _url("coverage:references"),
    ),
    "jobs.job": Kind(gettext_lazy("proses latar"), url=lambda j: _url("ops:job-detail", j.pk)),
    "auth.user": Kind(gettext_lazy("pengguna"), lambda u: str(u.get_username())),
    "api.apiclient": Kind(gettext_lazy("klien API"), lambda c: str(c.name)),
    "api.signingkey": Kind(gettext_lazy("kunci tanda tangan API"), lambda k: str(k.kid)),
    "holidays.holiday": Kind(gettext_lazy("hari libur")),
}


def object_types() -> list[tuple[str, str]]:
    """``(object type, noun)`` for the audit log's object filter, by noun."""
    return sorted(((key, str(kind.noun)) for key, kind in OBJECTS.items()), key=lambda kv: kv[1])


def object_type_for(noun: str) -> str | None:
    """The object type a noun names (``tagihan`` -> ``billing.invoice``), any case; None if none."""
    wanted = " ".join(noun.split()).casefold()
    for key, kind in OBJECTS.items():
        if str(kind.noun).casefold() == wanted:
            return key
    return None


# --------------------------------------------------------------------------- actors


def actor_text(label: str, actor: Any) -> str:
    """``Budi (Admin Dinas)``; the console and machine clients in words."""
    profile = getattr(actor, "profile", None) if actor is not None else None
    if profile is not None:
        return f"{label} ({profile.get_role_display()})"
    if actor is not None and getattr(actor, "is_superuser", False):
        return f"{label} ({_('administrator sistem')})"
    if label.startswith("cli"):
        who = label.partition(":")[2]
        return _("Konsol server (%(who)s)") % {"who": who} if who else _("Konsol server")
    if label.startswith("api:"):
        return _("Klien API %(who)s") % {"who": label.partition(":")[2]}
    if label in ("", "system", "sistem"):
        return _("Sistem SIGAP")
    return label


# --------------------------------------------------------------------------- sentences


def action_label(action: str) -> str:
    """The action as a short label for filters: ``run.submit`` -> ``Mengajukan penetapan sasaran``."""
    act = ACTIONS.get(action)
    if act is None:
        return action
    return capfirst(str(act.phrase) % {"what": str(act.what)}).strip()


def action_choices(actions: Iterable[str]) -> list[tuple[str, str]]:
    """``(action, label)`` sorted by label."""
    return sorted(((a, action_label(a)) for a in actions), key=lambda kv: kv[1].casefold())


@dataclass(frozen=True)
class Line:
    """One audit row for people."""

    event: Any
    at: Any
    who: str
    sentence: SafeString  # the whole sentence, the object linked to its page
    text: str  # the same sentence as plain text (exports)
    detail: str  # the person's own words, the NIK looked at or the search, when the action has them


def _objects(events: list[Any]) -> dict[tuple[str, str], Any]:
    wanted: dict[str, set[str]] = defaultdict(set)
    for e in events:
        if e.object_type in OBJECTS and str(e.object_id).isdigit():
            wanted[e.object_type].add(str(e.object_id))
    found: dict[tuple[str, str], Any] = {}
    for label, ids in wanted.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        rows = model._default_manager.filter(pk__in=[int(i) for i in ids])
        related = OBJECTS[label].related
        if related:
            rows = rows.select_related(*related)
        for obj in rows:
            found[(label, str(obj.pk))] = obj
    return found


def _what(event: Any, act: Act | None, obj: Any) -> tuple[str, str | None]:
    """The object in words and its page: ``penetapan sasaran #4 SIGAP-2026``."""
    kind = OBJECTS.get(event.object_type)
    if kind is None:
        noun = str(act.what) if act is not None else ""
        ident = f"#{event.object_id}" if event.object_id else ""
        return " ".join(part for part in (noun, ident) if part), None
    if obj is None:
        return (f"{kind.noun} #{event.object_id}" if event.object_id else str(kind.noun)), None
    return f"{kind.noun} {kind.text(obj)}", kind.url(obj)


def _detail(event: Any, act: Act | None) -> str:
    note = " ".join(str(event.note or "").split())
    if act is None or not act.note or not note:
        return ""
    if act.note == "nik":
        return _("NIK %(nik)s") % {"nik": note}
    if act.note == "query":
        return _("dicari: «%(q)s»") % {"q": note}
    return note


def describe(events: Iterable[Any]) -> list[Line]:
    """Audit rows as sentences (objects fetched once per kind, actors' roles with them)."""
    rows = list(events)
    objects = _objects(rows)
    lines = []
    for e in rows:
        act = ACTIONS.get(e.action)
        who = actor_text(e.actor_label, e.actor if e.actor_id else None)
        what, url = _what(e, act, objects.get((e.object_type, str(e.object_id))))
        if act is None:
            phrase = _("melakukan tindakan %(code)s") % {"code": e.action}
            before, after = phrase, ""
            what = ""
        else:
            text = str(act.phrase)
            before, marker, after = text.partition("%(what)s")
            if not marker:
                what = ""
        plain = " ".join(f"{who} {before}{what}{after}".split())
        if what and url:
            sentence = format_html('{} {}<a href="{}">{}</a>{}', who, before, url, what, after)
        else:
            sentence = format_html("{}", plain)
        lines.append(Line(e, e.at, who, sentence, plain, _detail(e, act)))
    return lines
