"""Officer console: XLSX and CSV downloads, built by a job (app/selection/result_jobs.py).

Asking for a table starts a job; its page offers the file when the worker has built it. Without
a worker the job is done when the request answers, and the browser goes straight to the file.
"""
from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from app import jobs
from app.extensions import db
from app.models.jobs import JobState
from app.selection import exports, result_jobs
from app.web.loaders import call_for_officer
from app.web.officer import bp
from forms.results import ExportForm


@bp.route("/calls/<int:call_id>/exports")
@login_required
def exports_index(call_id: int):
    call = call_for_officer(call_id)
    return render_template("officer/exports.html", call=call, tables=exports.TABLES, form=ExportForm())


@bp.route("/calls/<int:call_id>/exports/<kind>.<fmt>", methods=["POST"])
@login_required
def export(call_id: int, kind: str, fmt: str):
    call = call_for_officer(call_id)
    if kind not in exports.TABLES or fmt not in result_jobs.MIMETYPES:
        abort(404)
    if not ExportForm().validate_on_submit():
        abort(400)
    job = jobs.start(result_jobs.EXPORT, current_user, {
        "table": kind, "format": fmt, "back": url_for("officer.exports_index", call_id=call.id)}, call_id=call.id)
    db.session.commit()
    job = jobs.hand_over(job)
    if job.state == JobState.DONE:
        return redirect(url_for("jobs.download", job_id=job.id))
    return redirect(url_for("jobs.show", job_id=job.id))
