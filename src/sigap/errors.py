"""Errors meant for the person at the keyboard: clear text, never a traceback."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a refused operation. ``message`` names the file, row, column, reason."""

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []
