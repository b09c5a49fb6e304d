"""Officer console: objections (이의신청), their answers and re-evaluations."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.web.officer import bp
from app.extensions import db
from app.web.loaders import call_for_officer, objection_for_officer
from app.review import reevaluation
from app.selection import objections, reevaluated
from app.selection.objections import ObjectionError
from forms.objections import ActionForm, AnswerForm


@bp.route("/calls/<int:call_id>/objections")
@login_required
def objections_list(call_id: int):
    call = call_for_officer(call_id)
    return render_template("officer/objections.html", call=call, items=objections.all_of_call(call),
                           due=objections.due_list(call), answer_due=objections.answer_due,
                           decision_label=objections.decision_label)


def _page(item, form, status: int = 200):
    return render_template(
        "officer/objection.html", call=item.proposal.call, item=item, form=form, action_form=ActionForm(),
        due=objections.answer_due(item), ground_label=objections.ground_label,
        decision_label=objections.decision_label, seats=reevaluation.seats_of(item),
        outstanding=reevaluation.outstanding(item), may_open=reevaluated.may_open(item),
        may_apply=reevaluated.may_apply(item), eligible=reevaluation.eligible_count(item),
        panel_size=reevaluation.panel_size(item),
    ), status


@bp.route("/objections/<int:objection_id>", methods=["GET", "POST"])
@login_required
def objection(objection_id: int):
    item = objection_for_officer(objection_id)
    form = AnswerForm()
    if objections.may_answer(item) and form.validate_on_submit():
        try:
            objections.answer(item, current_user, form.answer.data, decision=form.decision.data)
        except ObjectionError as exc:
            db.session.rollback()
            target = form.decision if exc.field == "decision" else form.answer
            target.errors = [*target.errors, exc.message]
        else:
            db.session.commit()
            flash(_("이의신청에 답변했습니다. 컨소시엄에 통보됩니다."), "success")
            return redirect(url_for("officer.objection", objection_id=item.id))
    return _page(item, form, 422 if form.errors else 200)


def _act(objection_id: int, action, done: str):
    item = objection_for_officer(objection_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            action(item, current_user)
        except ObjectionError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return _page(item, AnswerForm(formdata=None), 422)
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("officer.objection", objection_id=item.id), 303)


@bp.route("/objections/<int:objection_id>/reevaluation", methods=["POST"])
@login_required
def objection_reevaluation(objection_id: int):
    return _act(objection_id, reevaluated.open_reevaluation,
                _("재평가를 시작했습니다. 원 평가에 참여하지 않은 평가위원에게 배정되었습니다."))


@bp.route("/objections/<int:objection_id>/reevaluation/apply", methods=["POST"])
@login_required
def objection_reevaluation_apply(objection_id: int):
    return _act(objection_id, reevaluated.apply,
                _("재평가 결과를 반영했습니다. 결과가 바뀐 컨소시엄에 다시 통보됩니다."))
