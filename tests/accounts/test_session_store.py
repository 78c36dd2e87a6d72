"""Sessions loaded with one plain statement (``sigap.accounts.session_store``): the same sessions as
Django's database engine -- valid until they expire, unknown or expired ones start afresh."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from sigap.accounts.session_store import SessionStore

pytestmark = pytest.mark.django_db


def test_the_configured_engine() -> None:
    assert settings.SESSION_ENGINE == "sigap.accounts.session_store"


def test_reads_what_django_wrote_and_the_other_way_round() -> None:
    theirs = DjangoStore()
    theirs["x"] = [1, "dua"]
    theirs.save()
    ours = SessionStore(theirs.session_key)
    assert ours["x"] == [1, "dua"] and ours.session_key == theirs.session_key
    ours["y"] = 3
    ours.save()
    again = DjangoStore(theirs.session_key)
    assert again["x"] == [1, "dua"] and again["y"] == 3


def test_unknown_expired_and_malformed_keys_start_a_new_session() -> None:
    kept = SessionStore()
    kept["x"] = 1
    kept.save()
    Session.objects.filter(session_key=kept.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    for key in (kept.session_key, "z" * 32, "' OR 1=1 --xxxxxxxx", None, "short"):
        store = SessionStore(key)
        assert store.load() == {} and store.session_key is None
        assert "x" not in store


def test_a_logged_in_officer_stays_in_until_the_session_expires(client: Client) -> None:
    from sigap.accounts.actions import user_create
    from sigap.accounts.roles import ADMIN_DINAS

    officer: Any = user_create(
        username="admin-sesi", password="sandi-rahasia-1", role=ADMIN_DINAS, area_code="3275"
    )
    client.force_login(officer)
    assert client.get("/kelola/pengguna/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/kelola/pengguna/")
    assert response.status_code == 302 and "/masuk/" in response["Location"]
