"""A background job's page: its progress while a worker runs it, then its outcome and its file.

Only the person who started the job sees it (404 for anyone else, as for any object one may
not see). The page reloads itself every few seconds while the job is queued or running (a
meta refresh: no script needed); the file is streamed from the storage after that check.
"""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, render_template
from flask_login import login_required

from app import jobs
from app.models.jobs import JobState
from app.web.loaders import job_for_owner

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

REFRESH_SECONDS = 2


@bp.route("/<int:job_id>")
@login_required
def show(job_id: int):
    job = job_for_owner(job_id)
    resp = Response(render_template("jobs/show.html", job=job, label=jobs.label(job),
                                    refresh=None if job.finished else REFRESH_SECONDS))
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.route("/<int:job_id>/download")
@login_required
def download(job_id: int):
    job = job_for_owner(job_id)
    if job.state != JobState.DONE or not job.result_key:
        abort(404)
    try:
        chunks = jobs.open_result(job)
        first = next(chunks, b"")  # a missing blob is a 404 here, not a broken download later
    except FileNotFoundError:
        current_app.logger.error("job %s: result %s missing", job.id, job.result_key)
        abort(404)

    def body():
        yield first
        yield from chunks

    filename = job.result_filename or "result"
    plain = "".join(c if c.isascii() and c.isprintable() and c not in '";\\' else "_" for c in filename)
    resp = Response(body(), mimetype=job.result_mimetype or "application/octet-stream")
    resp.headers["Content-Disposition"] = f"attachment; filename={plain}; filename*=UTF-8''{quote(filename)}"
    resp.headers["Cache-Control"] = "private, no-store"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp
