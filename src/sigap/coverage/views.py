"""Kelola data > Cakupan pekerja rentan: the region's reference figures and the segments it already
funds (Admin Dinas only; another area's figures are not shown, and the actions check the area again)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sigap.accounts.scoping import area_prefix
from sigap.audit.actions import audit_record
from sigap.coverage.actions import reference_set, segment_import
from sigap.coverage.forms import ReferenceForm, SegmentForm
from sigap.coverage.models import ReferenceFigure, SegmentList
from sigap.errors import UserError
from sigap.web.access import OPS_ROLES, role_required


def _page(request: HttpRequest, form: ReferenceForm, segment: SegmentForm, status: int = 200) -> HttpResponse:
    prefix = area_prefix(request.user)
    lists = (
        SegmentList.objects.filter(programme__region__startswith=prefix)
        .select_related("programme")
        .order_by("-id")[:50]
    )
    context = {
        "figures": ReferenceFigure.objects.filter(region__startswith=prefix).select_related("updated_by"),
        "lists": lists,
        "form": form,
        "segment": segment,
        "nav": "ops",
        "subnav": "coverage",
    }
    return render(request, "coverage/references.html", context, status=status)


@role_required(OPS_ROLES)
def references(request: HttpRequest) -> HttpResponse:
    """The reference figures (estimate of informal workers per region and year) and the form to enter
    or correct one (a figure for the same region and year is replaced, audited)."""
    prefix = area_prefix(request.user)
    form = ReferenceForm(request.POST or None, initial={"region": prefix})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            figure, created = reference_set(
                region=data["region"].strip(),
                year=data["year"],
                estimate=data["estimate"],
                source=data["source"],
                note=data["note"],
                acting_user=request.user,
            )
        except UserError as e:
            form.add_error(None, "; ".join([e.message, *e.details]))
        else:
            messages.success(
                request,
                (
                    _("Angka acuan %(region)s tahun %(year)s disimpan.")
                    if created
                    else _("Angka acuan %(region)s tahun %(year)s diperbarui.")
                )
                % {"region": figure.region, "year": figure.year},
            )
            return redirect("coverage:references")
    return _page(request, form, SegmentForm(), status=400 if request.method == "POST" else 200)


@require_POST
@role_required(OPS_ROLES)
def segment_upload(request: HttpRequest) -> HttpResponse:
    """Import a segment list (the region is the officer's own area)."""
    segment = SegmentForm(request.POST, request.FILES)
    if segment.is_valid():
        data = segment.cleaned_data
        upload = data["file"]
        folder = Path(tempfile.mkdtemp(prefix=".upload-", dir=settings.DATA_DIR))
        try:
            path = folder / Path(upload.name).name
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            result = segment_import(
                path=path,
                code=data["code"],
                fiscal_year=data["year"],
                region=area_prefix(request.user),
                name=data["name"],
                acting_user=request.user,
            )
        except UserError as e:
            segment.add_error(None, "; ".join([e.message, *e.details[:10]]))
        else:
            s = result.segment_list
            messages.success(
                request,
                _("Segmen %(code)s: %(accepted)s orang diterima, %(rejected)s baris ditolak.")
                % {"code": result.programme.code, "accepted": s.accepted, "rejected": s.rejected},
            )
            for other, n in sorted(s.stats.get("also_funded", {}).items()):
                messages.warning(
                    request,
                    _("%(n)s orang di daftar ini juga dibiayai program %(other)s pada bulan yang sama.")
                    % {"n": n, "other": other},
                )
            return redirect("coverage:references")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    prefix = area_prefix(request.user)
    return _page(request, ReferenceForm(initial={"region": prefix}), segment, status=400)


REPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@role_required(OPS_ROLES)
def segment_rejections(request: HttpRequest, list_id: int, fmt: str) -> FileResponse:
    """A segment list's rejection report (NIKs and names: every download is audited), own area only."""
    found = get_object_or_404(
        SegmentList.objects.filter(programme__region__startswith=area_prefix(request.user)), pk=list_id
    )
    report = found.report_file
    if fmt not in REPORT_TYPES or report is None:
        raise Http404("no such report")
    path = report.with_suffix(f".{fmt}")
    if not path.is_file():
        raise Http404("no rejection report in this format")
    audit_record(
        acting_user=request.user,
        action="segment.rejections.download",
        obj=found.programme,
        note=f"{fmt}: {found.source_name}",
    )
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"segmen-{found.programme.code}-{found.pk}-penolakan.{fmt}",
        content_type=REPORT_TYPES[fmt],
    )
