"""The tasks. Each takes ids (or nothing) and reads the database fresh."""
from __future__ import annotations

import logging

from app.core.tasks import DELIVER_OUTBOX, DELIVER_WEBHOOK, RECOMMEND_PANEL, RUN_DEADLINES, RUN_JOB, SWEEP_OUTBOX
from app.core.tasks import SWEEP_STORAGE
from workers.celery_app import celery

log = logging.getLogger(__name__)


@celery.task(name=DELIVER_OUTBOX)
def deliver_outbox(message_id: int) -> str:
    """Send one outbox row; a failure schedules the next try after its backoff."""
    from app.notifications import outbox

    return _retry_later(deliver_outbox, message_id, outbox.attempt(message_id), "outbox")


def _retry_later(task, row_id: int, outcome, what: str) -> str:
    """A failed attempt is tried again after its backoff; the row keeps its next_attempt_at, so
    the sweep retries it if this scheduling fails."""
    from app.core import clock
    from app.notifications import outbox

    if outcome.result == outbox.Delivery.RETRY:
        countdown = max(0.0, (outcome.retry_at - clock.now()).total_seconds())
        try:
            task.apply_async((row_id,), countdown=countdown)
        except Exception:  # noqa: BLE001 - left for the sweep
            log.warning("could not schedule the retry of %s %s; left for the sweep", what, row_id)
    return outcome.result


@celery.task(name=SWEEP_OUTBOX)
def sweep_outbox() -> int:
    """Send every due row the hand-over missed: broker down, worker killed, retries.

    A row the sweep tries and fails gets its retry scheduled like a handed-over one: the
    task handed over for it finds the row taken and stops, so without this the row would
    wait for the next sweep (a minute with beat, forever without).
    """
    from app.notifications import outbox, webhook_delivery

    return (outbox.sweep(then=lambda i, outcome: _retry_later(deliver_outbox, i, outcome, "outbox"))
            + webhook_delivery.sweep(
                then=lambda i, outcome: _retry_later(deliver_webhook, i, outcome, "webhook delivery")))


@celery.task(name=DELIVER_WEBHOOK)
def deliver_webhook(delivery_id: int) -> str:
    """POST one webhook delivery; a failure schedules the next try after the outbox's backoff."""
    from app.notifications import webhook_delivery

    return _retry_later(deliver_webhook, delivery_id, webhook_delivery.attempt(delivery_id), "webhook delivery")


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


@celery.task(name=RUN_JOB)
def run_job(job_id: int) -> str:
    """Run one job (app/jobs): the kinds register themselves when their modules are imported."""
    from app import jobs
    from app.selection import result_jobs  # noqa: F401 - results, exports and PDFs
    from app.market import suggestion_jobs  # noqa: F401 - the marketplace's suggestions

    return jobs.run(job_id)


@celery.task(name=SWEEP_STORAGE)
def sweep_storage() -> dict:
    """Delete blobs no row names once they are past the grace period (app/blobs/sweep.py)."""
    from app.blobs import sweep
    from app.extensions import db

    try:
        result = sweep.sweep()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result.as_dict()
