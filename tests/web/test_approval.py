"""Persetujuan: Admin Dinas submits, Kepala Dinas approves or returns, annex downloads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sigap.accounts import roles
from sigap.audit.models import AuditEvent
from sigap.enrolment.models import Member
from sigap.programmes.models import TargetingRun

from .conftest import NIK_A, NIK_B, World

pytestmark = pytest.mark.django_db

#: The decree (SK) the Kepala Dinas types when approving (the form's field names).
SK = {
    "sk_number": "800/Kep.017-Disnaker/2026",
    "sk_date": "2026-01-05",
    "sk_place": "Bekasi",
    "signatory_name": "Drs. H. Ahmad Fauzi, M.Si.",
    "signatory_title": "Kepala Dinas Tenaga Kerja Kota Bekasi",
}


@pytest.fixture(autouse=True)
def _today(clock: Any) -> None:
    clock(dt.date(2026, 1, 10))  # the SK date (5 January 2026) is never after today


def _client(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _post(client: Client, name: str, run: TargetingRun, **data: str) -> Any:
    """POST like the browser does: read the CSRF token from the page first."""
    page = client.get(reverse("web:approvals"))
    token = (
        page.cookies["csrftoken"].value if "csrftoken" in page.cookies else client.cookies["csrftoken"].value
    )
    return client.post(reverse(name, args=[run.pk]), {"csrfmiddlewaretoken": token, **data}, follow=True)


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _state(run: TargetingRun) -> str:
    run.refresh_from_db()
    return run.state


def test_submit_then_approve_creates_members(world: World) -> None:
    admin = _client(world.users[roles.ADMIN_DINAS])
    page = admin.get(reverse("web:approvals"))
    assert page.status_code == 200
    assert reverse("web:approval-submit", args=[world.run.pk]).encode() in page.content

    response = _post(admin, "web:approval-submit", world.run)
    assert response.redirect_chain[-1][0] == reverse("web:approvals")
    assert _state(world.run) == TargetingRun.SUBMITTED
    assert world.run.submitted_by == world.users[roles.ADMIN_DINAS]
    assert any(f"#{world.run.pk}" in m for m in _messages(response))

    kepala = _client(world.users[roles.KEPALA_DINAS])
    page = kepala.get(reverse("web:approvals"))
    assert world.run.programme.name in page.content.decode()
    assert b"Rp403.200" in page.content  # the run's cost through the rupiah filter
    assert reverse("web:approval-approve", args=[world.run.pk]).encode() in page.content

    response = _post(kepala, "web:approval-approve", world.run, **SK)
    assert _state(world.run) == TargetingRun.APPROVED
    assert world.run.decided_by == world.users[roles.KEPALA_DINAS]
    assert set(Member.objects.filter(run=world.run).values_list("nik", flat=True)) == {NIK_A, NIK_B}
    assert any("2" in m and f"#{world.run.pk}" in m for m in _messages(response))


def test_maker_cannot_check_their_own_run(world: World) -> None:
    root = _client(world.users["superuser"])  # may submit and approve, but not the same run
    _post(root, "web:approval-submit", world.run)
    assert _state(world.run) == TargetingRun.SUBMITTED

    response = _post(root, "web:approval-approve", world.run)
    assert response.status_code == 200
    assert _state(world.run) == TargetingRun.SUBMITTED
    assert not Member.objects.filter(run=world.run).exists()
    assert any("maker-checker" in m for m in _messages(response))

    response = _post(root, "web:approval-return", world.run, reason="cek ulang")
    assert _state(world.run) == TargetingRun.SUBMITTED
    assert any("maker-checker" in m for m in _messages(response))


def test_return_with_reason_and_resubmit(world: World) -> None:
    _post(_client(world.users[roles.ADMIN_DINAS]), "web:approval-submit", world.run)
    kepala = _client(world.users[roles.KEPALA_DINAS])

    response = _post(kepala, "web:approval-return", world.run, reason="   ")
    assert _state(world.run) == TargetingRun.SUBMITTED
    assert any("perlu alasan" in m for m in _messages(response))

    response = _post(kepala, "web:approval-return", world.run, reason="Anggaran belum disahkan DPRD")
    assert _state(world.run) == TargetingRun.RETURNED
    assert world.run.return_reason == "Anggaran belum disahkan DPRD"
    assert "Anggaran belum disahkan DPRD" in response.content.decode()

    # Approving a returned run is refused and shown; the maker may resubmit it.
    response = _post(kepala, "web:approval-approve", world.run)
    assert _state(world.run) == TargetingRun.RETURNED
    assert any("ajukan dulu sebelum disetujui" in m for m in _messages(response))
    _post(_client(world.users[roles.ADMIN_DINAS]), "web:approval-submit", world.run)
    assert _state(world.run) == TargetingRun.SUBMITTED


@pytest.mark.parametrize("name", ["web:approval-submit", "web:approval-approve", "web:approval-return"])
def test_get_on_post_endpoints_is_405(world: World, name: str) -> None:
    user = world.users[roles.ADMIN_DINAS if name.endswith("submit") else roles.KEPALA_DINAS]
    response = _client(user).get(reverse(name, args=[world.run.pk]))
    assert response.status_code == 405
    assert _state(world.run) == TargetingRun.DRAFT


@pytest.mark.parametrize(
    ("persona", "page", "submit", "decide"),
    [
        (roles.ADMIN_DINAS, 200, "ok", 403),
        (roles.KEPALA_DINAS, 200, 403, "ok"),
        (roles.PIMPINAN, 403, 403, 403),
        (roles.AUDITOR, 403, 403, 403),
        (roles.OPERATOR_KECAMATAN, 403, 403, 403),
        (roles.OPERATOR_KELURAHAN, 403, 403, 403),
        ("no_profile", 403, 403, 403),
        ("superuser", 200, "ok", "ok"),
    ],
)
def test_roles(world: World, persona: str, page: int, submit: Any, decide: Any) -> None:
    client = Client()  # CSRF is checked in the other tests; here only the role decides
    client.force_login(world.users[persona])
    assert client.get(reverse("web:approvals")).status_code == page
    response = client.post(reverse("web:approval-submit", args=[world.run.pk]))
    assert response.status_code == (302 if submit == "ok" else submit)
    assert _state(world.run) == (TargetingRun.SUBMITTED if submit == "ok" else TargetingRun.DRAFT)
    if submit != "ok":
        _post(_client(world.users[roles.ADMIN_DINAS]), "web:approval-submit", world.run)
    for name in ("web:approval-return", "web:approval-approve"):
        response = client.post(reverse(name, args=[world.run.pk]), {"reason": "x", **SK})
        assert response.status_code == (302 if decide == "ok" else decide)
    assert _state(world.run) == TargetingRun.SUBMITTED or persona == roles.KEPALA_DINAS
    annex = client.get(reverse("web:approval-annex", args=[world.run.pk, "pdf"]))
    assert annex.status_code == (404 if page == 200 else 403)


def test_anonymous_is_sent_to_login(world: World) -> None:
    client = Client()
    login = reverse("web:login")
    for url in (reverse("web:approvals"), reverse("web:approval-annex", args=[world.run.pk, "pdf"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(login)
    for name in ("web:approval-submit", "web:approval-approve", "web:approval-return"):
        response = client.post(reverse(name, args=[world.run.pk]), {"reason": "x"})
        assert response.status_code == 302
        assert response["Location"].startswith(login)
    assert _state(world.run) == TargetingRun.DRAFT


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_annex_download(world: World, settings: Any) -> None:
    """The annex is written by a background job; the request that asks for it follows the job and
    downloads once it is written (here the job runs at once, as with a worker in the process)."""
    settings.TASKS = IMMEDIATE
    kepala = _client(world.users[roles.KEPALA_DINAS])
    pdf_url = reverse("web:approval-annex", args=[world.run.pk, "pdf"])
    assert kepala.get(pdf_url).status_code == 404  # a draft has no annex

    _post(_client(world.users[roles.ADMIN_DINAS]), "web:approval-submit", world.run)
    _post(kepala, "web:approval-approve", world.run, **SK)
    page = kepala.get(reverse("web:approvals"))
    assert pdf_url.encode() in page.content

    response = kepala.get(pdf_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="annex.export").count() == 1
    assert AuditEvent.objects.filter(action="annex.download").count() == 1

    # Second download (other format) reuses the written files: no new annex.export, one more download row.
    response = kepala.get(reverse("web:approval-annex", args=[world.run.pk, "xlsx"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"PK")
    assert AuditEvent.objects.filter(action="annex.export").count() == 1
    assert AuditEvent.objects.filter(action="annex.download").count() == 2
    assert kepala.get(reverse("web:approval-annex", args=[world.run.pk, "doc"])).status_code == 404


def test_english_page_and_messages(world: World) -> None:
    admin = _client(world.users[roles.ADMIN_DINAS])
    admin.cookies["django_language"] = "en"
    page = admin.get(reverse("web:approvals")).content.decode()
    assert "Approval of targeting runs" in page and ">Submit<" in page
    response = _post(admin, "web:approval-submit", world.run)
    assert f"Run #{world.run.pk} submitted for approval." in _messages(response)


# --------------------------------------------------------------------------- the decree (SK)


def test_approval_asks_for_the_decree_and_keeps_what_was_typed(world: World) -> None:
    _post(_client(world.users[roles.ADMIN_DINAS]), "web:approval-submit", world.run)
    kepala = _client(world.users[roles.KEPALA_DINAS])
    page = kepala.get(reverse("web:approvals")).content.decode()
    pk = world.run.pk
    for field in ("sk_number", "sk_date", "sk_place", "signatory_name", "signatory_title"):
        assert f'id="sk{pk}_{field}"' in page and f'name="{field}"' in page
    assert f'name="sk_place" value="Bekasi" maxlength="100" required id="sk{pk}_sk_place"' in page
    assert f'name="sk_date" value="2026-01-10" required id="sk{pk}_sk_date"' in page  # today by default

    missing = _post(kepala, "web:approval-approve", world.run, sk_number="800/Kep.017-Disnaker/2026")
    assert missing.status_code == 400 and _state(world.run) == TargetingRun.SUBMITTED
    assert not Member.objects.exists()
    text = missing.content.decode()
    assert "lengkapi dan periksa data Surat Keputusan (SK)" in text
    assert 'value="800/Kep.017-Disnaker/2026"' in text  # kept
    assert text.count('class="errorlist"') >= 3  # date, name and title are required

    wrong = _post(
        kepala,
        "web:approval-approve",
        world.run,
        **{**SK, "sk_number": "tanpa nomor", "sk_date": "2026-01-11"},
    )
    assert wrong.status_code == 400 and _state(world.run) == TargetingRun.SUBMITTED
    text = wrong.content.decode()
    assert "harus memuat angka" in text and "11 Januari 2026 sesudah hari ini (10 Januari 2026)" in text

    done = _post(kepala, "web:approval-approve", world.run, **SK)
    assert _state(world.run) == TargetingRun.APPROVED
    assert (world.run.sk_number, world.run.sk_date) == (SK["sk_number"], dt.date(2026, 1, 5))
    assert world.run.sk_signatory_title == SK["signatory_title"]
    assert any(SK["sk_number"] in m for m in _messages(done))
    assert f"SK {SK['sk_number']}, 5 Januari 2026" in done.content.decode()  # the decided list names it
    event = AuditEvent.objects.get(action="run.approve")
    assert event.after["decree"]["signatory_name"] == SK["signatory_name"]


def test_the_next_decree_offers_the_last_signatory(world: World) -> None:
    from factories import make_programme
    from sigap.programmes.actions import targeting_run

    _post(_client(world.users[roles.ADMIN_DINAS]), "web:approval-submit", world.run)
    kepala = _client(world.users[roles.KEPALA_DINAS])
    _post(kepala, "web:approval-approve", world.run, **{**SK, "sk_place": "Kota Bekasi"})
    second = make_programme("SIGAP-LAIN-2026", region=world.programme.region)  # another list of the region
    other = targeting_run(programme=second, snapshot=world.run.snapshot, export=False)
    TargetingRun.objects.filter(pk=other.pk).update(state=TargetingRun.SUBMITTED)
    page = kepala.get(reverse("web:approvals")).content.decode()
    assert f'id="sk{other.pk}_signatory_name"' in page
    assert 'value="Drs. H. Ahmad Fauzi, M.Si."' in page and 'value="Kota Bekasi"' in page
    assert f'value="{SK["sk_number"]}"' not in page  # the number is new for every decree
