"""Roles (Django groups) and the area each one may see. Decided once, here."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ADMIN_DINAS = "admin_dinas"
KEPALA_DINAS = "kepala_dinas"
OPERATOR_KECAMATAN = "operator_kecamatan"
OPERATOR_KELURAHAN = "operator_kelurahan"
PIMPINAN = "pimpinan"
AUDITOR = "auditor"

ROLES = [
    (ADMIN_DINAS, _("Admin Dinas")),
    (KEPALA_DINAS, _("Kepala Dinas (penyetuju)")),
    (OPERATOR_KECAMATAN, _("Operator kecamatan")),
    (OPERATOR_KELURAHAN, _("Operator kelurahan")),
    (PIMPINAN, _("Pimpinan")),
    (AUDITOR, _("Auditor")),
]

#: Length of the region code that bounds each role's area.
AREA_CODE_LENGTH = {
    ADMIN_DINAS: (2, 4),
    KEPALA_DINAS: (2, 4),
    PIMPINAN: (2, 4),
    AUDITOR: (2, 4),
    OPERATOR_KECAMATAN: (6,),
    OPERATOR_KELURAHAN: (10,),
}

#: Roles that approve lists or audit everyone's work.  Granting one (a new account with it, or an account
#: changed to it or moved to another area with it) is a *request* that another person confirms
#: (:func:`sigap.accounts.actions.user_role_confirm`); until then the account has no such role.
CONFIRMED_ROLES = frozenset({KEPALA_DINAS, AUDITOR})

#: Roles that manage accounts inside their area: create, change a role, confirm or refuse a grant.
GRANT_ROLES = frozenset({ADMIN_DINAS})

#: Roles that may see personal data (NIK, names, birth dates) within their area.
PERSONAL_DATA_ROLES = frozenset({ADMIN_DINAS, KEPALA_DINAS, OPERATOR_KECAMATAN, OPERATOR_KELURAHAN, AUDITOR})

#: Model permissions granted to each role's group (app_label.codename).
PERMISSIONS = {
    ADMIN_DINAS: [
        "registry.view_snapshot",
        "registry.add_snapshot",
        "programmes.view_programme",
        "programmes.add_programme",
        "programmes.change_programme",
        "programmes.view_targetingrun",
        "programmes.add_targetingrun",
    ],
    KEPALA_DINAS: ["programmes.view_programme", "programmes.view_targetingrun", "registry.view_snapshot"],
    OPERATOR_KECAMATAN: [],
    OPERATOR_KELURAHAN: [],
    PIMPINAN: [],
    AUDITOR: [
        "audit.view_auditevent",
        "registry.view_snapshot",
        "programmes.view_programme",
        "programmes.view_targetingrun",
    ],
}
