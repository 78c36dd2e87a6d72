"""Shared CLI plumbing: Django set-up, JSON output, progress bars, user errors."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from sigap.core.money import Month
from sigap.errors import UserError

F = TypeVar("F", bound=Callable[..., Any])
console = Console(stderr=True)


def setup_django(*, migrate: bool = True) -> None:
    """Configure Django; on the embedded default, create/upgrade the database quietly."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")
    import django
    from django.conf import settings

    django.setup()
    from pathlib import Path

    from django.utils import translation

    translation.activate(cli_language())

    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def cli_language() -> str:
    """The language of the command's sentences: ``SIGAP_LANGUAGE`` (``id``, ``en``, ``en_US``...) when
    it names one of SIGAP's languages, else the installation's ``LANGUAGE_CODE`` (Bahasa Indonesia).

    ``LANG`` is not read: most servers and containers set ``en_US.UTF-8`` or ``C.UTF-8`` whatever the
    officer reads.  ``--json`` output is the same in every language (keys and codes, no sentences).
    """
    from django.conf import settings

    wanted = os.environ.get("SIGAP_LANGUAGE", "").strip().lower().replace("_", "-")
    codes = {code for code, _name in settings.LANGUAGES}
    for candidate in (wanted, wanted.split("-")[0]):
        if candidate in codes:
            return candidate
    return str(settings.LANGUAGE_CODE)


def number(value: int) -> str:
    """A count as the active language writes it: 1.234.567 in Bahasa Indonesia, 1,234,567 in English."""
    from django.utils.formats import number_format

    return number_format(value, force_grouping=True)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object (for scripts).")(func)


def emit(result: dict[str, Any], *, as_json: bool, human: Callable[[dict[str, Any]], None]) -> None:
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, default=str))
    else:
        human(result)


def handle_errors(func: F) -> F:
    """Turn :class:`UserError` into a clear message and exit status 2 (JSON-aware)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UserError as e:
            if kwargs.get("as_json"):
                click.echo(json.dumps({"error": e.message, "details": e.details}, ensure_ascii=False))
            else:
                # the text is the user's (``[eligibility] desil_mx``), never rich markup
                console.print(f"[bold red]Gagal / Error:[/] {escape(e.message)}", highlight=False)
                for line in e.details[:50]:
                    console.print(f"  - {line}", highlight=False, markup=False)
                if len(e.details) > 50:
                    console.print(f"  ... and {len(e.details) - 50} more", highlight=False)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


class Reporter:
    """Progress callback handed to long actions: ``step(description, completed, total)``."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._tasks: dict[str, Any] = {}

    def __call__(self, description: str, completed: float | None = None, total: float | None = None) -> None:
        if self._progress is None:
            return
        task = self._tasks.get(description)
        if task is None:
            task = self._progress.add_task(description, total=total)
            self._tasks[description] = task
        self._progress.update(task, completed=completed, total=total)


@contextlib.contextmanager
def progress(enabled: bool = True) -> Iterator[Reporter]:
    """Progress bars for a long action -- and, with Django set up, its working folders kept fresh
    while it runs, so a clean-up elsewhere never takes them for a killed process's leftovers
    (:mod:`sigap.jobs.lease`)."""
    with _workdirs_kept():
        if not enabled or not console.is_terminal:
            yield Reporter(None)
            return
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            yield Reporter(bar)


def _workdirs_kept() -> contextlib.AbstractContextManager[object]:
    from django.apps import apps

    if not apps.ready:  # e.g. ``sigap generate``: no data folder involved
        return contextlib.nullcontext()
    from sigap.jobs.lease import workdirs_kept

    return workdirs_kept()


def acting_user(username: str | None) -> Any:
    """The user named by ``--as`` (None when not given); refuses unknown or inactive users."""
    if not username:
        return None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise UserError(f"--as: user '{username}' does not exist")
    if not user.is_active:
        raise UserError(f"--as: user '{username}' is not active")
    return user


def programme_by_code(code: str) -> Any:
    """The programme named by ``--programme``; a clear message when it does not exist."""
    from sigap.programmes.models import Programme

    programme = Programme.objects.filter(code=code).first()
    if programme is None:
        raise UserError(f"--programme: programme '{code}' does not exist (sigap programme list)")
    return programme


def parse_date_option(text: str | None, option: str) -> dt.date:
    """An ISO date given to ``option``; today's date (local time zone) when not given."""
    if text is None:
        from django.utils import timezone

        return timezone.localdate()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"{option}: '{text}' is not a date like 2026-07-15") from None


def parse_month_option(text: str, option: str) -> Month:
    try:
        return Month.parse(text.strip())
    except ValueError:
        raise UserError(f"{option}: '{text}' is not a month like 2026-07") from None


def parse_rupiah_option(text: str, option: str) -> int:
    """A whole-rupiah amount given to ``option`` (``2000000000``, ``Rp2.000.000.000``...)."""
    from sigap.core.money import parse_rupiah

    try:
        return parse_rupiah(text)
    except ValueError as e:
        raise UserError(f"{option}: {e}") from None
