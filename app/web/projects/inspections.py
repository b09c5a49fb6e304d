"""Site inspections (현장점검): the call's officers record them and close their actions; the consortium reads."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.extensions import db
from app.projects import inspections
from app.projects.inspections import ActionDraft, InspectionError
from app.web import flow
from app.web.loaders import inspection as load_inspection
from app.web.loaders import inspection_action as load_action
from app.web.loaders import project as load_project
from app.web.projects import bp
from forms.projects import ActionDoneForm, InspectionForm


def _officer_only(project) -> None:
    if not access.is_project_officer(current_user, project):
        abort(403)


@bp.route("/<int:project_id>/inspections/new", methods=["GET", "POST"])
@login_required
def inspection_new(project_id: int):
    project = load_project(project_id)
    _officer_only(project)
    form = InspectionForm()

    def record():
        drafts = [ActionDraft(row.form.description.data or "", row.form.due_on.data) for row in form.actions]
        return inspections.record(project, current_user, form.held_on.data, form.inspectors.data,
                                  form.findings.data, drafts)

    return flow.post(form, record,
                     page=lambda: (render_template("projects/inspection_new.html", project=project, form=form),
                                   422 if form.is_submitted() else 200),
                     done=_("현장점검 결과를 기록했습니다. 컨소시엄에 통보됩니다."),
                     to=lambda found: url_for("projects.inspection", project_id=project.id, inspection_id=found.id))


def _page(project, found, form=None, action_id: int | None = None, status: int = 200):
    return render_template(
        "projects/inspection.html", project=project, inspection=found, form=form or ActionDoneForm(formdata=None),
        failed_action=action_id, is_officer=access.is_project_officer(current_user, project),
        overdue={a.id for a in inspections.overdue_of([found])},
    ), status


@bp.route("/<int:project_id>/inspections/<int:inspection_id>")
@login_required
def inspection(project_id: int, inspection_id: int):
    project = load_project(project_id)
    return _page(project, load_inspection(project, inspection_id))


@bp.route("/<int:project_id>/inspections/<int:inspection_id>/actions/<int:action_id>/done", methods=["POST"])
@login_required
def action_done(project_id: int, inspection_id: int, action_id: int):
    project = load_project(project_id)
    found = load_inspection(project, inspection_id)
    action = load_action(found, action_id)
    _officer_only(project)
    form = ActionDoneForm()
    if not form.validate_on_submit():
        return _page(project, found, form, action.id, 422)
    try:
        inspections.complete(action, current_user, form.note.data)
    except InspectionError as error:
        db.session.rollback()
        flow.refuse(form, form.note, error)
        return _page(project, found, form, action.id, 422)
    db.session.commit()
    flash(_("조치 사항을 완료로 기록했습니다."), "success")
    return redirect(url_for("projects.inspection", project_id=project.id, inspection_id=found.id), 303)
