"""Officer console: the agreements of a call's selected proposals, and opening one."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.agreements import opening, revision
from app.core.errors import AgreementsError
from app.extensions import db
from app.web.loaders import call_for_officer, proposal_for_officer
from app.web.officer import bp
from forms.agreements import OpenForm


@bp.route("/calls/<int:call_id>/agreements")
@login_required
def agreements(call_id: int):
    call = call_for_officer(call_id)
    return render_template("officer/agreements.html", call=call, rows=opening.rows_of_call(call),
                           announced=opening.announced_at(call), agreement_status=revision.status_label)


def _page(proposal, form, status: int = 200):
    return render_template("officer/agreement_open.html", call=proposal.call, proposal=proposal, form=form,
                           opinions=opening.reviewer_opinions(proposal), refusal=opening.refusal(proposal)), status


@bp.route("/proposals/<int:proposal_id>/agreement", methods=["GET", "POST"])
@login_required
def agreement_open(proposal_id: int):
    proposal = proposal_for_officer(proposal_id)
    existing = opening.of_proposal(proposal)
    form = OpenForm()
    if not form.is_submitted():
        if existing is not None:
            return redirect(url_for("agreements.show", agreement_id=existing.id))
        form = OpenForm(formdata=None, revision_days=opening.default_days())
        return _page(proposal, form)
    problem = opening.refusal(proposal)
    if problem:
        flash(problem, "error")
        return _page(proposal, form, 409)
    if not form.validate_on_submit():
        return _page(proposal, form, 422)
    try:
        agreement = opening.open_agreement(proposal, current_user, form.required_changes.data, form.revision_days.data)
    except AgreementsError as exc:
        db.session.rollback()
        target = getattr(form, exc.field, None) if exc.field else None
        if target is None:
            flash(exc.message, "error")
            return _page(proposal, form, 409)
        target.errors = [*target.errors, exc.message]
        return _page(proposal, form, 422)
    db.session.commit()
    flash(_("협약을 시작했습니다. 컨소시엄에 사업계획 보완을 요청했습니다."), "success")
    return redirect(url_for("agreements.show", agreement_id=agreement.id), 303)
