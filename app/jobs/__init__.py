"""Heavy work in a Celery worker: start a job, hand it over by id, run it, report its progress.

The module that owns a piece of work registers it as a *kind* (``@jobs.kind("results.compute",
_l("…"))``): a function given the job and a ``progress(percent, message)`` callback that returns
an ``Outcome``, a line for the owner and, for a download, the file's bytes. A view starts a job
(``start`` writes its row), commits, and calls ``hand_over``: with a broker the job's id goes to
the workers (``app.core.tasks``; the web process never imports the heavy code); without one
(``TASKS_EAGER``, plain ``make run`` and the tests) it runs at once in the process, so it is
finished when the view redirects. ``run`` is what the worker's task calls: the job goes from
queued to running to done or failed, each step in its own short transaction, and a file it
produced is kept in the storage (``app.core.storage``) under its content's hash.

A kind reports progress before it writes anything of its own: the progress is committed on a
connection of its own at once, which a database locking whole files (SQLite) would make wait
behind the kind's unfinished writes.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.core import clock, storage, tasks
from app.core.errors import GongmoError
from app.extensions import db
from app.models.jobs import FINISHED, Job, JobState


@dataclass(frozen=True)
class Outcome:
    """What a kind returns: a line for the owner and, for a download, the file."""

    message: str = ""
    data: bytes | None = None
    filename: str | None = None
    mimetype: str | None = None


Progress = Callable[[int, str], None]
KINDS: dict[str, Callable[[Job, Progress], Outcome]] = {}
LABELS: dict[str, object] = {}

FAILED_UNEXPECTEDLY = _l("작업 중 오류가 발생했습니다. 잠시 후 다시 시도하십시오.")
NOT_HANDED_OVER = _l("작업을 대기열에 넣지 못했습니다. 잠시 후 다시 시도하십시오.")


def kind(name: str, label) -> Callable:
    """Register the decorated function as the job kind ``name``, shown to its owner as ``label``."""
    def register(fn: Callable[[Job, Progress], Outcome]) -> Callable[[Job, Progress], Outcome]:
        KINDS[name] = fn
        LABELS[name] = label
        return fn
    return register


def label(job: Job) -> str:
    return str(LABELS.get(job.kind, job.kind))


def start(name: str, owner, params: dict | None = None, *, call_id: int | None = None) -> Job:
    """Write a queued job for ``owner``; the caller commits, then calls ``hand_over``."""
    if name not in KINDS:
        raise KeyError(name)
    job = Job(kind=name, owner_id=owner.id, call_id=call_id, params=dict(params or {}), state=JobState.QUEUED)
    db.session.add(job)
    db.session.flush()
    return job


def hand_over(job: Job) -> Job:
    """Give a committed job to a worker by its id, or run it here when there is no broker."""
    if current_app.config.get("TASKS_EAGER"):
        run(job.id)
        db.session.refresh(job)
        return job
    try:
        tasks.send(tasks.RUN_JOB, job.id)
    except Exception:  # noqa: BLE001 - the broker is down: say so rather than leave it queued for ever
        current_app.logger.warning("broker unavailable; job %s not handed over", job.id)
        _finish(job.id, JobState.FAILED, error=str(NOT_HANDED_OVER))
        db.session.refresh(job)
    return job


def _set(job_id: int, **values) -> None:
    """Update the job's row on a connection of its own, committed at once."""
    with db.engine.begin() as conn:
        conn.execute(update(Job).where(Job.id == job_id).values(**values))


def _finish(job_id: int, state: JobState, **values) -> None:
    _set(job_id, state=state, finished_at=clock.now(), **values)


def reporter(job_id: int) -> Progress:
    """The ``progress(percent, message)`` callback a kind is given."""
    def progress(percent: int, message: str = "") -> None:
        _set(job_id, progress=max(0, min(100, int(percent))), message=str(message)[:300])
    return progress


def run(job_id: int) -> str:
    """Run a queued (or, handed out again after a worker died, running) job; returns its state."""
    job = db.session.get(Job, job_id)
    if job is None:
        return "missing"
    if job.state in FINISHED:
        return job.state  # a second delivery of a finished job
    work = KINDS.get(job.kind)
    db.session.rollback()  # the job's row is read afresh below, after its start is committed
    if work is None:
        _finish(job_id, JobState.FAILED, error=f"unknown job kind {job.kind!r}")
        return JobState.FAILED
    _set(job_id, state=JobState.RUNNING, started_at=clock.now(), progress=0, error=None)
    job = db.session.get(Job, job_id)
    try:
        outcome = work(job, reporter(job_id))
        db.session.commit()
    except GongmoError as exc:
        db.session.rollback()
        _finish(job_id, JobState.FAILED, error=str(exc.message))
        return JobState.FAILED
    except Exception:  # noqa: BLE001 - recorded for its owner; the trace goes to the log
        db.session.rollback()
        current_app.logger.exception("job %s (%s) failed", job_id, job.kind)
        _finish(job_id, JobState.FAILED, error=str(FAILED_UNEXPECTEDLY))
        return JobState.FAILED
    values = {"progress": 100, "message": str(outcome.message)[:300]}
    if outcome.data is not None:
        # Content-addressed like every blob: ids start again in a fresh database, contents do not.
        digest = hashlib.sha256(outcome.data).hexdigest()
        key = f"jobs/{digest[:2]}/{digest}"
        storage.get().put_bytes(key, outcome.data)
        values.update(result_key=key, result_filename=outcome.filename or "result",
                      result_mimetype=outcome.mimetype or "application/octet-stream")
    _finish(job_id, JobState.DONE, **values)
    return JobState.DONE


def latest(owner, name: str, call_id: int | None = None) -> Job | None:
    """The owner's newest job of kind ``name`` (for the call), finished or not."""
    query = select(Job).where(Job.owner_id == owner.id, Job.kind == name)
    if call_id is not None:
        query = query.where(Job.call_id == call_id)
    return db.session.scalar(query.order_by(Job.id.desc()).limit(1))


def open_result(job: Job):
    """The stored result as a stream, for the owner's download (the view checks who asks)."""
    return storage.get().iter_chunks(job.result_key)
