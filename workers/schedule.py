"""The beat schedule: every minute, the clock's work and the outbox sweep.

Each entry expires after one interval, so ticks published while every worker was
down do not pile up and run in a burst when the workers come back: the next tick
does everything that is due anyway.
"""
from __future__ import annotations

from app.core.tasks import RUN_DEADLINES, SWEEP_OUTBOX, SWEEP_STORAGE

DEFAULT_INTERVAL = 60.0
STORAGE_SWEEP_INTERVAL = 24 * 3600.0
STORAGE_SWEEP_EXPIRES = 3600.0


def beat_schedule(settings: dict) -> dict:
    deadlines = float(settings.get("BEAT_DEADLINES_SECONDS") or DEFAULT_INTERVAL)
    sweep = float(settings.get("BEAT_SWEEP_SECONDS") or DEFAULT_INTERVAL)
    storage = float(settings.get("BEAT_STORAGE_SWEEP_SECONDS") or STORAGE_SWEEP_INTERVAL)
    return {
        "run-deadlines": {
            "task": RUN_DEADLINES,
            "schedule": deadlines,
            "options": {"expires": deadlines},
        },
        "sweep-outbox": {
            "task": SWEEP_OUTBOX,
            "schedule": sweep,
            "options": {"expires": sweep},
        },
        # Once a day: blobs no row names, past STORAGE_ORPHAN_GRACE_HOURS (app/blobs/sweep.py).
        "sweep-storage": {
            "task": SWEEP_STORAGE,
            "schedule": storage,
            "options": {"expires": min(storage, STORAGE_SWEEP_EXPIRES)},
        },
    }
