"""Loading the holiday calendar (the SKB of each year) from a CSV file: date,name[,legal_reference]."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from sigap.audit.actions import Actor, audit_record
from sigap.errors import UserError
from sigap.holidays.models import Holiday


@dataclass(frozen=True)
class HolidayImport:
    added: int
    updated: int
    unchanged: int


def _rows(path: Path) -> list[tuple[int, dt.date, str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"{path.name}: cannot read the file as UTF-8 text ({e.__class__.__name__})") from None
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    if header[:2] != ["date", "name"] and header[:2] != ["tanggal", "nama"]:
        raise UserError(
            f"{path.name}: row 1: the header must start with date,name (or tanggal,nama); found {header[:2]}"
        )
    rows: list[tuple[int, dt.date, str, str]] = []
    errors: list[str] = []
    seen: dict[dt.date, int] = {}
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        raw = row[0].strip() if row else ""
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            errors.append(f"row {number}, column {header[0]}: '{raw}' is not a date as YYYY-MM-DD")
            continue
        name = row[1].strip() if len(row) > 1 else ""
        if not name:
            errors.append(f"row {number}, column {header[1]}: the name is empty")
            continue
        if day in seen:
            errors.append(
                f"row {number}, column {header[0]}: {day.isoformat()} already listed at row {seen[day]}"
            )
            continue
        seen[day] = number
        rows.append((number, day, name[:200], (row[2].strip() if len(row) > 2 else "")[:200]))
    if errors:
        raise UserError(f"{path.name}: {len(errors)} problem(s); nothing was saved", details=errors[:50])
    return rows


def holidays_import(*, path: Path, acting_user: Actor = None) -> HolidayImport:
    """Add or update the listed holidays (never deletes); all or nothing."""
    rows = _rows(path)
    added = updated = unchanged = 0
    with transaction.atomic():
        existing = {h.date: h for h in Holiday.objects.filter(date__in=[r[1] for r in rows])}
        for _number, day, name, reference in rows:
            old = existing.get(day)
            if old is None:
                Holiday.objects.create(date=day, name=name, legal_reference=reference)
                added += 1
            elif (old.name, old.legal_reference) != (name, reference):
                old.name, old.legal_reference = name, reference
                old.save(update_fields=["name", "legal_reference"])
                updated += 1
            else:
                unchanged += 1
        audit_record(
            acting_user=acting_user,
            action="holidays.import",
            object_type="holidays.holiday",
            after={"file": path.name, "added": added, "updated": updated, "unchanged": unchanged},
        )
    return HolidayImport(added=added, updated=updated, unchanged=unchanged)
