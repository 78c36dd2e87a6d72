"""Forms of the member, enrolment and billing pages: strict parsing before any action runs.

Money fields accept ``2016000000``, ``2.016.000.000`` or ``Rp2.016.000.000`` and give integer rupiah;
month fields accept ``YYYY-MM`` (the browser's ``<input type=month>``) and give a :class:`Month`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sigap.billing.models import Invoice
from sigap.core.money import Month, parse_rupiah
from sigap.enrolment.models import Member, MemberExit

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"})

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return Month.parse(str(text))
        except ValueError:
            raise forms.ValidationError(_("Tulis bulan sebagai TTTT-BB, misalnya 2026-01.")) from None

    def prepare_value(self, value: Any) -> Any:
        return str(value) if isinstance(value, Month) else value


class RupiahField(forms.CharField):
    widget = forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "2.016.000"})

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            amount = parse_rupiah(str(text))
        except ValueError as e:
            if "more than" in str(e):
                raise forms.ValidationError(_("Jumlah terlalu besar; periksa angkanya.")) from None
            raise forms.ValidationError(
                _("Tulis jumlah rupiah bulat, misalnya 2016000 atau Rp2.016.000.")
            ) from None
        if amount <= 0:
            raise forms.ValidationError(_("Jumlah harus lebih dari Rp0."))
        return amount


# --------------------------------------------------------------------------- members and enrolment


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("NIK atau nama"), required=False, max_length=80)
    state = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Semua"))] + Member.STATES)
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), required=False)

    def __init__(self, *args: Any, kelurahan: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kelurahan"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", str(_("Semua"))), *kelurahan]


class MemberExitForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Alasan keluar"),
        choices=[(k, v) for k, v in MemberExit.REASONS if k not in (MemberExit.REJECTED, MemberExit.LAPSED)],
    )
    date = forms.DateField(label=_("Tanggal keluar"), widget=DateInput())
    note = forms.CharField(
        label=_("Catatan"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Wajib untuk alasan 'Lainnya'."),
    )


class BatchExportForm(forms.Form):
    coverage_start = MonthField(
        label=_("Mulai perlindungan diminta"), help_text=_("Bulan pertama yang dilindungi (TTTT-BB).")
    )


class ResponseUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas jawaban BPJS TK (CSV atau XLSX)"),
        help_text=_("Kolom: NIK, KPJ, STATUS (DITERIMA/DITOLAK), ALASAN, TANGGAL_EFEKTIF."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Berkas terlalu besar (paling besar 50 MB)."))
        return upload


class ExitsDetectForm(forms.Form):
    on = forms.DateField(label=_("Tanggal pemeriksaan"), widget=DateInput())


class ReplacementForm(forms.Form):
    start = MonthField(label=_("Mulai perlindungan pengganti"), help_text=_("TTTT-BB"))
    on = forms.DateField(label=_("Tanggal hitung anggaran"), widget=DateInput())


class LapseForm(forms.Form):
    on = forms.DateField(label=_("Periksa iuran per tanggal"), widget=DateInput())


# --------------------------------------------------------------------------- billing


class InvoiceFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Semua"))] + Invoice.STATES)


class InvoiceIssueForm(forms.Form):
    month = MonthField(label=_("Bulan tagihan"), help_text=_("TTTT-BB"))


class LineReverseForm(forms.Form):
    nik = forms.CharField(label=_("NIK peserta"), min_length=16, max_length=16)
    reason = forms.CharField(label=_("Alasan koreksi"), max_length=300)


class PaymentForm(forms.Form):
    ADVANCE = [("", _("Tidak (bayar tagihan terbuka terlama)")), ("3", "3"), ("6", "6"), ("12", "12")]

    sp2d_number = forms.CharField(label=_("Nomor SP2D"), max_length=100)
    sp2d_date = forms.DateField(label=_("Tanggal SP2D"), widget=DateInput())
    amount = RupiahField(label=_("Jumlah (Rp)"))
    months = forms.ChoiceField(label=_("Bayar di muka (bulan)"), choices=ADVANCE, required=False)
    exact = forms.BooleanField(
        label=_("Jumlah harus sama persis dengan sisa tagihan"), required=False, initial=False
    )


class PaymentReverseForm(forms.Form):
    payment = forms.IntegerField(widget=forms.HiddenInput())
    reason = forms.CharField(label=_("Alasan pembatalan"), max_length=1000)


class RealisationForm(forms.Form):
    on = forms.DateField(label=_("Per tanggal"), widget=DateInput(), required=False)
    target = forms.IntegerField(label=_("Target peserta"), min_value=0, required=False)
