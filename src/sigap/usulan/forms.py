from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sigap.usulan.models import DataUpdateRequest as R

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the action checks them (type sniffed, size), not the form."""

    def clean(self, data: Any, initial: Any = None) -> None:
        return None


class UsulanForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis usulan"), choices=R.KINDS)
    nik = forms.CharField(
        label=_("NIK"),
        required=False,
        max_length=24,
        help_text=_("Wajib, kecuali untuk penduduk baru yang belum punya NIK."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    nama = forms.CharField(label=_("Nama"), required=False, max_length=200)
    kode_kelurahan = forms.ChoiceField(label=_("Kelurahan/desa"))
    tanggal_lahir = forms.DateField(
        label=_("Tanggal lahir"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    tempat_lahir = forms.CharField(label=_("Tempat lahir"), required=False, max_length=100)
    jenis_kelamin = forms.ChoiceField(
        label=_("Jenis kelamin"),
        required=False,
        choices=[("", "–"), ("L", _("Laki-laki")), ("P", _("Perempuan"))],
    )
    nomor_kk = forms.CharField(label=_("Nomor KK"), required=False, max_length=16)
    alamat = forms.CharField(label=_("Alamat"), required=False, max_length=300)
    rt = forms.CharField(label=_("RT"), required=False, max_length=3)
    rw = forms.CharField(label=_("RW"), required=False, max_length=3)
    pekerjaan = forms.CharField(label=_("Pekerjaan (sesuai KTP)"), required=False, max_length=100)
    desil = forms.IntegerField(label=_("Desil yang benar"), required=False, min_value=1, max_value=10)
    tanggal_meninggal = forms.DateField(
        label=_("Tanggal meninggal"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    kode_kelurahan_baru = forms.CharField(
        label=_("Kode kelurahan tujuan (pindah)"), required=False, max_length=13
    )
    note = forms.CharField(label=_("Keterangan"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    lampiran = MultipleFileField(
        label=_("Lampiran (PDF, JPG, PNG; paling besar 5 MB per berkas)"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
    )

    PROPOSED = (
        "tanggal_lahir",
        "tempat_lahir",
        "jenis_kelamin",
        "nomor_kk",
        "alamat",
        "rt",
        "rw",
        "pekerjaan",
        "desil",
        "tanggal_meninggal",
        "kode_kelurahan_baru",
    )

    def __init__(self, *args: Any, kelurahan: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # More than one kelurahan: start blank, so nobody files in the first one by accident.
        blank = [("", _("— pilih kelurahan/desa —"))] if len(kelurahan) > 1 else []
        self.fields["kode_kelurahan"].choices = blank + kelurahan  # type: ignore[attr-defined]

    def proposed(self) -> dict[str, Any]:
        return {key: self.cleaned_data.get(key) for key in self.PROPOSED}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan penolakan"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Catatan"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
