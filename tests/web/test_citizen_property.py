"""Property test of the public status check (issue 12, finding 2, as a class): whatever is typed,
the page answers 200, an answer never shows the NIK or KK number typed (a refused form shows the
citizen's own input back to correct it), and any pair that is not a person's own NIK + KK gets exactly
the answer an unknown NIK gets."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from .conftest import KK, NIK_A, NIK_POOR_FIT, NIK_WAIT, approve

pytestmark = pytest.mark.django_db
URL = "/cek-status/"
PEOPLE = (NIK_A, NIK_WAIT, NIK_POOR_FIT)
UNKNOWN = "3275019999999999"

digits = st.text(alphabet="0123456789", min_size=16, max_size=16)
typed = st.one_of(
    digits,
    st.text(max_size=30),  # anything, including control characters, NUL and other scripts
    st.sampled_from(PEOPLE).map(lambda nik: f" {nik[:4]}-{nik[4:10]}.{nik[10:]} "),  # spaces, dots, dashes
    st.sampled_from([KK[nik] for nik in PEOPLE]),
)


def _answer(page: str) -> str:
    return page.split('<section class="answer"')[1].split("</section>")[0] if 'class="answer"' in page else ""


@pytest.fixture
def unknown_page(world: Any, settings: Any) -> str:
    settings.SIGAP_CITIZEN_CHECK_PER_IP = 10**9
    settings.SIGAP_CITIZEN_CHECK_PER_NIK = 10**9
    approve(world)
    page = Client().post(URL, {"nik": UNKNOWN, "kk": KK[NIK_A]}).content.decode()
    assert "Data tidak ditemukan" in _answer(page)
    return _answer(page)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(nik=typed, kk=typed)
@example(nik=NIK_A, kk=KK[NIK_A])  # the own pairs, as typed and with spaces and dashes
@example(nik=f" {NIK_WAIT[:6]}-{NIK_WAIT[6:]} ", kk=KK[NIK_WAIT])
@example(nik=NIK_POOR_FIT, kk=KK[NIK_A])  # a real KK number, of someone else
def test_any_input_gets_a_page_and_only_the_own_pair_opens_it(unknown_page: str, nik: str, kk: str) -> None:
    response = Client().post(URL, {"nik": nik, "kk": kk})
    assert response.status_code == 200
    page = response.content.decode()
    clean_nik = "".join(ch for ch in nik if not ch.isspace() and ch not in ".-")
    clean_kk = "".join(ch for ch in kk if not ch.isspace() and ch not in ".-")
    answer = _answer(page)
    if answer:  # an answer comes with a fresh, empty form: what was typed is not in the page
        assert clean_nik not in page and clean_kk not in page
    if clean_nik in PEOPLE and clean_kk == KK[clean_nik]:
        assert answer and "Data tidak ditemukan" not in answer
    elif answer:
        assert answer == unknown_page  # a wrong pair is indistinguishable from an unknown NIK
