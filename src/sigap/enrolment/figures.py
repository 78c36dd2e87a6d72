"""The member figures every page shows, defined once (dashboard, money pages, exports, API).

A member of a programme's approved list is in exactly one of four figures, by its state:

=================  ==============================  =====================================================
figure             label                           states
=================  ==============================  =====================================================
``covered``        Terlindungi (aktif di BPJS TK)  ``active``: accepted by BPJS TK, protected now
``pending``        Menunggu jawaban BPJS TK        ``approved``, ``sent``: on the list, not yet answered
``exited``         Keluar                          ``exited``: was covered, then left (died, moved,
                                                   formal job, age, unpaid premiums, year end, manual)
``rejected``       Ditolak BPJS TK                 ``rejected``: BPJS TK refused the registration; never
                                                   covered
=================  ==============================  =====================================================

"Dalam daftar" (``members``) = covered + pending.  "Keluar" never includes the rejected: a page that
shows one shows the other next to it, with these labels.  The leaders' aggregates
(:mod:`sigap.status.actions`) and the money pages count with :data:`FIGURE_OF_STATE`, so the same
member is the same figure everywhere.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from sigap.enrolment.models import Member

COVERED, PENDING, EXITED, REJECTED = "covered", "pending", "exited", "rejected"
#: In the order pages show them.
FIGURES = (COVERED, PENDING, EXITED, REJECTED)

FIGURE_OF_STATE = {
    Member.ACTIVE: COVERED,
    Member.APPROVED: PENDING,
    Member.SENT: PENDING,
    Member.EXITED: EXITED,
    Member.REJECTED: REJECTED,
}

LABELS = {
    COVERED: _("Terlindungi (aktif di BPJS TK)"),
    PENDING: _("Menunggu jawaban BPJS TK"),
    EXITED: _("Keluar"),
    REJECTED: _("Ditolak BPJS TK"),
}

#: Column headers and chart legends (the same figures, fewer words).
SHORT_LABELS = {
    COVERED: _("Terlindungi"),
    PENDING: _("Menunggu jawaban"),
    EXITED: _("Keluar"),
    REJECTED: _("Ditolak BPJS TK"),
}

DEFINITIONS = {
    COVERED: _("diterima BPJS TK dan masih terlindungi"),
    PENDING: _("dalam daftar yang disetujui, belum dijawab BPJS TK"),
    EXITED: _(
        "pernah terlindungi, lalu keluar (meninggal, pindah, bekerja formal, usia, iuran, akhir tahun)"
    ),
    REJECTED: _("pendaftarannya ditolak BPJS TK; tidak pernah terlindungi"),
}


def empty() -> dict[str, int]:
    return dict.fromkeys((*FIGURES, "members"), 0)


def add(figures: dict[str, int], state: str, n: int) -> None:
    """Count ``n`` members in ``state`` into ``figures`` (``members`` = covered + pending)."""
    figure = FIGURE_OF_STATE[state]
    figures[figure] += n
    if figure in (COVERED, PENDING):
        figures["members"] += n


def member_figures(members: QuerySet[Member]) -> dict[str, int]:
    """``{covered, pending, exited, rejected, members}`` of ``members`` (one grouped query)."""
    out = empty()
    for state, n in members.order_by().values_list("state").annotate(n=Count("id")).values_list("state", "n"):
        add(out, state, int(n))
    return out


#: Not a member figure: people of the list in force still waiting for a place (shown beside them).
WAITING_LABEL = _("Daftar tunggu")


def figure_rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """``{key, label, short, definition, count}`` per figure for a template, in :data:`FIGURES` order."""
    return [
        {
            "key": key,
            "label": LABELS[key],
            "short": SHORT_LABELS[key],
            "definition": DEFINITIONS[key],
            "count": int(figures.get(key) or 0),
        }
        for key in FIGURES
    ]
