"""Role and area checks inside actions (the views check too; an action must hold on its own).

``None`` as the actor means the system itself (CLI without ``--as``, tasks, the public page) and a
superuser passes every check.  Messages are Indonesian: they reach operators through the forms.
"""

from __future__ import annotations

from collections.abc import Collection

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sigap.audit.actions import Actor
from sigap.errors import UserError


def role_name(user: Actor) -> str | None:
    """The user's role; ``"superuser"`` for a superuser; None without a user or a profile."""
    if user is None:
        return None
    if getattr(user, "is_superuser", False):
        return "superuser"
    profile = getattr(user, "profile", None)
    return str(profile.role) if profile is not None else None


def area_of(user: Actor) -> str:
    """The region code bounding the user's area ("" = everywhere: system or superuser)."""
    if user is None or getattr(user, "is_superuser", False):
        return ""
    profile = getattr(user, "profile", None)
    if profile is None:
        raise UserError(_("Akun ini belum punya peran dan wilayah."))
    return str(profile.area_code)


def require_role(user: Actor, roles: Collection[str], what: str) -> None:
    role = role_name(user)
    if user is None or role == "superuser":
        return
    if role not in roles:
        raise UserError(_("Peran Anda tidak boleh %(what)s.") % {"what": _(what)})  # the verb: a msgid too


def require_area(user: Actor, kode_kelurahan: str) -> None:
    prefix = area_of(user)
    if not kode_kelurahan.startswith(prefix):
        raise UserError(
            _("Kelurahan %(kode_kelurahan)s di luar wilayah Anda (%(prefix)s).")
            % {"kode_kelurahan": kode_kelurahan, "prefix": prefix}
        )


#: What ``require_region`` checks, in words (callers name it in English, as code).
REGION_WHAT = {
    "area code": gettext_lazy("kode wilayah"),
    "client area": gettext_lazy("wilayah klien"),
    "programme region": gettext_lazy("wilayah program"),
    "programme": gettext_lazy("program"),
    "user area": gettext_lazy("wilayah pengguna"),
}


def require_region(user: Actor, code: str, *, what: str) -> None:
    """Refuse a region or area code outside the user's own area (a Dinas manages its own region).

    A user without a profile (a script's account) is not checked here: such an account cannot use
    the web app, and the command line is run by whoever administers the server.
    """
    if user is None or getattr(user, "is_superuser", False) or getattr(user, "profile", None) is None:
        return
    prefix = area_of(user)
    if not str(code).startswith(prefix):
        raise UserError(
            _("%(what)s %(code)s di luar wilayah Anda (%(prefix)s).")
            % {"what": capfirst(str(REGION_WHAT.get(what, what))), "code": code, "prefix": prefix}
        )
