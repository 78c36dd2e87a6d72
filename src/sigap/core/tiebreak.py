"""The tie-break of the priority ranking (ADR 0014): who goes first when every priority key is equal.

Two rules exist; a targeting run records which one decided it (``TargetingRun.tie_break_rule``):

* ``sha256-seed-nik`` (:data:`SHA256_SEED_NIK`, every run since ADR 0014): the lowercase hex
  SHA-256 of the run's seed followed by the NIK, smallest first (``sha256(seed || nik)`` in SQL).
  The hash is unrelated to sex (a woman's NIK birth day is +40), birth date or issuing province,
  so within a tied group everyone has the same chance at the budget cut; the seed is kept with
  the run, so anyone can recompute the order (``printf '%s%s' SEED NIK | sha256sum``).
* ``nik`` (:data:`NIK`, runs made before ADR 0014): the smallest NIK first.  Kept only so that
  the decisions of those runs are described (and can be reproduced) as they were made.

Pure: no I/O and no randomness -- the caller draws a new seed (``secrets``) or takes the officer's.

>>> TieBreak.seeded("2026").key("3275014101900001")[:12]
'0eafafdf2d7f'
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

SHA256_SEED_NIK = "sha256-seed-nik"
NIK = "nik"
RULES = (SHA256_SEED_NIK, NIK)
#: The rule of every new run.
CURRENT = SHA256_SEED_NIK

SEED_MAX_LENGTH = 64
#: A seed is ASCII (so its bytes are unambiguous), starts with a letter or digit (never read as a
#: spreadsheet formula) and may hold ``. _ : / -`` (a decree number, a date, a public draw).
_SEED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]*")


def seed_problem(seed: object) -> str | None:
    """Why ``seed`` cannot be a tie-break seed, or None when it can."""
    if not isinstance(seed, str):
        return "must be text (letters, digits, . _ : / -)"
    if not seed:
        return "must not be empty"
    if len(seed) > SEED_MAX_LENGTH:
        return f"is {len(seed)} characters long, at most {SEED_MAX_LENGTH} are allowed"
    if not _SEED.fullmatch(seed):
        return f"'{seed}' may hold only letters, digits and . _ : / - and must start with a letter or digit"
    return None


def check(rule: str, seed: str) -> None:
    """Raise ValueError unless ``rule`` is known and ``seed`` fits it (the ``nik`` rule has no seed)."""
    if rule not in RULES:
        raise ValueError(f"unknown tie-break rule '{rule}' (known: {', '.join(RULES)})")
    if rule == NIK:
        if seed:
            raise ValueError("the nik tie-break rule takes no seed")
        return
    if (problem := seed_problem(seed)) is not None:
        raise ValueError(f"tie-break seed {problem}")


@dataclass(frozen=True)
class TieBreak:
    """A tie-break rule and its seed (checked on creation)."""

    rule: str
    seed: str = ""

    def __post_init__(self) -> None:
        check(self.rule, self.seed)

    @classmethod
    def seeded(cls, seed: str) -> TieBreak:
        """The current rule with ``seed``."""
        return cls(SHA256_SEED_NIK, seed)

    def key(self, nik: str) -> str:
        """The Python reading of :meth:`key_sql`: tied people go by this, smallest first.

        >>> TieBreak(NIK).key("3275014101900001")
        '3275014101900001'
        """
        if self.rule == NIK:
            return nik
        return hashlib.sha256((self.seed + nik).encode("ascii")).hexdigest()

    def key_sql(self, nik: str = "nik") -> str:
        """SQL of the tie key of the NIK column ``nik`` (DuckDB ``sha256`` = Spark ``sha2(.., 256)``)."""
        if self.rule == NIK:
            return nik
        return seeded_key_sql(f"'{self.seed}'", nik)  # a seed needs no quoting (seed_problem)

    def describe(self) -> str:
        """The rule in Bahasa Indonesia, as the decree annex and the run's overview print it."""
        if self.rule == NIK:
            return "NIK terkecil dulu (aturan lama, tanpa benih)"
        return f"hash SHA-256 dari benih + NIK, terkecil dulu; benih: {self.seed}"


def seeded_key_sql(seed_sql: str, nik: str = "nik") -> str:
    """SQL of the ``sha256-seed-nik`` tie key from a seed *expression* (a quoted seed, or the seed
    column of a many-programme run's programme table): ``sha256(seed || nik)``.

    >>> seeded_key_sql("g.tie_seed", "c.nik")
    'sha256(g.tie_seed || c.nik)'
    """
    return f"sha256({seed_sql} || {nik})"


#: The rule of the runs made before ADR 0014.
LEGACY = TieBreak(NIK)
