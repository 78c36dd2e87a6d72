"""Forms of the claims screens: they parse and check the shape of input; the actions decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sigap.claims.models import BENEFIT_KINDS, HEIR_RELATIONS, INCIDENT_KINDS, SCHOOL_LEVELS
from sigap.web.moneyforms import RupiahField


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _date(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput())


HEIR_CHOICES = [("", _("— bukan klaim kematian —")), *HEIR_RELATIONS]


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis kejadian"), choices=INCIDENT_KINDS, widget=forms.RadioSelect)
    date = _date(_("Tanggal kejadian"))
    place = forms.CharField(label=_("Tempat kejadian"), max_length=200)
    description = forms.CharField(
        label=_("Uraian singkat"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    heir_relation = forms.ChoiceField(
        label=_("Hubungan ahli waris dengan peserta"),
        choices=HEIR_CHOICES,
        required=False,
        help_text=_("Untuk kematian: menentukan dokumen (buku nikah bila ahli waris suami/istri)."),
    )
    record_exit = forms.BooleanField(
        label=_("Catat kepesertaan berakhir karena meninggal dunia"),
        required=False,
        initial=True,
        help_text=_("Hanya untuk kematian: masa perlindungan ditutup pada bulan kematian."),
    )


class OpenClaimForm(forms.Form):
    benefit = forms.ChoiceField(label=_("Manfaat lain"), choices=BENEFIT_KINDS)
    heir_relation = forms.ChoiceField(label=_("Hubungan ahli waris"), choices=HEIR_CHOICES, required=False)


class DocumentForm(forms.Form):
    received = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1", widget=forms.HiddenInput
    )
    received_on = _date(_("Tanggal diterima"), required=False)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas (PDF, JPG atau PNG, paling besar 5 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class SubmitForm(forms.Form):
    submitted_on = _date(_("Tanggal diajukan ke BPJS TK"))


class PayForm(forms.Form):
    amount = RupiahField(
        label=_("Jumlah dibayar (Rp)"),
        widget=forms.TextInput(attrs={"maxlength": 20, "inputmode": "numeric"}),
        help_text=_("Rupiah bulat, misalnya 42.000.000"),
    )
    paid_on = _date(_("Tanggal dibayar"))
    reference = forms.CharField(label=_("Referensi pembayaran BPJS TK"), max_length=100)


class RejectForm(forms.Form):
    rejected_on = _date(_("Tanggal ditolak"))
    reason = forms.CharField(
        label=_("Alasan penolakan"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ScholarshipForm(forms.Form):
    child_name = forms.CharField(label=_("Nama anak"), max_length=200)
    child_birth_date = _date(_("Tanggal lahir anak"))
    level = forms.ChoiceField(label=_("Jenjang"), choices=SCHOOL_LEVELS)
    school_year = forms.IntegerField(label=_("Tahun ajaran (tahun awal)"), min_value=2000, max_value=2100)
    married = forms.BooleanField(label=_("Anak sudah menikah"), required=False)
    working = forms.BooleanField(label=_("Anak sudah bekerja"), required=False)
    declared_paid_months = forms.IntegerField(
        label=_("Masa iuran menurut BPJS TK (bulan)"),
        required=False,
        min_value=0,
        max_value=960,
        help_text=_(
            "Isi bila BPJS TK mencatat lebih banyak bulan iuran daripada SIGAP (misalnya iuran mandiri sebelumnya). "
            "JKM: beasiswa setelah minimal 36 bulan."
        ),
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Keputusan BPJS TK"), choices=[("paid", _("Dibayar")), ("rejected", _("Ditolak"))]
    )
    decided_on = _date(_("Tanggal keputusan"))
    note = forms.CharField(label=_("Catatan / alasan"), required=False, max_length=2000)
