"""Forms of the coverage screens (Kelola data > Cakupan pekerja rentan)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


def whole_number(text: str) -> int | None:
    """``"200.000"`` / ``"200,000"`` / ``"200 000"`` -> 200000 (thousands separators as people type)."""
    digits = "".join(ch for ch in str(text or "") if ch not in ". ,_\u00a0")
    return int(digits) if digits.isdigit() else None


class ReferenceForm(forms.Form):
    region = forms.CharField(
        label=_("Kode wilayah"), max_length=4, help_text=_("kabupaten/kota (4 digit) atau provinsi (2 digit)")
    )
    year = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100)
    estimate = forms.CharField(
        label=_("Perkiraan pekerja rentan / informal"),
        max_length=20,
        help_text=_("jumlah orang, mis. 200.000"),
    )
    source = forms.CharField(
        label=_("Sumber"), max_length=200, help_text=_("mis. DPRD Kota Bekasi, BPS, Disnaker")
    )
    note = forms.CharField(label=_("Catatan"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_estimate(self) -> int:
        value = whole_number(self.cleaned_data["estimate"])
        if value is None or value <= 0:
            raise forms.ValidationError(_("Tulis jumlah orang sebagai bilangan bulat lebih dari 0."))
        return value


class SegmentForm(forms.Form):
    file = forms.FileField(label=_("Berkas daftar (CSV/XLSX)"))
    code = forms.CharField(label=_("Kode program segmen"), max_length=64, help_text=_("mis. RTRW-2026"))
    name = forms.CharField(label=_("Nama"), max_length=255, required=False)
    year = forms.IntegerField(label=_("Tahun anggaran"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx,.txt"
