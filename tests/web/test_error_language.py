"""The errors a web user sees are Bahasa Indonesia, with English as their translation.

Every refusal (``UserError``) raised by the actions the screens reach is written for gettext; a few
are driven through the screens in both languages; the machine-readable parts the command line and
the API rely on (run numbers, NIKs, SP2D numbers, ``maker-checker``) are in both.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

import sigap
from sigap.errors import UserError

from .conftest import KEL_A, NIK_A, World, approve

pytestmark = pytest.mark.django_db

SRC = Path(sigap.__file__).parent

#: The actions and views the screens reach: their refusals are shown to officers as they are.
WEB_MODULES = (
    "accounts/actions.py",
    "accounts/guards.py",
    "billing/actions.py",
    "billing/views.py",
    "claims/actions.py",
    "enrolment/actions.py",
    "enrolment/response.py",
    "jobs/actions.py",
    "jobs/forms.py",
    "jobs/kinds.py",
    "pengaduan/actions.py",
    "programmes/actions.py",
    "programmes/roster_review.py",
    "registry/ingest/mapping.py",
    "usulan/actions.py",
    "usulan/files.py",
)
#: Functions of those modules the screens never reach (the command line's own year-end work);
#: their messages stay as they are until a screen offers them.
CLI_ONLY = {"programme_close", "programme_renew", "member_reinstate", "members_reinstate", "lapsed_members"}


def _translated(node: ast.expr) -> bool:
    """``_("...")``, ``_("...") % {...}``, ``gettext(...)`` or a variable built that way earlier."""
    if isinstance(node, ast.BinOp):
        return _translated(node.left)
    if isinstance(node, ast.IfExp):
        return _translated(node.body) and _translated(node.orelse)
    if isinstance(node, ast.Call):
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        return name in {"_", "gettext", "gettext_lazy", "ngettext", "Problem", "coverage_refusal"}
    return isinstance(
        node, ast.Name | ast.Attribute | ast.Subscript
    )  # a message made (and translated) before


def test_every_refusal_the_screens_show_is_written_for_translation() -> None:
    untranslated = []
    for name in WEB_MODULES:
        tree = ast.parse((SRC / name).read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) or function.name in CLI_ONLY:
                continue
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", "") in ("UserError", "FieldError")
                    and node.args
                    and not _translated(node.args[0])
                ):
                    untranslated.append(f"{name}:{node.lineno} {ast.unparse(node.args[0])[:80]}")
    assert not untranslated, "\n".join(untranslated)


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _client(user: Any, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("id", "mengajukan penetapan #{pk} sehingga tidak boleh juga menyetujui (maker-checker"),
        ("en", "submitted run #{pk} and cannot also approve it (maker-checker"),
    ],
)
def test_a_refused_approval_reads_in_the_page_language(world: World, language: str, expected: str) -> None:
    from sigap.enrolment.actions import run_submit

    run_submit(run=world.run, acting_user=world.users["superuser"])
    response = _client(world.users["superuser"], language).post(
        reverse("web:approval-approve", args=[world.run.pk]), follow=True
    )
    expected = expected.format(pk=world.run.pk)
    assert any(expected in m for m in _messages(response)), _messages(response)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("id", "Alasan penolakan wajib diisi."), ("en", "A reason for the rejection is required.")],
)
def test_a_refused_usulan_reads_in_the_page_language(
    world: World, clock: Any, language: str, expected: str
) -> None:
    from sigap.usulan.actions import usulan_submit

    clock(dt.date(2026, 12, 5))
    approve(world)
    request = usulan_submit(
        kind="desil",
        kode_kelurahan=KEL_A,
        nik=NIK_A,
        proposed={"desil": 3},
        acting_user=world.users["operator_kelurahan"],
    )
    response = _client(world.users["operator_kecamatan"], language).post(
        reverse("web:usulan:reject", args=[request.number]), {"reason": " "}, follow=True
    )
    assert expected in response.content.decode()


def test_a_refused_payment_keeps_its_numbers_in_both_languages(world: World) -> None:
    from sigap.billing.actions import payment_record

    for language, words in (("id", "jumlah harus rupiah bulat di atas 0"), ("en", "must be a whole number")):
        with translation.override(language), pytest.raises(UserError) as refused:
            payment_record(
                programme=world.programme,
                sp2d_number="900/SP2D/2026",
                sp2d_date=dt.date(2026, 2, 1),
                amount=0,
            )
        assert "SP2D 900/SP2D/2026" in refused.value.message and words in refused.value.message
