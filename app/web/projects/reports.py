"""A project's reports: the lead drafts and submits, the call's officers accept or return for supplement.

One page per report (``/projects/<id>/reports/<id>``): the draft form for the lead while the
report is due or returned, else the latest submitted version; the review forms for the officers
while it waits. Each submitted version has its own page; files are downloads for whoever sees the
project.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.extensions import db
from app.models.projects import ReportFile, ReportStatus, ReportVersion
from app.models.proposals import BUDGET_SOURCES
from app.projects import report_submission, reports
from app.projects.reports import ReportError, ReportInvalid
from app.proposals.drafts import SOURCE_LABELS
from app.web.documents import send_document
from app.web.loaders import project as load_project
from app.web.loaders import report as load_report
from app.web.projects import bp
from forms.reports import AcceptForm, report_form, return_form


def _place(form, errors: dict) -> list[str]:
    """Service messages onto their inputs; returns those that belong to no input."""
    loose = []
    for name, message in errors.items():
        if name in form._fields:
            form[name].errors = [*form[name].errors, str(message)]
        else:
            loose.append(str(message))
    return loose


def _page(project, report, *, form=None, review=None, loose=(), status: int = 200):
    is_officer = access.is_project_officer(current_user, project)
    can_report = access.can_report_for(current_user, project)
    editing = can_report and reports.is_editable(report)
    latest = report_submission.latest_version(report)
    if editing and form is None:
        form = report_form(report, stored=True)
    reviewing = is_officer and report.status == ReportStatus.SUBMITTED
    if reviewing and review is None:
        review = return_form(report)
    # The officer's comments beside the sections while the lead supplements them.
    returned = latest if latest is not None and report.status == ReportStatus.RETURNED else None
    problems = [(f, e) for f in (form or []) for e in f.errors] + [(f, e) for f in (review or []) for e in f.errors]
    return render_template(
        "projects/report.html", project=project, report=report, form=form, review=review,
        accept_form=AcceptForm(), editing=editing, reviewing=reviewing, latest=latest, returned=returned,
        loose=list(loose), problems=problems, sections=reports.sections_of(report),
        budget=reports.budget_rows(report), sources=BUDGET_SOURCES, source_labels=SOURCE_LABELS,
        actuals=reports.actuals_by_kpi(report), files={f.id: f for f in report.files},
        kind_label=reports.kind_label, status_label=reports.status_label,
        overdue=reports.is_overdue(report), general=report_submission.GENERAL,
    ), status


@bp.route("/<int:project_id>/reports/<int:report_id>", methods=["GET", "POST"])
@login_required
def report(project_id: int, report_id: int):
    project = load_project(project_id)
    item = load_report(project, report_id)
    if request.method == "GET":
        return _page(project, item)
    access.require(access.can_report_for(current_user, project))
    action = request.form.get("action")
    if action not in ("save", "submit"):
        abort(400)
    db.session.refresh(item, with_for_update=True)
    if not reports.is_editable(item):
        db.session.rollback()
        flash(_("제출한 보고서는 검토가 끝날 때까지 고칠 수 없습니다. 보완요청을 받으면 다시 고칠 수 있습니다."), "error")
        return redirect(url_for("projects.report", project_id=project.id, report_id=item.id), 303)
    form = report_form(item)
    if not form.validate():
        db.session.rollback()
        return _page(project, item, form=form, status=422)
    try:
        reports.save(item, current_user, sections=form.sections_data(), actuals=form.actuals_data(),
                     executions=form.executions_data(), evidence=form.evidence_data(),
                     attachments_in=form.attachments_data(), remove=form.remove.data or [])
        if action == "submit":
            version = report_submission.submit(item, current_user)
    except ReportInvalid as exc:
        db.session.rollback()
        return _page(project, item, form=form, loose=_place(form, exc.errors), status=422)
    except ReportError as exc:
        db.session.rollback()
        return _page(project, item, form=form, loose=[exc.message], status=409)
    db.session.commit()
    if action == "submit":
        flash(_("보고서를 제출했습니다 (제%(n)d판). 담당자에게 통보됩니다.", n=version.number), "success")
    else:
        flash(_("임시 저장되었습니다."), "success")
    return redirect(url_for("projects.report", project_id=project.id, report_id=item.id), 303)


def _review_target(project_id: int, report_id: int):
    project = load_project(project_id)
    item = load_report(project, report_id)
    access.require(access.is_project_officer(current_user, project))
    db.session.refresh(item, with_for_update=True)
    return project, item


@bp.route("/<int:project_id>/reports/<int:report_id>/accept", methods=["POST"])
@login_required
def report_accept(project_id: int, report_id: int):
    project, item = _review_target(project_id, report_id)
    if not AcceptForm().validate_on_submit():
        abort(400)
    try:
        report_submission.accept(item, current_user)
    except ReportError as exc:
        db.session.rollback()
        return _page(project, item, loose=[exc.message], status=409)
    db.session.commit()
    flash(_("보고서를 승인했습니다."), "success")
    return redirect(url_for("projects.report", project_id=project.id, report_id=item.id), 303)


@bp.route("/<int:project_id>/reports/<int:report_id>/return", methods=["POST"])
@login_required
def report_return(project_id: int, report_id: int):
    project, item = _review_target(project_id, report_id)
    review = return_form(item, formdata=request.form)
    if not review.validate():
        db.session.rollback()
        return _page(project, item, review=review, status=422)
    try:
        report_submission.return_for_supplement(item, current_user, review.comments_data(),
                                                 review.supplement_due_on.data)
    except ReportInvalid as exc:
        db.session.rollback()
        return _page(project, item, review=review, loose=_place(review, exc.errors), status=422)
    except ReportError as exc:
        db.session.rollback()
        return _page(project, item, review=review, loose=[exc.message], status=409)
    db.session.commit()
    flash(_("보완요청을 보냈습니다. 컨소시엄에 통보됩니다."), "success")
    return redirect(url_for("projects.report", project_id=project.id, report_id=item.id), 303)


@bp.route("/<int:project_id>/reports/<int:report_id>/files/<int:report_file_id>")
@login_required
def report_file(project_id: int, report_id: int, report_file_id: int):
    project = load_project(project_id)
    item = load_report(project, report_id)
    row = db.session.get(ReportFile, report_file_id)
    if row is None or row.report_id != item.id:
        abort(404)
    return send_document(reports.file_key(row), row.filename, row.detected_type, "report file")


def _version(item, number: int) -> ReportVersion:
    found = next((v for v in item.versions if v.number == number), None)
    if found is None:
        abort(404)
    return found


@bp.route("/<int:project_id>/reports/<int:report_id>/versions/<int:number>")
@login_required
def report_version(project_id: int, report_id: int, number: int):
    project = load_project(project_id)
    item = load_report(project, report_id)
    version = _version(item, number)
    return render_template("projects/report_version.html", project=project, report=item, version=version,
                           snap=version.snapshot, sections=reports.sections_of(item), source_labels=SOURCE_LABELS,
                           kind_label=reports.kind_label, general=report_submission.GENERAL)


@bp.route("/<int:project_id>/reports/<int:report_id>/versions/<int:number>/files/<sha256>")
@login_required
def report_version_file(project_id: int, report_id: int, number: int, sha256: str):
    project = load_project(project_id)
    item = load_report(project, report_id)
    facts = report_submission.version_file(_version(item, number), sha256)
    if facts is None:
        abort(404)
    return send_document(reports.file_key(facts), facts["filename"], facts["detected_type"], "report version file")


@bp.context_processor
def _report_helpers() -> dict:
    """For the report list the project page includes (templates/projects/_reports.html)."""
    return {"report_kind_label": reports.kind_label, "report_status_label": reports.status_label,
            "report_overdue": reports.is_overdue}
