from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sigap.core.sla import MAX_SLA_DAYS
from sigap.pengaduan.models import Grievance as G


class GrievanceForm(forms.Form):
    category = forms.ChoiceField(label=_("Kategori"), choices=G.CATEGORIES)
    kode_kelurahan = forms.ChoiceField(label=_("Kelurahan/desa"))
    nik = forms.CharField(
        label=_("NIK"),
        required=False,
        max_length=24,
        help_text=_("Wajib untuk sanggahan atas keputusan sasaran."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    contact_name = forms.CharField(label=_("Nama pelapor"), required=False, max_length=200)
    contact_phone = forms.CharField(
        label=_("Nomor telepon/WhatsApp"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    text = forms.CharField(
        label=_("Isi pengaduan"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000
    )

    def __init__(self, *args: Any, kelurahan: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # More than one kelurahan: start blank, so nobody files in the first one by accident.
        blank = [("", _("— pilih kelurahan/desa —"))] if len(kelurahan) > 1 else []
        self.fields["kode_kelurahan"].choices = blank + kelurahan  # type: ignore[attr-defined]


class CitizenGrievanceForm(GrievanceForm):
    contact_phone = forms.CharField(
        label=_("Nomor telepon/WhatsApp (untuk memeriksa tiket)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class TicketForm(forms.Form):
    number = forms.CharField(label=_("Nomor tiket (contoh ADU-2026-000045)"), max_length=20)
    secret = forms.CharField(
        label=_("NIK atau nomor telepon yang dicantumkan saat melapor"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def clean_number(self) -> str:
        return str(self.cleaned_data["number"]).strip().upper()


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Petugas"))

    def __init__(self, *args: Any, officers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = officers  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Jawaban"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)


class SlaForm(forms.Form):
    def __init__(self, *args: Any, current: dict[str, tuple[int, bool]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in G.CATEGORIES:
            days, business = current[code]
            self.fields[f"days_{code}"] = forms.IntegerField(
                label=_("%(c)s: batas waktu (hari)") % {"c": label},
                min_value=1,
                max_value=MAX_SLA_DAYS,
                initial=days,
            )
            self.fields[f"business_{code}"] = forms.BooleanField(
                label=_("%(c)s: hitung hari kerja saja") % {"c": label}, required=False, initial=business
            )
