"""Plan changes (사업계획 변경): the lead's request, and the call's officers' decision."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core import numbers
from app import access
from app.extensions import db
from app.models.projects import PlanChangeKind, PlanChangeStatus
from app.projects import plan_changes
from app.projects.plan_changes import PlanChangeError
from app.proposals.drafts import SOURCE_LABELS
from app.web import flow
from app.web.loaders import plan_change as load_change
from app.web.loaders import project as load_project
from app.web.projects import bp
from forms.projects import BudgetChangeForm, DecisionForm, MemberChangeForm, PocChangeForm

FORMS = {PlanChangeKind.BUDGET: BudgetChangeForm, PlanChangeKind.POC: PocChangeForm,
         PlanChangeKind.MEMBER: MemberChangeForm}


def _choices(form, project) -> None:
    if isinstance(form, PocChangeForm):
        form.kpi_id.choices = [("", _("성과지표를 바꾸지 않음"))] + [
            (str(k.id), f"{p.tenant_firm} · {k.name} ({_('목표')} {numbers.plain(k.target)}{k.unit})")
            for p in project.pocs for k in p.kpis]
        form.poc_id.choices = [("", _("실증 내용을 바꾸지 않음"))] + [(str(p.id), p.tenant_firm) for p in project.pocs]


def _id(text) -> int | None:
    try:
        return int(text) if text else None
    except (TypeError, ValueError):
        return -1  # names no KPI or PoC of the project: the service says which field


def _request(project, kind: str, form):
    if kind == PlanChangeKind.BUDGET:
        return plan_changes.request_budget(project, current_user, form.reason.data,
                                           [row.data for row in form.moves])
    if kind == PlanChangeKind.POC:
        return plan_changes.request_poc(project, current_user, form.reason.data, kpi_id=_id(form.kpi_id.data),
                                        target=form.target.data or "", poc_id=_id(form.poc_id.data),
                                        texts={"problem": form.problem.data, "ai_solution": form.ai_solution.data})
    return plan_changes.request_member(project, current_user, form.reason.data, form.organisation.data,
                                       form.direction.data or "")


@bp.route("/<int:project_id>/changes/new", methods=["GET", "POST"])
@login_required
def change_new(project_id: int):
    project = load_project(project_id)
    if not access.can_report_for(current_user, project):
        abort(403)
    kind = request.args.get("kind", PlanChangeKind.BUDGET)
    if kind not in FORMS:
        abort(404)
    form = FORMS[kind]()
    _choices(form, project)

    def page():
        return render_template("projects/change_new.html", project=project, form=form, kind=kind,
                               kinds=plan_changes.KIND_LABELS,
                               source_labels=SOURCE_LABELS), 422 if form.is_submitted() else 200

    return flow.post(form, lambda: _request(project, kind, form), page=page,
                     done=_("변경을 요청했습니다. 담당자가 검토합니다."),
                     to=lambda change: url_for("projects.change", project_id=project.id, change_id=change.id))


def _page(project, change, form, status: int = 200):
    return render_template(
        "projects/change.html", project=project, change=change, form=form, source_labels=SOURCE_LABELS,
        kinds=plan_changes.KIND_LABELS, statuses=plan_changes.STATUS_LABELS, directions=plan_changes.DIRECTIONS,
        may_decide=access.is_project_officer(current_user, project) and change.status == PlanChangeStatus.REQUESTED,
    ), status


@bp.route("/<int:project_id>/changes/<int:change_id>")
@login_required
def change(project_id: int, change_id: int):
    project = load_project(project_id)
    return _page(project, load_change(project, change_id), DecisionForm(formdata=None))


@bp.route("/<int:project_id>/changes/<int:change_id>/decision", methods=["POST"])
@login_required
def change_decide(project_id: int, change_id: int):
    project = load_project(project_id)
    change = load_change(project, change_id)
    if not access.is_project_officer(current_user, project):
        abort(403)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _page(project, change, form, 422)
    try:
        if form.decision.data == "approve":
            plan_changes.approve(change, current_user, form.reason.data)
        else:
            plan_changes.reject(change, current_user, form.reason.data)
    except PlanChangeError as error:
        db.session.rollback()
        for message in flow.place(form, error.problems):
            flash(message, "error")
        return _page(project, change, form, 422)
    db.session.commit()
    flash(_("변경 요청을 승인했습니다. 계획에 반영되었습니다.") if change.status == PlanChangeStatus.APPROVED
          else _("변경 요청을 반려했습니다."), "success")
    return redirect(url_for("projects.change", project_id=project.id, change_id=change.id), 303)
