"""A user error about one input, so a form can show it next to that field."""

from __future__ import annotations

from sigap.errors import UserError


class FieldError(UserError):
    """:class:`UserError` naming the form field it is about (``field`` = the form field name)."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def error_field(error: UserError, fields: object) -> str | None:
    """The form field to attach ``error`` to (None = the top of the form)."""
    field = getattr(error, "field", None)
    return field if isinstance(field, str) and field in fields else None  # type: ignore[operator]
