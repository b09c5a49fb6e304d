"""The tasks. Each takes ids (or nothing) and reads the database fresh."""
from __future__ import annotations

import logging

from workers.celery_app import celery

log = logging.getLogger(__name__)


@celery.task(name="gongmo.deliver_outbox")
def deliver_outbox(message_id: int) -> str:
    """Send one outbox row; a failure schedules the next try after its backoff."""
    from app.services import clock, outbox

    outcome = outbox.attempt(message_id)
    if outcome.result == "retry":
        countdown = max(0.0, (outcome.retry_at - clock.now()).total_seconds())
        try:
            deliver_outbox.apply_async((message_id,), countdown=countdown)
        except Exception:  # noqa: BLE001 - the row keeps its next_attempt_at; the sweep retries it
            log.warning("could not schedule the retry of outbox %s; left for the sweep", message_id)
    return outcome.result


@celery.task(name="gongmo.sweep_outbox")
def sweep_outbox() -> int:
    """Send every due row the hand-over missed: broker down, worker killed, retries."""
    from app.services import outbox

    return outbox.sweep()


@celery.task(name="gongmo.run_deadlines")
def run_deadlines() -> dict:
    """Open and close calls on the clock and send the reminders that are due."""
    from app.services import reminders

    return reminders.run()
