"""Officer console: the ranking, each proposal's explanation, and selection overrides."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.web.officer import bp
from app.extensions import db
from app.web.loaders import call_for_officer, result_for_officer
from app.selection import results
from app.selection.results import ResultsError
from forms.officer import ActionForm, OverrideForm


@bp.route("/calls/<int:call_id>/results")
@login_required
def ranking(call_id: int):
    call = call_for_officer(call_id)
    return render_template(
        "officer/ranking.html", call=call, rows=results.ranking_rows(call), criteria=results.criteria_labels(call),
        stats=results.reviewer_statistics(call), compute_form=ActionForm(), can_compute=results.may_compute(call),
    )


@bp.route("/calls/<int:call_id>/results/compute", methods=["POST"])
@login_required
def compute_results(call_id: int):
    call = call_for_officer(call_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        rows = results.compute(call, current_user)
    except ResultsError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("평가 결과를 산출했습니다 (%(n)s건).", n=len(rows)), "success")
    return redirect(url_for("officer.ranking", call_id=call_id))


@bp.route("/results/<int:result_id>", methods=["GET", "POST"])
@login_required
def result_detail(result_id: int):
    result = result_for_officer(result_id)
    call = result.proposal.call
    form = OverrideForm(data={"selected": "1" if result.selected else "0"})
    if form.validate_on_submit():
        try:
            results.override(result, current_user, form.selected.data == "1", form.reason.data)
        except ResultsError as exc:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, exc.message]
        else:
            db.session.commit()
            flash(_("선정 여부를 변경했습니다. 변경 사유가 기록되었습니다."), "success")
            return redirect(url_for("officer.ranking", call_id=call.id))
    return render_template("officer/result_detail.html", call=call, result=result, form=form,
                           criteria=results.criteria_labels(call), can_override=results.may_override(call)), \
        422 if form.errors else 200
