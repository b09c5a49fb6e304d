"""Jobs (app/jobs) as the tests need them: one finished with a file, without running anything."""
from __future__ import annotations

import hashlib

from app.core import clock, storage
from app.extensions import db
from app.models.jobs import Job, JobState


def finished_job(owner, data: bytes, *, filename: str = "result.csv", kind: str = "selection.export") -> Job:
    digest = hashlib.sha256(data).hexdigest()
    key = f"jobs/{digest[:2]}/{digest}"
    storage.get().put_bytes(key, data)
    job = Job(kind=kind, owner_id=owner.id, params={}, state=JobState.DONE, progress=100, message="",
              result_key=key, result_filename=filename, result_mimetype="text/csv; charset=utf-8",
              started_at=clock.now(), finished_at=clock.now())
    db.session.add(job)
    db.session.flush()
    return job
