"""Progress reporting from a running action into its :class:`~sigap.jobs.models.Job` row.

Long actions take a ``progress(description, completed, total)`` callback (the CLI draws bars with
it).  :class:`JobProgress` turns those calls into ``progress_done / progress_total`` over the
job's known phases, so the bar moves forward through the whole job, and writes at most one
UPDATE per ``interval`` seconds (plus one per new phase).  The calls happen outside the actions'
transactions, so a status page polling the row sees them at once.  Each write is also the job's
heartbeat (``heartbeat_at``, :mod:`sigap.jobs.lease`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from django.utils import timezone

from sigap.jobs.models import Job

#: Units per phase: a phase's own fraction (bytes read, steps done) fills its share.
PHASE_UNITS = 100


class JobProgress:
    def __init__(
        self,
        job_id: int,
        phases: Sequence[str],
        *,
        labels: dict[str, str] | None = None,
        interval: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.job_id = job_id
        self.phases = list(phases)
        self.labels = labels or {}
        self.interval = interval
        self.clock = clock
        self.phase = 0
        self._last_write = float("-inf")
        self._last_message = ""
        self.done = 0

    @property
    def total(self) -> int:
        return max(1, len(self.phases)) * PHASE_UNITS

    def __call__(self, description: str, completed: float | None = None, total: float | None = None) -> None:
        if description in self.phases:
            index = self.phases.index(description)
            if index < self.phase:
                return  # a late word from an earlier phase: the bar and the message stay ahead
            self.phase = index
        fraction = 0.0
        if completed is not None and total:
            fraction = min(1.0, max(0.0, float(completed) / float(total)))
        done = self.done = max(self.done, self.phase * PHASE_UNITS + int(fraction * PHASE_UNITS))
        label = self.labels.get(description, description)
        message = label
        if completed is not None and total:
            message = f"{label} ({int(completed):,} / {int(total):,})".replace(",", ".")
        elif completed is not None:
            message = f"{label} ({int(completed):,})".replace(",", ".")
        now = self.clock()
        if description != self._last_message or now - self._last_write >= self.interval:
            self._last_message = description
            self._last_write = now
            self.write(done, message)

    def write(self, done: int, message: str) -> None:
        Job.objects.filter(pk=self.job_id, state=Job.RUNNING).update(
            progress_done=done, progress_total=self.total, message=message[:255], heartbeat_at=timezone.now()
        )
