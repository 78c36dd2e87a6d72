"""Issue 8: roster linkage as an officer drives it -- `sigap roster import` links the roster to the
registry (NIK, then name, birth date, sex, region), `sigap roster review` shows the uncertain pairs
with probability and evidence, `confirm`/`reject` decide (audited), targeting counts the links as
"already insured", and next year's import remembers the decisions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from linkage.helpers import linkage_people, linkage_roster
from programmes.helpers import programme_document, read_decisions
from registry.registry_factory import roster_row, write_csv, write_roster_csv
from sigap.cli import _register, cli

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sigap(data_dir: Path) -> Any:
    _register()
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True) -> Any:
        result = runner.invoke(cli, [*args, "--json"], catch_exceptions=False)
        if not ok:
            return result
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    return invoke


def _decisions() -> dict[str, Any]:
    from sigap.programmes.actions import programme_apply, targeting_run

    programme, _, _ = programme_apply(document=programme_document(), source_name="t.toml")
    run = targeting_run(programme=programme, export=False)
    return {"run": run.pk, **{nik: d["decision"] for nik, d in read_decisions(run).items()}}


def test_import_links_reviews_decides_and_remembers(sigap: Any, tmp_path: Path) -> None:
    from sigap.audit.models import AuditEvent
    from sigap.programmes.models import LinkDecision

    people = linkage_people()
    nik = {i + 1: p["nomor_nik"] for i, p in enumerate(people)}
    sigap(
        "registry", "import", str(write_csv(tmp_path / "dtsen.csv", people)), "--reference-date", "2026-01-01"
    )
    out = sigap("roster", "import", str(write_roster_csv(tmp_path / "bpjs.csv", linkage_roster(people))),
                "--reference-date", "2026-01-01")  # fmt: skip
    assert (out["rows"], out["accepted"], out["rejected"]) == (6, 6, 0)
    linkage = out["linkage"]
    # linked: Siti by NIK; Iis (NIK typo, name written together), Djoko (no NIK, old spelling) and
    # Rina (impossible NIK) by the model; Budi waits for the officer; the outsider is nobody
    assert linkage["by_band"]["nik"] == 1 and linkage["linked_rows"] == 4 and linkage["review_rows"] == 1

    review = sigap("roster", "review")
    assert review["linkage"] == linkage["id"]
    pairs = sorted((c["source_row"], c["nik"]) for c in review["candidates"])
    assert pairs == sorted([(5, nik[4]), (5, nik[5])])  # roster row 5 = the 4th data row (header = row 1)
    budi = review["candidates"][0]
    assert budi["evidence"][:3] == ["nik_missing", "name_same", "birth_same"]
    assert "nama sama setelah dibakukan (gelar, ejaan lama, spasi)" in budi["evidence_words"]
    assert budi["probability"] >= 0.5  # likely on its own, but a rival is as likely: not automatic

    # before the officer decides, Budi (person 4) is still selectable; the linked people are not
    decisions = _decisions()
    assert [decisions[nik[i]] for i in (1, 2, 3, 6)] == ["ineligible"] * 4
    assert decisions[nik[4]] == "selected" and decisions[nik[7]] == "selected"
    # the pre-approval check lists the selected people waiting in the officer's queue
    check = sigap("run", "roster-check", str(decisions["run"]))
    assert sorted(m["nik"] for m in check["found"]) == sorted([nik[4], nik[5]])
    assert {m["rule"] for m in check["found"]} == {"linkage_review"}
    assert "tanggal lahir sama" in check["found"][0]["reason"]

    done = sigap("roster", "confirm", "--row", "5", "--nik", nik[4], "--note", "dicek ke KTP")
    assert (done["decision"], done["kpj"]) == ("confirmed", "25000000004")
    sigap("roster", "reject", "--row", "5", "--nik", nik[5])
    assert sigap("roster", "review")["candidates"] == []
    event = AuditEvent.objects.get(action="roster.link_confirm")
    assert event.after["nik"] == nik[4] and event.after["note"] == "dicek ke KTP"
    assert AuditEvent.objects.filter(action="roster.link_reject").count() == 1

    decisions = _decisions()
    assert decisions[nik[4]] == "ineligible" and decisions[nik[5]] == "selected"

    # a wrong pair is refused in words
    refused = sigap("roster", "confirm", "--row", "5", "--nik", nik[7], ok=False)
    assert refused.exit_code == 2 and "bukan pasangan calon" in refused.output

    # next year's roster: the same participants (one more); the decisions are remembered
    later = [*linkage_roster(people), roster_row(10, nik=nik[7], nama="WARGA BARU", tanggal_lahir="1988-06-06",
                                         kpj="25000000010")]  # fmt: skip
    again = sigap("roster", "import", str(write_roster_csv(tmp_path / "bpjs-2027.csv", later)))
    assert again["linkage"]["review_rows"] == 0 and again["linkage"]["by_band"]["confirmed"] == 1
    assert again["linkage"]["by_band"]["rejected"] == 1
    assert sigap("roster", "review")["candidates"] == []
    assert LinkDecision.objects.count() == 2
    same = sigap("roster", "import", str(tmp_path / "bpjs-2027.csv"))  # the same file: the same linkage
    assert same["created"] is False and same["linkage"]["id"] == again["linkage"]["id"]
    decisions = _decisions()
    assert decisions[nik[4]] == "ineligible" and decisions[nik[5]] == "selected"
    assert decisions[nik[7]] == "ineligible"


def test_the_officer_decides_in_the_browser(sigap: Any, tmp_path: Path) -> None:
    """The same queue on Kelola data > Pencocokan BPJS TK: each pair with its probability and evidence in
    words; "Orang yang sama" is remembered and audited; a pair outside the officer's area is refused."""
    from django.test import Client
    from django.urls import reverse

    from sigap.accounts.actions import user_create
    from sigap.audit.models import AuditEvent
    from sigap.programmes.models import LinkDecision

    people = linkage_people()
    nik = {i + 1: p["nomor_nik"] for i, p in enumerate(people)}
    sigap(
        "registry", "import", str(write_csv(tmp_path / "dtsen.csv", people)), "--reference-date", "2026-01-01"
    )
    sigap("roster", "import", str(write_roster_csv(tmp_path / "bpjs.csv", linkage_roster(people))),
          "--reference-date", "2026-01-01")  # fmt: skip
    admin = user_create(
        username="admin.dinas", password="sandi-rahasia-1", role="admin_dinas", area_code="3275"
    )
    bandung = user_create(
        username="admin.bdg", password="sandi-rahasia-1", role="admin_dinas", area_code="3273"
    )
    client, other = Client(), Client()
    client.force_login(admin)
    other.force_login(bandung)
    url = reverse("ops:linkage-review")
    page = client.get(url).content.decode()
    assert nik[4] in page and nik[5] in page and "nama sama setelah dibakukan" in page and "%" in page
    assert nik[4] not in other.get(url).content.decode()  # another city's officer sees none of it
    refused = other.post(url, {"source_row": "5", "nik": nik[4], "decision": "confirmed"}, follow=True)
    assert "tidak ada dalam antrean wilayah Anda" in refused.content.decode()
    assert LinkDecision.objects.count() == 0
    done = client.post(url, {"source_row": "5", "nik": nik[4], "decision": "confirmed"}, follow=True)
    assert "diingat untuk impor berikutnya" in done.content.decode()
    assert LinkDecision.objects.get(nik=nik[4]).decision == "confirmed"
    assert AuditEvent.objects.filter(action="roster.link_confirm", actor=admin).exists()
    assert nik[4] not in client.get(url).content.decode()  # decided: out of the queue
