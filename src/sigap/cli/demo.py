"""``sigap demo``: the whole first slice on embedded defaults, then the web summary."""

from __future__ import annotations

import datetime as dt
import secrets
import signal
import sys
from pathlib import Path
from typing import Any

import click
from django.utils.translation import gettext

from sigap.cli.common import console, emit, handle_errors, json_option, number, progress, setup_django

DEMO_PROGRAMME = """\
[programme]
code = "SIGAP-2026"
name = "SIGAP — Siap Jaga Pekerja Informal 2026"
region = "{region}"
fiscal_year = 2026
budget = {budget}
coverage_start = "2026-01"
funding = "APBD"

[eligibility]
desil_max = 5
age_min = 18
age_max = 60
occupations_included = "informal"

[priority]
order = ["desil", "occupation_risk", "age_desc"]
"""


@click.command()
@click.option("--people", default=300_000, show_default=True, help="Registry size to generate.")
@click.option("--region", default="3275", show_default=True, help="Kab/kota code (3275 = Kota Bekasi).")
@click.option("--budget", default=2_000_000_000, show_default=True, help="APBD budget in rupiah.")
@click.option("--seed", default=2026, show_default=True)
@click.option("--clean", is_flag=True, help="Generate clean data (default: realistic defects to reject).")
@click.option(
    "--targeting-only",
    is_flag=True,
    help="Stop after the targeting run (default: also approve, enrol, invoice and pay the months so far, "
    "and add sample incidents, data-update requests and grievances, so every screen has data).",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Play the year up to this day (YYYY-MM-DD; default: today).",
)
@click.option("--serve/--no-serve", default=True, help="Serve the web app afterwards.")
@click.option("--port", default=8000, show_default=True)
@json_option
@handle_errors
def demo(
    people: int,
    region: str,
    budget: int,
    seed: int,
    clean: bool,
    targeting_only: bool,
    today: dt.datetime | None,
    serve: bool,
    port: int,
    as_json: bool,
) -> None:
    """Generate, import, define SIGAP 2026, run targeting, export, and serve the summary."""
    setup_django()
    import tomllib

    from django.conf import settings

    from sigap.programmes.actions import programme_apply, targeting_run
    from sigap.programmes.selectors import list_in_force
    from sigap.registry.actions import snapshot_import
    from sigap.synth import DirtyKnobs, generate_registry, generate_roster, write_table

    demo_dir = Path(settings.DATA_DIR) / "demo"
    demo_dir.mkdir(parents=True, exist_ok=True)
    dirty = DirtyKnobs() if clean else DirtyKnobs.preset()
    flavour = "clean" if clean else "dirty"
    registry_file = demo_dir / f"dtsen_{region}_{people}_{seed}_{flavour}.csv"
    roster_file = demo_dir / f"bpjstk_roster_{region}_{people}_{seed}_{flavour}.csv"
    reference_date = dt.date(2026, 1, 1)

    with progress(not as_json) as report:
        if not registry_file.exists() or not roster_file.exists():
            report("Membuat registri sintetis / generating registry", 0, 1)
            table = generate_registry(
                region=region, people=people, seed=seed, dirty=dirty, reference_date=reference_date
            )
            write_table(table, registry_file)
            write_table(generate_roster(table, seed=seed, dirty=dirty), roster_file)
            report("Membuat registri sintetis / generating registry", 1, 1)
        registry = snapshot_import(path=registry_file, reference_date=reference_date, progress=report)
        roster = snapshot_import(
            path=roster_file, kind="roster", reference_date=reference_date, progress=report
        )
        document = tomllib.loads(DEMO_PROGRAMME.format(region=region, budget=budget))
        programme, _, _ = programme_apply(document=document, source_name="demo")
        # A demo played before has an approved list: that list is the programme's truth, shown again
        # (a second initial list is refused once one is approved).
        run = list_in_force(programme) or targeting_run(
            programme=programme, snapshot=registry.snapshot, roster=roster.snapshot, progress=report
        )

    password = _demo_admin()
    users = _demo_users(region=region, run=run)
    year: dict[str, Any] = {}
    if not targeting_only:
        from sigap.cli.demo_year import demo_year

        kelurahan = next(u["area_code"] for u in users if u["role"] == "operator_kelurahan")
        year = demo_year(
            programme=programme,
            run=run,
            kelurahan=kelurahan,
            demo_dir=demo_dir,
            today=today.date() if today else dt.date.today(),
        )
    result: dict[str, Any] = {
        "registry_file": str(registry_file),
        "snapshot": registry.snapshot.pk,
        "rows": registry.rows,
        "accepted": registry.accepted,
        "rejected": registry.rejected,
        "warnings": registry.warnings,
        "report": str(registry.snapshot.report_file or ""),
        "roster": roster.snapshot.pk,
        "run": run.pk,
        "eligible": run.eligible,
        "selected": run.selected,
        "waiting": run.waiting,
        "cost_per_person": run.cost_per_person,
        "cost": run.cost,
        "budget": run.budget,
        "remaining": run.remaining,
        "exports": {k: str(Path(settings.DATA_DIR) / v) for k, v in run.exports.items()},
        "url": f"http://127.0.0.1:{port}/runs/{run.pk}/",
        "admin_user": "admin",
        "admin_password": password,
        "users": users,
        "year": year,
    }
    emit(result, as_json=as_json, human=_print_summary)
    if serve:
        from django.core.management import call_command

        from sigap.jobs.worker import needs_worker, worker_start, worker_stop

        console.print(
            gettext("Membuka http://127.0.0.1:%(port)s/ (Ctrl+C untuk berhenti)") % {"port": port},
            highlight=False,
            markup=False,
        )
        # jobs started in the browser (imports, targeting runs) wait in the database for this worker
        worker = worker_start() if needs_worker() else None
        # SIGTERM ends the demo like Ctrl+C does, so the worker is stopped too
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        try:
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
        finally:
            signal.signal(signal.SIGTERM, previous)
            if worker is not None:
                worker_stop(worker)


def _demo_admin() -> str:
    """Create (or reset) the demo superuser and return its fresh password."""
    from django.contrib.auth import get_user_model

    password = secrets.token_urlsafe(9)
    user, _ = get_user_model().objects.get_or_create(username="admin", defaults={"is_staff": True})
    user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    return password


def _demo_users(*, region: str, run: Any) -> list[dict[str, str]]:
    """One user per role (fresh random passwords on every demo run); the kelurahan operator gets
    the demo region's kelurahan with the most selected people, so the screens have data."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from sigap.accounts import roles
    from sigap.accounts.actions import user_create
    from sigap.accounts.models import Profile
    from sigap.reference import regions

    kelurahan = [
        row["code"]
        for row in sorted(
            (run.summary or {}).get("per_kelurahan", []), key=lambda r: -int(r.get("selected") or 0)
        )
        if str(row.get("code", "")).startswith(region) and len(str(row["code"])) == 10
    ] or [r.code for r in regions().descendants(region, "desa_kelurahan")]
    kel = kelurahan[0] if kelurahan else region
    areas = {
        roles.ADMIN_DINAS: region,
        roles.KEPALA_DINAS: region,
        roles.PIMPINAN: region,
        roles.AUDITOR: region,
        roles.OPERATOR_KECAMATAN: kel[:6],
        roles.OPERATOR_KELURAHAN: kel,
    }
    users = []
    for role, area in areas.items():
        username = role.replace("_", ".")
        password = secrets.token_urlsafe(9)
        existing = get_user_model().objects.filter(username=username).first()
        if existing is None:
            user_create(username=username, password=password, role=role, area_code=area)
        else:
            existing.set_password(password)
            existing.save()
            Profile.objects.update_or_create(user=existing, defaults={"role": role, "area_code": area})
            existing.groups.set([Group.objects.get(name=role)])
        users.append({"username": username, "password": password, "role": role, "area_code": area})
    return users


def _print_summary(r: dict[str, Any]) -> None:
    from rich.table import Table

    from sigap.core.money import format_rupiah

    t = gettext
    table = Table(title=t("SIGAP 2026 — ringkasan"), show_header=False)
    rows = [
        (
            t("Registri"),
            t("%(rows)s baris, %(accepted)s diterima, %(rejected)s ditolak")
            % {
                "rows": number(r["rows"]),
                "accepted": number(r["accepted"]),
                "rejected": number(r["rejected"]),
            },
        ),
        (t("Laporan penolakan"), r["report"]),
        (t("Memenuhi syarat"), number(r["eligible"])),
        (t("Terpilih"), number(r["selected"])),
        (t("Daftar tunggu"), number(r["waiting"])),
        (t("Biaya per orang"), format_rupiah(r["cost_per_person"])),
        (t("Anggaran"), format_rupiah(r["budget"])),
        (t("Biaya"), format_rupiah(r["cost"])),
        (t("Sisa"), format_rupiah(r["remaining"])),
    ]
    year = r.get("year") or {}
    if "members" in year:
        rows += [
            (
                t("Disetujui"),
                t("%(n)s peserta, batch %(batch)s") % {"n": number(year["members"]), "batch": year["batch"]},
            ),
            (
                t("Jawaban BPJS TK"),
                t("%(accepted)s diterima, %(rejected)s ditolak")
                % {"accepted": number(year["bpjs_accepted"]), "rejected": number(year["bpjs_rejected"])},
            ),
            (
                t("Tagihan"),
                t("%(months)s bulan, %(paid)s dibayar (SP2D)")
                % {"months": year["invoices"], "paid": year["payments"]},
            ),
            (
                t("Contoh"),
                t("%(incidents)s kejadian, %(usulan)s usulan, %(grievances)s pengaduan")
                % {
                    "incidents": year["incidents"],
                    "usulan": year["usulan"],
                    "grievances": year["grievances"],
                },
            ),
        ]
    for label, value in rows:
        table.add_row(label, value)
    console.print(table)
    for name, path in r["exports"].items():
        console.print(f"  {name}: {path}", highlight=False)
    console.print(
        t("Web: %(url)s  (masuk: %(user)s / %(password)s)")
        % {"url": r["url"], "user": r["admin_user"], "password": r["admin_password"]},
        highlight=False,
        markup=False,
    )
    people = Table(title=t("Pengguna demo (satu per peran)"))
    for column in (t("nama pengguna"), t("kata sandi"), t("peran"), t("wilayah")):
        people.add_column(column)
    for u in r.get("users", []):
        people.add_row(u["username"], u["password"], u["role"], u["area_code"])
    console.print(people)


def register(cli: click.Group) -> None:
    cli.add_command(demo)
