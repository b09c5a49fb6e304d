"""Applicant area: the consortium's own result after the announcement, and objections (이의신청)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.web.proposals import bp
from app.extensions import db
from app import access
from app.web.loaders import proposal_for_member
from app.selection import objections, results
from app.selection.objections import ObjectionError
from forms.officer import ObjectionForm


@bp.route("/my/proposals/<int:proposal_id>/result", methods=["GET", "POST"])
@login_required
def result(proposal_id: int):
    proposal = proposal_for_member(proposal_id)
    view = results.consortium_view(proposal, "en" if str(get_locale()) == "en" else "ko")
    form = ObjectionForm()
    can_file = view is not None and objections.can_file(proposal)
    if form.validate_on_submit():
        access.require(access.can_manage_consortium(current_user, proposal.consortium) and view is not None)
        try:
            objections.file(proposal, current_user, form.grounds.data)
        except ObjectionError as exc:
            db.session.rollback()
            form.grounds.errors = [*form.grounds.errors, exc.message]
        else:
            db.session.commit()
            flash(_("이의신청을 접수했습니다. 30일 이내에 답변드립니다."), "success")
            return redirect(url_for("proposals.result", proposal_id=proposal.id))
    return render_template(
        "proposals/result.html", proposal=proposal, view=view, form=form, can_file=can_file,
        can_manage=access.can_manage_consortium(current_user, proposal.consortium),
        deadline=objections.filing_deadline(proposal.call), items=objections.of_proposal(proposal),
        answer_due=objections.answer_due,
    ), 422 if form.errors else 200
