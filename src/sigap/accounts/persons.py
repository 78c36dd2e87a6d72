"""Separation of duties by person, not by account.

Whoever creates an account chooses its first password, and whoever asks for an account's role chose
who gets that power: both stay linked to the account.  Two accounts belong to the *same person* when
one of them made the other (directly or through a chain of accounts: ``Profile.owner`` is always the
root), when one asked for the other's role, or when both lead back to one such person.  Maker-checker
(run approval) and role grants refuse the same person on both sides.
"""

from __future__ import annotations

from typing import Any


def person_of(user: Any) -> int:
    """The id of the person accountable for ``user``: its owner, or the account itself."""
    from sigap.accounts.models import Profile

    owner = Profile.objects.filter(user_id=user.pk).values_list("owner_id", flat=True).first()
    return int(owner or user.pk)


def persons(user: Any) -> frozenset[int]:
    """Every person behind an account: itself, its owner, who asked for its current role and who asked
    for it to be created (a new account waiting for its role has no profile yet)."""
    from sigap.accounts.models import Profile, RoleGrant

    if user is None or getattr(user, "pk", None) is None:
        return frozenset()
    found = {int(user.pk)}
    row = Profile.objects.filter(user_id=user.pk).values("owner_id", "role_requested_by_id").first()
    linked = []
    if row is not None:
        if row["owner_id"]:
            found.add(int(row["owner_id"]))
        linked.append(row["role_requested_by_id"])
    linked += RoleGrant.objects.filter(user_id=user.pk, new_account=True).values_list(
        "requested_by_id", flat=True
    )
    for other in {pk for pk in linked if pk}:
        found.add(int(other))
        owner = Profile.objects.filter(user_id=other).values_list("owner_id", flat=True).first()
        if owner:
            found.add(int(owner))
    return frozenset(found)


def same_person(a: Any, b: Any) -> bool:
    """True when the two accounts may be in one person's hands (see the module docstring)."""
    if a is None or b is None:
        return False
    return a.pk == b.pk or bool(persons(a) & persons(b))
