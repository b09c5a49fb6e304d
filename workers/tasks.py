"""The tasks. Each takes ids (or nothing) and reads the database fresh."""
from __future__ import annotations

import logging

from app.core.tasks import DELIVER_OUTBOX, RECOMMEND_PANEL, RUN_DEADLINES, SWEEP_OUTBOX
from workers.celery_app import celery

log = logging.getLogger(__name__)


@celery.task(name=DELIVER_OUTBOX)
def deliver_outbox(message_id: int) -> str:
    """Send one outbox row; a failure schedules the next try after its backoff."""
    from app.core import clock
    from app.notifications import outbox

    outcome = outbox.attempt(message_id)
    if outcome.result == outbox.Delivery.RETRY:
        countdown = max(0.0, (outcome.retry_at - clock.now()).total_seconds())
        try:
            deliver_outbox.apply_async((message_id,), countdown=countdown)
        except Exception:  # noqa: BLE001 - the row keeps its next_attempt_at; the sweep retries it
            log.warning("could not schedule the retry of outbox %s; left for the sweep", message_id)
    return outcome.result


@celery.task(name=SWEEP_OUTBOX)
def sweep_outbox() -> int:
    """Send every due row the hand-over missed: broker down, worker killed, retries."""
    from app.notifications import outbox

    return outbox.sweep()


@celery.task(name=RUN_DEADLINES)
def run_deadlines() -> dict:
    """Open and close calls on the clock and send the reminders that are due."""
    from app.notifications import reminders
    from app.review import recruitment  # noqa: F401 - adds its rounds to the clock's work
    from app.agreements import clock as agreements_clock  # noqa: F401 - its reminders and overdue flags
    from app.projects import report_clock  # noqa: F401 - adds report reminders to the clock's work
    from app.calls import session_clock  # noqa: F401 - 설명회 reminders the day before

    return reminders.run()


@celery.task(name=RECOMMEND_PANEL)
def recommend_panel(stage_id: int) -> int:
    """Rank the reviewer pool for a stage's proposals and store the recommendations."""
    from app.extensions import db
    from app.review import recommend

    try:
        run = recommend.compute_by_id(stage_id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return run.candidates if run is not None else 0
