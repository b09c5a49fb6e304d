"""Applicant area: the consortium's own result after the announcement, and objections (이의신청)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.web.proposals import bp
from app.extensions import db
from app import access
from app.agreements import opening
from app.web.documents import send_document
from app.web.loaders import objection_evidence, proposal_for_member
from app.proposals import filetypes
from app.selection import objections, outcomes
from app.selection.objections import ObjectionError
from forms.objections import ObjectionForm


@bp.route("/my/proposals/<int:proposal_id>/result", methods=["GET", "POST"])
@login_required
def result(proposal_id: int):
    proposal = proposal_for_member(proposal_id)
    view = outcomes.consortium_view(proposal, "en" if str(get_locale()) == "en" else "ko")
    form = ObjectionForm()
    can_file = view is not None and objections.can_file(proposal)
    status = 200
    if form.validate_on_submit():
        access.require(access.can_manage_consortium(current_user, proposal.consortium) and view is not None)
        files = [(f.stream, f.filename) for f in form.evidence.data or [] if getattr(f, "filename", "")]
        try:
            objections.file(proposal, current_user, form.grounds.data, form.ground.data, files)
        except ObjectionError as exc:
            db.session.rollback()
            target = form[exc.field] if exc.field in ("ground", "grounds", "evidence") else form.grounds
            target.errors = [*target.errors, exc.message]
        else:
            db.session.commit()
            flash(_("이의신청을 접수했습니다. 30일 이내에 답변드립니다."), "success")
            return redirect(url_for("proposals.result", proposal_id=proposal.id))
    if form.errors:
        status = 422
    return render_template(
        "proposals/result.html", proposal=proposal, view=view, form=form, can_file=can_file,
        can_manage=access.can_manage_consortium(current_user, proposal.consortium),
        deadline=objections.filing_deadline(proposal.call), items=objections.of_proposal(proposal),
        answer_due=objections.answer_due, ground_label=objections.ground_label,
        decision_label=objections.decision_label, accepted=", ".join(filetypes.ACCEPTED_EXTENSIONS),
        max_evidence=objections.MAX_EVIDENCE, followed=opening.followed(proposal, current_user),
    ), status


@bp.route("/objections/evidence/<int:evidence_id>")
@login_required
def objection_evidence_download(evidence_id: int):
    evidence = objection_evidence(evidence_id)
    return send_document(objections.evidence_key(evidence), evidence.filename, evidence.detected_type,
                         f"objection evidence {evidence.id}")
