"""Forms of the Admin Dinas screens: they parse and check input; the actions decide."""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from sigap.accounts.roles import AREA_CODE_LENGTH, ROLES
from sigap.core import occupations as occ
from sigap.core import tariff
from sigap.core.programme import ESTIMATE_KEY
from sigap.errors import UserError
from sigap.reference import regions
from sigap.registry.models import Snapshot
from sigap.web.labels import size_text

MAPPING_MAX_BYTES = 64 * 1024
PROGRAMME_MAX_BYTES = 256 * 1024


def _size_limit(upload: Any, limit: int) -> None:
    if upload is not None and upload.size > limit:
        raise ValidationError(
            _("Berkas terlalu besar: %(size)s, batas %(limit)s.")
            % {"size": size_text(upload.size), "limit": size_text(limit)}
        )


def parse_document(raw: bytes, *, name: str) -> dict[str, Any]:
    """A TOML (or JSON) document from uploaded bytes; a UserError names the file and the line."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise UserError(
            _("%(name)s: bukan teks UTF-8 (bita ke-%(at)s).") % {"name": name, "at": e.start}
        ) from None
    try:
        doc = json.loads(text) if name.lower().endswith(".json") or text.lstrip().startswith("{") else None
        if doc is None:
            doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        # the parser's own text names the line and the column
        raise UserError(_("%(name)s: kesalahan penulisan TOML: %(why)s") % {"name": name, "why": e}) from None
    except ValueError as e:
        raise UserError(_("%(name)s: bukan JSON yang sah: %(why)s") % {"name": name, "why": e}) from None
    if not isinstance(doc, dict):
        raise UserError(_("%(name)s: berkas harus berisi tabel/objek.") % {"name": name})
    return doc


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis data"), choices=Snapshot.KINDS, initial=Snapshot.REGISTRY)
    file = forms.FileField(
        label=_("Berkas (CSV, XLSX atau Parquet)"),
        help_text=_("Kolom dan baris yang ditolak dicatat di laporan penolakan."),
    )
    mapping = forms.FileField(
        label=_("Pemetaan kolom (opsional, TOML/JSON)"),
        required=False,
        help_text=_('Contoh: columns = { nomor_nik = "NIK" }'),
    )
    reference_date = forms.DateField(
        label=_("Tanggal acuan"),
        help_text=_("Untuk umur dan pemeriksaan tanggal di masa depan (TTTT-BB-HH)."),
        # a date input only understands ISO dates, whatever the page's language
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reference_date"].initial = timezone.localdate()

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        _size_limit(upload, settings.SIGAP_UPLOAD_MAX_BYTES)
        if upload.size == 0:
            raise ValidationError(_("Berkas kosong."))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("mapping")
        data["mapping_doc"] = None
        if upload is not None and "kind" in data:
            from sigap.registry.ingest import normalise_mapping

            try:
                _size_limit(upload, MAPPING_MAX_BYTES)
                doc = parse_document(upload.read(), name=upload.name)
                data["mapping_doc"] = normalise_mapping(doc, kind=data["kind"], source=upload.name)
            except UserError as e:
                self.add_error("mapping", "; ".join([e.message, *e.details]))
            except ValidationError as e:
                self.add_error("mapping", e)
        return data


class RunForm(forms.Form):
    snapshot = forms.ModelChoiceField(
        label=_("Snapshot registri"),
        queryset=Snapshot.objects.none(),
        required=False,
        empty_label=_("Terbaru"),
    )
    roster = forms.ModelChoiceField(
        label=_("Daftar peserta BPJS TK"),
        queryset=Snapshot.objects.none(),
        required=False,
        empty_label=_("Terbaru (jika ada)"),
    )

    def __init__(self, *args: Any, snapshots: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["snapshot"].queryset = snapshots.filter(kind=Snapshot.REGISTRY)  # type: ignore[attr-defined]
        self.fields["roster"].queryset = snapshots.filter(kind=Snapshot.ROSTER)  # type: ignore[attr-defined]


class ProgrammeUploadForm(forms.Form):
    file = forms.FileField(label=_("Berkas definisi program (TOML)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        _size_limit(upload, PROGRAMME_MAX_BYTES)
        return upload


def _split(text: str) -> list[str]:
    return [item.strip() for item in text.replace("\n", ",").split(",") if item.strip()]


#: The priority keys of a programme file (``[priority] order``) in words, in the form's order.
PRIORITY_LABELS = (
    ("desil", _("Desil terendah dulu (termiskin)")),
    ("occupation_risk", _("Pekerjaan berisiko tinggi dulu")),
    ("age_desc", _("Tertua dulu")),
    ("age_asc", _("Termuda dulu")),
    ("kk_size_desc", _("Keluarga (KK) terbesar dulu")),
)
PRIORITY_STEPS = len(PRIORITY_LABELS)


class PriorityOrderWidget(forms.MultiWidget):
    """The priority order as ordered choices in words ("1. Desil terendah dulu, 2. ..."), read back as
    the programme file writes it (``desil, occupation_risk, age_desc``).  A posted ``order`` text (the
    programme file's own spelling) is still read as it is."""

    def __init__(self) -> None:
        choices = [("", "—"), *PRIORITY_LABELS]
        super().__init__([forms.Select(choices=choices) for _i in range(PRIORITY_STEPS)])

    def decompress(self, value: Any) -> list[str]:
        keys = _split(value) if isinstance(value, str) else list(value or [])
        return (keys + [""] * PRIORITY_STEPS)[:PRIORITY_STEPS]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if name in data:
            return data.get(name)
        picked = super().value_from_datadict(data, files, name)
        return ", ".join(dict.fromkeys(k for k in picked if k))

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and super().value_omitted_from_data(data, files, name)


#: The programme file checks (sigap.core.programme, shared with the command line) in the form's words.
_SPEC_REASONS = (
    (re.compile(r"^required$"), _("wajib diisi")),
    (re.compile(r"^must be more than 0$"), _("harus lebih dari 0")),
    (re.compile(r"^must be true or false$"), _("harus ya atau tidak")),
    (re.compile(r"^'(?P<v>.*)' is not a whole number$"), _("'%(v)s' bukan bilangan bulat")),
    (
        re.compile(r"^(?P<v>-?\d+) is outside (?P<lo>-?\d+)\.\.(?P<hi>-?\d+)$"),
        _("%(v)s di luar %(lo)s sampai %(hi)s"),
    ),
    (re.compile(r"^(?P<v>-?\d+) is less than (?P<lo>-?\d+)$"), _("%(v)s kurang dari %(lo)s")),
    (re.compile(r"^'(?P<v>.*)' is not a whole rupiah amount$"), _("'%(v)s' bukan jumlah rupiah bulat")),
    (
        re.compile(r"^'?(?P<v>.*?)'? is more than Rp(?P<max>[\d,.]+) \(a typing error\?\)$"),
        _("%(v)s lebih dari Rp%(max)s (salah ketik?)"),
    ),
    (
        re.compile(r"^'(?P<v>.*)' is not a month in YYYY-MM form$"),
        _("'%(v)s' bukan bulan dalam bentuk TTTT-BB"),
    ),
    (re.compile(r"^(?P<v>\S+) is outside fiscal year (?P<y>\d+)$"), _("%(v)s di luar tahun anggaran %(y)s")),
    (
        re.compile(r"^'(?P<v>.*)' is not a provinsi or kabupaten/kota code$"),
        _("'%(v)s' bukan kode provinsi atau kabupaten/kota"),
    ),
    (
        re.compile(r"^'(?P<v>.*)' is not in the region reference$"),
        _("'%(v)s' tidak ada di daftar wilayah Kemendagri"),
    ),
    (re.compile(r"^unknown key '(?P<v>[^']*)'.*$"), _("pilihan '%(v)s' tidak dikenal")),
    (re.compile(r"^must be a list of keys$"), _("harus daftar pilihan")),
    (
        re.compile(
            r"^'(?P<v>.*)' may hold only letters, digits and \. _ : / - and must start with a letter or digit$"
        ),
        _("'%(v)s' hanya boleh berisi huruf, angka dan . _ : / - serta diawali huruf atau angka"),
    ),
    (
        re.compile(r"^is (?P<n>\d+) characters long, at most (?P<max>\d+) are allowed$"),
        _("panjangnya %(n)s karakter, paling banyak %(max)s"),
    ),
    (
        re.compile(r"^must be a category name or a list of occupations$"),
        _("harus nama kategori atau daftar pekerjaan"),
    ),
)


def spec_reason(reason: str) -> str:
    """A programme file problem's reason (English, the command line's) in the form's language."""
    for pattern, words in _SPEC_REASONS:
        found = pattern.match(reason)
        if found is not None:
            return str(words) % found.groupdict() if found.groupdict() else str(words)
    return reason


class ProgrammeForm(forms.Form):
    """The fields of :class:`sigap.core.programme.ProgrammeSpec`; ``programme_apply`` validates."""

    code = forms.CharField(label=_("Kode program"), max_length=64)
    name = forms.CharField(label=_("Nama program"), max_length=255)
    region = forms.CharField(label=_("Kode wilayah (provinsi/kabupaten/kota)"), max_length=10)
    fiscal_year = forms.IntegerField(label=_("Tahun anggaran"))
    budget = forms.CharField(label=_("Anggaran (Rp)"), help_text=_("Rupiah bulat, mis. 2.000.000.000"))
    coverage_start = forms.CharField(label=_("Bulan mulai perlindungan (TTTT-BB)"), max_length=7)
    funding = forms.ChoiceField(label=_("Sumber dana"), choices=[("APBD", "APBD"), ("APBN", "APBN")])
    income_bracket = forms.IntegerField(label=_("Dasar upah iuran (Rp)"), initial=1_000_000)
    include_jht = forms.BooleanField(
        label=_("Ikut membayar JHT (Jaminan Hari Tua)"),
        required=False,
        initial=False,
        help_text=format_lazy(
            _("Opsional bagi BPU: {percent} dari dasar upah per orang per bulan, di atas JKK + JKM"),
            percent=tariff.jht_percent_text(),
        ),
    )
    estimated_vulnerable_workers = forms.IntegerField(
        label=_("Perkiraan pekerja rentan"),
        required=False,
        help_text=_("Opsional: dasar persentase cakupan di beranda pimpinan"),
    )
    desil_max = forms.IntegerField(label=_("Desil tertinggi"), initial=5)
    age_min = forms.IntegerField(label=_("Umur minimal"), initial=18)
    age_max = forms.IntegerField(label=_("Umur maksimal"), initial=60)
    occupations_included = forms.CharField(
        label=_("Pekerjaan yang boleh"),
        initial=occ.INFORMAL,
        help_text=_('"informal" (semua pekerjaan informal) atau daftar nama pekerjaan dipisah koma'),
    )
    occupations_excluded = forms.CharField(
        label=_("Pekerjaan yang dikecualikan"), required=False, help_text=_("dipisah koma")
    )
    exclude_insured = forms.BooleanField(
        label=_("Kecualikan peserta BPJS TK aktif"), required=False, initial=True
    )
    exclude_aparat = forms.BooleanField(label=_("Kecualikan ASN/TNI/Polri"), required=False, initial=True)
    exclude_deceased = forms.BooleanField(label=_("Kecualikan yang meninggal"), required=False, initial=True)
    order = forms.CharField(
        label=_("Urutan prioritas"),
        initial="desil, occupation_risk, age_desc",
        widget=PriorityOrderWidget(),
        help_text=_("Pilih berurutan: yang pertama paling menentukan; sisanya memutus seri."),
    )
    tie_break_seed = forms.CharField(
        label=_("Benih urutan seri"),
        required=False,
        max_length=64,
        help_text=_("Opsional (ADR 0014): tanpa benih setiap penetapan sasaran membuat benih acak"),
    )

    def document(self) -> dict[str, Any]:
        d = self.cleaned_data
        included = _split(d["occupations_included"])
        seed = str(d.get("tie_break_seed") or "").strip()
        return {
            "programme": {
                "code": d["code"].strip(),
                "name": d["name"].strip(),
                "region": d["region"].strip(),
                "fiscal_year": d["fiscal_year"],
                "budget": d["budget"].strip(),
                "coverage_start": d["coverage_start"].strip(),
                "funding": d["funding"],
                **({ESTIMATE_KEY: d[ESTIMATE_KEY]} if d.get(ESTIMATE_KEY) is not None else {}),
            },
            "tariff": {"income_bracket": d["income_bracket"], "include_jht": bool(d.get("include_jht"))},
            "eligibility": {
                "desil_max": d["desil_max"],
                "age_min": d["age_min"],
                "age_max": d["age_max"],
                "occupations_included": included[0] if len(included) == 1 and included[0].lower() in (
                    occ.INFORMAL, occ.FORMAL, occ.APARAT, occ.NOT_WORKING) else included,
                "occupations_excluded": _split(d["occupations_excluded"] or ""),
                "exclude_insured": d["exclude_insured"],
                "exclude_aparat": d["exclude_aparat"],
                "exclude_deceased": d["exclude_deceased"],
            },
            "priority": {
                "order": _split(d["order"]),
                **({"tie_break_seed": seed} if seed else {}),
            },
        }  # fmt: skip

    def show_problems(self, error: UserError) -> None:
        """Put each ``section.key: reason`` problem next to its field, in words; the rest on top."""
        self.add_error(None, error.message)
        for problem in error.details:
            head, _sep, reason = problem.partition(": ")
            field = head.rpartition(".")[2]
            if field in self.fields and reason:
                self.add_error(field, spec_reason(reason))
            else:
                self.add_error(None, problem)

    @classmethod
    def initial_from(cls, spec: dict[str, Any]) -> dict[str, Any]:
        prog, elig = spec.get("programme", {}), spec.get("eligibility", {})
        included = list(elig.get("occupations_included", []))
        informal = set(occ.names_in(occ.INFORMAL))
        return {
            **{k: prog.get(k) for k in ("code", "name", "region", "fiscal_year", "coverage_start", "funding")},
            "budget": str(prog.get("budget", "")),
            ESTIMATE_KEY: prog.get(ESTIMATE_KEY, spec.get(ESTIMATE_KEY)),
            "income_bracket": spec.get("tariff", {}).get("income_bracket"),
            "include_jht": bool(spec.get("tariff", {}).get("include_jht", False)),
            **{k: elig.get(k) for k in ("desil_max", "age_min", "age_max", "exclude_insured",
                                        "exclude_aparat", "exclude_deceased")},
            "occupations_included": occ.INFORMAL if set(included) == informal else ", ".join(included),
            "occupations_excluded": ", ".join(elig.get("occupations_excluded", [])),
            "order": ", ".join(spec.get("priority", {}).get("order", [])),
            "tie_break_seed": spec.get("priority", {}).get("tie_break_seed"),
        }  # fmt: skip


class _RoleAreaForm(forms.Form):
    """A role and an area code inside the officer's area (the actions check again)."""

    role = forms.ChoiceField(label=_("Peran"), choices=ROLES)
    area_code = forms.CharField(
        label=_("Kode wilayah"),
        max_length=10,
        help_text=_(
            "Kabupaten/kota atau provinsi untuk Dinas/Pimpinan/Auditor; kecamatan (6) atau kelurahan (10) untuk operator."
        ),
    )

    def __init__(self, *args: Any, area_prefix: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.area_prefix = area_prefix

    def clean_area_code(self) -> str:
        code = str(self.cleaned_data["area_code"]).replace(".", "").strip()
        if not code.isdigit() or code not in regions():
            raise ValidationError(
                _("Kode wilayah %(code)s tidak ada di referensi wilayah Kemendagri.") % {"code": code}
            )
        if not code.startswith(self.area_prefix):
            raise ValidationError(
                _("Kode wilayah %(code)s di luar wilayah Anda (%(area)s).")
                % {"code": code, "area": self.area_prefix}
            )
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role, code = data.get("role"), data.get("area_code")
        if role and code and len(code) not in AREA_CODE_LENGTH.get(role, ()):
            allowed = "/".join(str(n) for n in AREA_CODE_LENGTH.get(role, ()))
            self.add_error("area_code", _("Kode wilayah untuk peran ini harus %(n)s digit.") % {"n": allowed})
        return data


class UserForm(_RoleAreaForm):
    username = forms.RegexField(
        label=_("Nama pengguna"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        help_text=_("Huruf, angka dan . @ + - _"),
    )
    password = forms.CharField(
        label=_("Kata sandi awal"), widget=forms.PasswordInput(render_value=False), strip=False
    )
    field_order = ["username", "password", "role", "area_code"]

    def clean_username(self) -> str:
        username = str(self.cleaned_data["username"])
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(_("Nama pengguna ini sudah dipakai."))
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password"):
            try:
                validate_password(data["password"])
            except ValidationError as e:
                self.add_error("password", e)
        return data


class RoleChangeForm(_RoleAreaForm):
    """Change an account's role or area; a Kepala Dinas or Auditor role waits for a second person."""

    username = forms.CharField(label=_("Nama pengguna"), max_length=150)
    field_order = ["username", "role", "area_code"]

    def __init__(self, *args: Any, accounts: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "peran-%s")  # two forms on one page: distinct ids
        super().__init__(*args, **kwargs)
        self.accounts = accounts

    def clean_username(self) -> Any:
        username = str(self.cleaned_data["username"]).strip()
        user = self.accounts.filter(username__iexact=username).first()
        if user is None:
            raise ValidationError(_("Tidak ada pengguna %(u)s di wilayah Anda.") % {"u": username})
        return user


class MappingForm(forms.Form):
    """Which column of the uploaded file holds each SIGAP column (one choice per SIGAP column).

    The choices are the file's own column names; a required SIGAP column must be chosen, and a file
    column may feed only one SIGAP column.  ``profile_name`` (optional) saves the mapping as a named
    profile for the next upload of the same layout.
    """

    def __init__(self, *args: Any, kind: str, header: list[str], **kwargs: Any) -> None:
        from sigap.registry.columns import column_label, columns_in_order

        super().__init__(*args, **kwargs)
        self.kind = kind
        names = list(dict.fromkeys(h for h in header if str(h).strip()))
        choices = [("", _("— tidak ada di berkas —")), *((h, h) for h in names)]
        self.columns = columns_in_order(kind)
        for ours, required in self.columns:
            self.fields[f"col_{ours}"] = forms.ChoiceField(
                label=column_label(ours),
                choices=choices,
                required=required,
                error_messages={
                    "required": format_lazy(
                        _("Kolom wajib {label} belum dipilih: pilih kolom berkas yang berisi {label}."),
                        label=column_label(ours),
                    ),
                    "invalid_choice": _("Pilih salah satu kolom berkas."),
                },
            )
        self.fields["profile_name"] = forms.CharField(
            label=_("Simpan sebagai profil (opsional)"),
            required=False,
            max_length=100,
            help_text=_(
                "Mis. 'DTSEN Dinsos 2026'. Unggahan berikutnya dengan kolom yang sama memakai profil ini."
            ),
        )

    def required_fields(self) -> list[Any]:
        return [self[f"col_{ours}"] for ours, required in self.columns if required]

    def optional_fields(self) -> list[Any]:
        return [self[f"col_{ours}"] for ours, required in self.columns if not required]

    def clean(self) -> dict[str, Any]:
        from sigap.registry.columns import column_label

        data = super().clean() or {}
        used: dict[str, str] = {}
        for ours, _required in self.columns:
            theirs = data.get(f"col_{ours}")
            if not theirs:
                continue
            if theirs in used:
                self.add_error(
                    f"col_{ours}",
                    _(
                        "Kolom berkas '%(col)s' sudah dipilih untuk %(other)s; satu kolom hanya untuk satu isian."
                    )
                    % {"col": theirs, "other": column_label(used[theirs])},
                )
            else:
                used[theirs] = ours
        data["mapping_doc"] = {
            "columns": {ours: data[f"col_{ours}"] for ours, _r in self.columns if data.get(f"col_{ours}")}
        }
        return data
