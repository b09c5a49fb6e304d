"""Officer console: objections (이의신청) and their answers."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.web.officer import bp
from app.extensions import db
from app.web.loaders import call_for_officer, objection_for_officer
from app.selection import objections
from app.selection.objections import ObjectionError
from forms.officer import AnswerForm


@bp.route("/calls/<int:call_id>/objections")
@login_required
def objections_list(call_id: int):
    call = call_for_officer(call_id)
    return render_template("officer/objections.html", call=call, items=objections.all_of_call(call),
                           due=objections.due_list(call), answer_due=objections.answer_due)


@bp.route("/objections/<int:objection_id>", methods=["GET", "POST"])
@login_required
def objection(objection_id: int):
    item = objection_for_officer(objection_id)
    call = item.proposal.call
    form = AnswerForm()
    if objections.may_answer(item) and form.validate_on_submit():
        try:
            objections.answer(item, current_user, form.answer.data, form.re_evaluation.data)
        except ObjectionError as exc:
            db.session.rollback()
            form.answer.errors = [*form.answer.errors, exc.message]
        else:
            db.session.commit()
            flash(_("이의신청에 답변했습니다. 컨소시엄에 통보됩니다."), "success")
            return redirect(url_for("officer.objections_list", call_id=call.id))
    return render_template("officer/objection.html", call=call, item=item, form=form,
                           due=objections.answer_due(item)), 422 if form.errors else 200
