"""Who may open which page, decided once here (views only call these helpers).

Pages and roles (a superuser may open everything):

=====================  ==========================================================
dashboard              Admin Dinas, Kepala Dinas, Pimpinan (aggregates only)
programmes, run pages  the above and Auditor (aggregates only)
person search/detail   Admin Dinas, operator kecamatan, operator kelurahan (own area); Auditor (read-only:
                       every decision's inputs and reasons, each look audited)
audit log              Auditor
incidents and claims   Admin Dinas, operators (own area); Auditor read-only
kelola (sigap.jobs)    Admin Dinas: imports, programme definitions, runs, users, jobs
approvals, annex       Admin Dinas (submits), Kepala Dinas (approves, returns)
members                Admin Dinas, Kepala Dinas, Auditor, operators (own area); writes Admin Dinas
batches, invoices,     Admin Dinas (writes), Kepala Dinas and Auditor (read)
payments, exits
realisation            the above and Pimpinan (aggregates only)
citizen status check   everyone, no login
=====================  ==========================================================

A logged-in user without a profile has no role and gets 403 everywhere.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render

from sigap.accounts.roles import (
    ADMIN_DINAS,
    AUDITOR,
    KEPALA_DINAS,
    OPERATOR_KECAMATAN,
    OPERATOR_KELURAHAN,
    PIMPINAN,
)
from sigap.accounts.scoping import area_prefix
from sigap.programmes.models import Programme, TargetingRun
from sigap.programmes.selectors import list_in_force

DASHBOARD_ROLES = frozenset({ADMIN_DINAS, KEPALA_DINAS, PIMPINAN})
PROGRAMME_ROLES = DASHBOARD_ROLES | {AUDITOR}
SEARCH_ROLES = frozenset({ADMIN_DINAS, AUDITOR, OPERATOR_KECAMATAN, OPERATOR_KELURAHAN})
AUDIT_ROLES = frozenset({AUDITOR})
APPROVAL_ROLES = frozenset({ADMIN_DINAS, KEPALA_DINAS})
SUBMIT_ROLES = frozenset({ADMIN_DINAS})
DECIDE_ROLES = frozenset({KEPALA_DINAS})
# Members, enrolment, billing, realisation, exits (sigap.enrolment.views, sigap.billing.views).
MEMBER_ROLES = frozenset({ADMIN_DINAS, KEPALA_DINAS, AUDITOR, OPERATOR_KECAMATAN, OPERATOR_KELURAHAN})
FINANCE_ROLES = frozenset({ADMIN_DINAS, KEPALA_DINAS, AUDITOR})  # batches, invoices, payments (read)
REALISATION_ROLES = FINANCE_ROLES | {PIMPINAN}  # aggregates only
MONEY_WRITE_ROLES = frozenset({ADMIN_DINAS})
MONEY_ROLES = MEMBER_ROLES | REALISATION_ROLES
CLAIM_EDIT_ROLES = frozenset({ADMIN_DINAS, OPERATOR_KECAMATAN, OPERATOR_KELURAHAN})  # own area (sigap.claims)
CLAIM_ROLES = CLAIM_EDIT_ROLES | {AUDITOR}  # the auditor reads only
#: Imports, programme definitions, targeting runs, users and background jobs (sigap.jobs).
OPS_ROLES = frozenset({ADMIN_DINAS})
# Data-update requests (usulan) and grievances (pengaduan); Pimpinan (and Kepala Dinas for usulan)
# see counts only, the views decide that with COUNTS_ONLY_ROLES.
USULAN_ROLES = frozenset(
    {ADMIN_DINAS, KEPALA_DINAS, OPERATOR_KECAMATAN, OPERATOR_KELURAHAN, AUDITOR, PIMPINAN}
)
USULAN_FILE_ROLES = frozenset({ADMIN_DINAS, OPERATOR_KECAMATAN, OPERATOR_KELURAHAN})
USULAN_DINAS_ROLES = frozenset({ADMIN_DINAS})
GRIEVANCE_ROLES = USULAN_ROLES
GRIEVANCE_FILE_ROLES = USULAN_FILE_ROLES
GRIEVANCE_HANDLE_ROLES = frozenset({ADMIN_DINAS})


def role_of(user: Any) -> str | None:
    profile = getattr(user, "profile", None) if getattr(user, "is_authenticated", False) else None
    return str(profile.role) if profile is not None else None


def allowed(user: Any, roles: Iterable[str]) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return role_of(user) in set(roles)


def role_required(roles: Iterable[str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Login first (anonymous -> login page), then the role (wrong role or no profile -> 403)."""
    wanted = frozenset(roles)

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not allowed(request.user, wanted):
                return forbidden(request)
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def forbidden(request: Any) -> HttpResponse:
    """A friendly 403 page (says what the account lacks, nothing about the data)."""
    return render(request, "sigap/forbidden.html", {"role": role_of(request.user)}, status=403)


def overlaps(region: str, prefix: str) -> bool:
    """One region code lies inside the other (a kota and its kelurahan, a province and its kota)."""
    return region.startswith(prefix) or prefix.startswith(region)


def visible_programmes(user: Any) -> list[Programme]:
    """Programmes whose region overlaps the user's area (a kelurahan operator sees its kota's)."""
    prefix = area_prefix(user)
    return [p for p in Programme.objects.all() if overlaps(p.region, prefix)]


def governed_programmes(user: Any) -> list[Programme]:
    """Programmes whose whole region lies inside the user's area: the ones the user's office runs.
    A Kota Bekasi officer sees a Jawa Barat programme's figures for Bekasi, but does not open, export,
    submit or decide its runs."""
    prefix = area_prefix(user)
    return [p for p in Programme.objects.all() if p.region.startswith(prefix)]


def visible_runs(user: Any) -> QuerySet[TargetingRun]:
    """Runs of the programmes the user governs (:func:`governed_programmes`): run pages, their exports
    (the whole list, with NIK and names) and their approval are for the office of the whole region."""
    codes = [p.pk for p in governed_programmes(user)]
    return TargetingRun.objects.filter(programme_id__in=codes).select_related("programme", "snapshot")


def lists_in_force(user: Any) -> list[TargetingRun]:
    """The list in force (newest approved or enrolled run) of each visible programme, programmes in
    their usual order.  What leaders, operators and usulan see: a draft, submitted or returned run is a
    preview shown only on its own page (ADR 0013)."""
    runs = []
    for programme in visible_programmes(user):
        run = list_in_force(programme)
        if run is not None:
            runs.append(run)
    return runs


def nav_items(user: Any) -> list[tuple[str, str, str]]:
    """``(url name, label msgid, key)`` for the pages this user may open, in menu order."""
    from django.utils.translation import gettext as _

    items = []
    if allowed(user, DASHBOARD_ROLES):
        items.append(("web:home", _("Beranda"), "home"))
    if allowed(user, PROGRAMME_ROLES):
        items.append(("web:programmes", _("Program & sasaran"), "programmes"))
    if allowed(user, APPROVAL_ROLES):
        items.append(("web:approvals", _("Persetujuan"), "approvals"))
    if allowed(user, MONEY_ROLES):
        items.append(("web:money", _("Peserta & iuran"), "money"))
    if allowed(user, SEARCH_ROLES):
        items.append(("web:person-search", _("Cari penduduk"), "search"))
    if allowed(user, CLAIM_ROLES):
        items.append(("web:claims:list", _("Kejadian & klaim"), "claims"))
    if allowed(user, USULAN_ROLES):
        items.append(("web:usulan:list", _("Usulan data"), "usulan"))
    if allowed(user, GRIEVANCE_ROLES):
        items.append(("web:pengaduan:list", _("Pengaduan"), "pengaduan"))
    if allowed(user, AUDIT_ROLES):
        items.append(("web:audit-log", _("Log audit"), "audit"))
    if allowed(user, OPS_ROLES):
        items.append(("ops:imports", _("Kelola data"), "ops"))
    items.append(("web:citizen-check", _("Cek status"), "citizen"))
    return items
