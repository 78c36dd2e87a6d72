"""Rate-limit counters shared by all processes (sigap.web.ratelimit)."""

from __future__ import annotations

from django.db import models


class RateCounter(models.Model):
    """One rate-limit window: ``bucket`` is a keyed hash of scope + value (no IP address or NIK in clear)."""

    bucket = models.CharField(max_length=80, primary_key=True)
    hits = models.IntegerField()
    window_ends = models.FloatField(db_index=True)  # Unix time (seconds) the window closes

    class Meta:
        verbose_name = "rate-limit counter"

    def __str__(self) -> str:
        return f"{self.bucket}: {self.hits}"
