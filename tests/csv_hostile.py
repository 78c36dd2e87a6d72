"""Registry and officer text that a spreadsheet would run as a formula (OWASP "CSV injection")."""

from __future__ import annotations

#: One value per formula-starting character of :data:`sigap.core.csvsafe.FORMULA_STARTS`.
HOSTILE = (
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
)


def defused(value: str) -> str:
    """What a hostile ``value`` must look like in a CSV cell SIGAP wrote."""
    return "'" + value
