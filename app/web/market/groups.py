"""Alliances, research groups (연구회) and task candidates (과제 후보): the pages, the coordinator's
membership and curation, the demand-survey import and the task-list export."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.extensions import db
from app.market import groups, survey
from app.web import flow
from app.web.loaders import alliance as load_alliance
from app.web.loaders import research_group as load_group
from app.web.loaders import task_candidate as load_task
from app.web.market import bp
from forms.market import (
    STATE_LABELS, TASK_STATE_LABELS, MemberForm, SurveyImportForm, TaskForm, TaskStateForm,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, name: str) -> Response:
    return Response(data, mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename=\"tasks.xlsx\"; filename*=UTF-8''{quote(name)}"})


@bp.route("/alliances")
@login_required
def alliances():
    rows = groups.visible_alliances(current_user, access.alliance_ids_of(current_user),
                                    access.coordinated_alliance_ids(current_user))
    return render_template("market/alliances.html", alliances=rows)


def _alliance_page(alliance, form=None, status=200):
    manage = access.can_manage_alliance(current_user, alliance)
    return render_template("market/alliance.html", alliance=alliance, manage=manage,
                           member_form=form or (MemberForm() if current_user.has_role("admin") else None),
                           tasks=groups.tasks_of_alliance(alliance)), status


@bp.route("/alliances/<int:alliance_id>")
@login_required
def alliance(alliance_id: int):
    return _alliance_page(load_alliance(alliance_id))


@bp.route("/alliances/<int:alliance_id>/members", methods=["POST"])
@login_required
def alliance_member_add(alliance_id: int):
    """Admins add an organisation to the alliance directly (coordinators do it through their group)."""
    alliance = load_alliance(alliance_id)
    access.require(current_user.has_role("admin"))
    form = MemberForm()
    return flow.post(form, lambda: groups.join_alliance(current_user, alliance,
                                                        groups.organisation_by_brn(form.brn.data)),
                     page=lambda: _alliance_page(alliance, form, 422), done=_("회원 기관을 추가했습니다."),
                     to=url_for("market.alliance", alliance_id=alliance.id))


@bp.route("/alliances/<int:alliance_id>/tasks.xlsx")
@login_required
def alliance_tasks_xlsx(alliance_id: int):
    alliance = load_alliance(alliance_id)
    data = survey.tasks_xlsx(groups.tasks_of_alliance(alliance))
    return _xlsx(data, f"{alliance.name} 과제 후보.xlsx")


def _survey_page(alliance, form, problems=(), status=200):
    return render_template("market/survey.html", alliance=alliance, form=form, problems=list(problems),
                           columns=survey.COLUMNS, max_rows=survey.MAX_ROWS), status


@bp.route("/alliances/<int:alliance_id>/survey", methods=["GET", "POST"])
@login_required
def survey_import(alliance_id: int):
    alliance = load_alliance(alliance_id)
    access.require(access.can_manage_alliance(current_user, alliance))
    form = SurveyImportForm()
    if not form.is_submitted():
        return _survey_page(alliance, form)
    if not form.validate():
        return _survey_page(alliance, form, status=422)
    upload = form.file.data
    try:
        result = survey.import_file(upload.read(), alliance, current_user, filename=upload.filename or "")
    except survey.SurveyImportError as error:
        db.session.rollback()
        form.file.errors = [*form.file.errors, error.message]
        return _survey_page(alliance, form, error.problems, 422)
    db.session.commit()
    flash(_("수요 %(needs)d건을 가져왔습니다 (새로 등록한 기관 %(orgs)d곳).", needs=result.needs,
            orgs=result.organisations_created), "success")
    return redirect(url_for("market.alliance", alliance_id=alliance.id), 303)


@bp.route("/alliances/<int:alliance_id>/survey/template.xlsx")
@login_required
def survey_template(alliance_id: int):
    alliance = load_alliance(alliance_id)
    access.require(access.can_manage_alliance(current_user, alliance))
    return Response(survey.template_xlsx(), mimetype=XLSX,
                    headers={"Content-Disposition": "attachment; filename=\"survey-template.xlsx\""})


# --- research groups ---------------------------------------------------------------------------

def _group_page(group, form=None, status=200):
    coordinate = access.can_coordinate_group(current_user, group)
    return render_template("market/group.html", group=group, coordinate=coordinate,
                           member_form=form or (MemberForm() if coordinate else None),
                           tasks=groups.tasks_of(group), task_states=TASK_STATE_LABELS), status


@bp.route("/groups/<int:group_id>")
@login_required
def group(group_id: int):
    return _group_page(load_group(group_id))


@bp.route("/groups/<int:group_id>/members", methods=["POST"])
@login_required
def group_member_add(group_id: int):
    group = load_group(group_id)
    access.require(access.can_coordinate_group(current_user, group))
    form = MemberForm()
    return flow.post(form, lambda: groups.add_group_member(current_user, group, form.brn.data),
                     page=lambda: _group_page(group, form, 422), done=_("회원 기관을 추가했습니다."),
                     to=url_for("market.group", group_id=group.id))


@bp.route("/groups/<int:group_id>/members/<int:organisation_id>/remove", methods=["POST"])
@login_required
def group_member_remove(group_id: int, organisation_id: int):
    group = load_group(group_id)
    access.require(access.can_coordinate_group(current_user, group))
    return flow.act(lambda: groups.remove_group_member(current_user, group, organisation_id),
                    done=_("회원 기관을 뺐습니다."), to=url_for("market.group", group_id=group.id))


@bp.route("/groups/<int:group_id>/tasks.xlsx")
@login_required
def group_tasks_xlsx(group_id: int):
    group = load_group(group_id)
    return _xlsx(survey.tasks_xlsx(groups.tasks_of(group)), f"{group.name} 과제 후보.xlsx")


def _task_form(group, task=None):
    # The task fills the form only on GET: a post, even an empty one, is checked as sent.
    form = TaskForm(obj=task) if task is not None and request.method == "GET" else TaskForm()
    needs = groups.needs_for_group(group)
    caps = groups.capabilities_for_group(group)
    if task is not None:
        needs += [tn.need for tn in task.needs if tn.need not in needs]
        caps += [ts.capability for ts in task.suppliers if ts.capability not in caps]
    form.configure(needs, caps)
    if task is not None and request.method == "GET":
        form.need_ids.data = [str(tn.need_id) for tn in task.needs]
        form.capability_ids.data = [str(ts.capability_id) for ts in task.suppliers]
    return form


def _save(group, task):
    form = _task_form(group, task)

    def page():
        return render_template("market/task_edit.html", group=group, task=task, form=form), (
            422 if form.is_submitted() else 200)

    return flow.post(form, lambda: groups.save_task(current_user, group, task, title=form.title.data,
                                                    summary=form.summary.data or "",
                                                    need_ids=form.ids(form.need_ids),
                                                    capability_ids=form.ids(form.capability_ids)),
                     page=page, done=_("저장했습니다."), to=lambda t: url_for("market.task", task_id=t.id))


@bp.route("/groups/<int:group_id>/tasks/new", methods=["GET", "POST"])
@login_required
def task_new(group_id: int):
    group = load_group(group_id)
    access.require(access.can_coordinate_group(current_user, group))
    return _save(group, None)


def _task_page(task, state_form=None, status=200):
    coordinate = access.can_coordinate_group(current_user, task.group)
    if coordinate and state_form is None:
        state_form = TaskStateForm(state=task.state)
    return render_template("market/task.html", task=task, coordinate=coordinate, task_states=TASK_STATE_LABELS,
                           states=STATE_LABELS, state_form=state_form if coordinate else None), status


@bp.route("/tasks/<int:task_id>")
@login_required
def task(task_id: int):
    return _task_page(load_task(task_id))


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@login_required
def task_edit(task_id: int):
    task = load_task(task_id)
    access.require(access.can_coordinate_group(current_user, task.group))
    return _save(task.group, task)


@bp.route("/tasks/<int:task_id>/state", methods=["POST"])
@login_required
def task_state(task_id: int):
    task = load_task(task_id)
    access.require(access.can_coordinate_group(current_user, task.group))
    form = TaskStateForm()
    if not form.validate_on_submit():
        return _task_page(task, form, 422)
    return flow.act(lambda: groups.set_task_state(current_user, task, form.state.data),
                    done=_("상태를 바꿨습니다."), to=url_for("market.task", task_id=task.id))
