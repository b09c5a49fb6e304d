"""Officer console: creating, editing and copying calls, and the rubric (the lifecycle steps: officer_steps)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.web.officer import bp
from app.web.officer import require_officer
from app.core.romanise import place_for_reader as place
from app.extensions import db
from app.models import Programme
from app import access
from app.calls import amendments, call_admin
from app.calls.call_admin import CallAdminError
from app.review import conflicts
from app.web import flow, row_editor
from app.web.loaders import call_for_officer
from forms.officer import CallForm, CopyCallForm
from forms.rubric import RubricForm, problem_field


def _programmes():
    return call_admin.programmes_for(current_user)


def _prepare(form: CallForm) -> None:
    form.programme_id.choices = [SelectChoice(p.id, p.name) for p in _programmes()]
    form.complex_ids.choices = [
        SelectChoice(c.id, f"{place(c.name)} ({place(c.region)}, {c.designated_year or '-'})")
        for c in call_admin.complexes()
    ]


# The row editors' view helpers (shared with the stage-rubric page).
_status, _bound = row_editor.status, row_editor.bound


def _save_call(form, save, done: str):
    """Save the form through ``save(programme, data)``: commit and say ``done``, or roll back.

    Returns the saved call, or None and the problems no field of the form shows.
    """
    programme = db.session.get(Programme, form.programme_id.data)
    access.require(programme is not None and programme in _programmes())
    try:
        call = save(programme, form.to_data())
        conflicts.set_pledge_text(call, current_user, form.pledge_text.data)
    except conflicts.ConflictError as exc:
        db.session.rollback()
        return None, flow.place(form, [(exc.field, exc.message)])
    except CallAdminError as exc:
        db.session.rollback()
        return None, flow.place(form, exc.problems)
    db.session.commit()
    flash(done, "success")
    return call, []


@bp.route("/calls/new", methods=["GET", "POST"])
@login_required
def new_call():
    require_officer()
    form, moved = _bound(CallForm)
    _prepare(form)
    loose: list[str] = []
    if not moved and form.validate_on_submit():
        call, loose = _save_call(
            form, lambda programme, data: call_admin.create_call(current_user, programme, data),
            _("공모를 만들었습니다. 평가표를 설정하십시오."))
        if call is not None:
            return redirect(url_for("officer.edit_rubric", call_id=call.id))
    return render_template("officer/call_form.html", form=form, call=None, loose=loose, amending=False,
                           standard_pledge=conflicts.PLEDGE_TEMPLATE), _status(moved)


@bp.route("/calls/<int:call_id>/edit", methods=["GET", "POST"])
@login_required
def edit_call(call_id: int):
    call = call_for_officer(call_id)
    form, moved = _bound(CallForm)
    _prepare(form)
    if request.method == "GET":
        form.fill_from(call)
    loose: list[str] = []
    if not moved and form.validate_on_submit():

        def update(programme, data):
            call_admin.update_call(call, current_user, data, programme, reason=form.amendment_reason.data or "")
            return call

        saved, loose = _save_call(form, update, _("공모 정보를 저장했습니다."))
        if saved is not None:
            return redirect(url_for("officer.dashboard", call_id=call.id))
        call = call_for_officer(call_id)  # the rollback expired it
    return render_template("officer/call_form.html", form=form, call=call, loose=loose,
                           amending=amendments.is_live(call), standard_pledge=conflicts.PLEDGE_TEMPLATE), _status(moved)


@bp.route("/calls/<int:call_id>/rubric", methods=["GET", "POST"])
@login_required
def edit_rubric(call_id: int):
    call = call_for_officer(call_id)
    locked = call_admin.rubric_lock(call)
    if request.method == "POST" and locked:
        flash(locked, "error")
        return redirect(url_for("officer.edit_rubric", call_id=call.id))
    form, moved = _bound(RubricForm)
    if request.method == "GET":
        form.fill_from(call)
    form.prepare(call)
    loose: list[str] = []
    if not moved and form.validate_on_submit():
        rubric, policy = form.to_rubric_policy(call)
        try:
            call_admin.set_rubric(call, current_user, rubric, policy, reason=form.amendment_reason.data or "")
        except CallAdminError as exc:
            db.session.rollback()
            call = call_for_officer(call_id)
            loose = flow.place(form, [(problem_field(name), message) for name, message in exc.problems])
        else:
            db.session.commit()
            flash(_("평가표를 저장했습니다."), "success")
            return redirect(url_for("officer.dashboard", call_id=call.id))
    return render_template("officer/rubric_form.html", form=form, call=call, locked=locked, loose=loose,
                           amending=amendments.is_live(call)), _status(moved)


@bp.route("/calls/<int:call_id>/copy", methods=["GET", "POST"])
@login_required
def copy_call(call_id: int):
    call = call_for_officer(call_id)
    form = CopyCallForm()
    loose: list[str] = []
    if form.validate_on_submit():
        try:
            new = call_admin.copy_call(call, current_user, form.code.data.strip())
        except CallAdminError as exc:
            db.session.rollback()
            call = call_for_officer(call_id)
            loose = flow.place(form, exc.problems)
        else:
            db.session.commit()
            flash(_("공모를 복사했습니다. 일정과 내용을 확인하십시오."), "success")
            return redirect(url_for("officer.edit_call", call_id=new.id))
    return render_template("officer/call_copy.html", form=form, call=call, loose=loose), _status()
