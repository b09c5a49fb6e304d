"""Applicant area: challenging an evaluator (기피신청).

Applicants do not know the panel before the announcement, so the consortium names
the organisation (and the person, if known) it believes conflicted, with its
reason; the officer matches it to an assigned reviewer and upholds or rejects it.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.web.proposals import bp
from app.extensions import db
from app.web.loaders import proposal_for_member
from app.review import conflicts
from app.review import review_access as policy
from app.access import require
from forms.review import ChallengeForm


def _proposal(proposal_id: int):
    # The challenges are the consortium's own: the call's officers see the proposal, but decide
    # challenges on their own pages, so here they get the 404 of anyone outside the consortium.
    return proposal_for_member(proposal_id)


def challenge_url(proposal) -> str | None:
    """The challenge page, for those who may file one while challenges are allowed; else None."""
    if policy.can_file_challenge(current_user, proposal) and conflicts.may_challenge(proposal):
        return url_for("proposals.challenges", proposal_id=proposal.id)
    return None


@bp.context_processor
def challenge_link():
    # The proposal's own page offers the link; its view lives with the drafting pages.
    return {"challenge_url": challenge_url}


def _page(proposal, form, status: int = 200):
    return render_template(
        "proposals/challenges.html", proposal=proposal, form=form, items=conflicts.challenges_of(proposal),
        can_file=policy.can_file_challenge(current_user, proposal) and conflicts.may_challenge(proposal),
        labels=conflicts.CHALLENGE_LABELS,
    ), status


@bp.route("/proposals/<int:proposal_id>/challenges")
@login_required
def challenges(proposal_id: int):
    return _page(_proposal(proposal_id), ChallengeForm())


@bp.route("/proposals/<int:proposal_id>/challenges", methods=["POST"])
@login_required
def challenge_file(proposal_id: int):
    proposal = _proposal(proposal_id)
    require(policy.can_file_challenge(current_user, proposal))
    form = ChallengeForm()
    if not form.validate_on_submit():
        return _page(proposal, form, 422)
    try:
        conflicts.file_challenge(proposal, current_user, target_organisation=form.target_organisation.data or "",
                                 target_person=form.target_person.data or "", reason=form.reason.data)
    except conflicts.ConflictError as exc:
        db.session.rollback()
        form.reason.errors.append(exc.message)
        return _page(proposal, form, 422)
    db.session.commit()
    flash(_("기피신청을 접수했습니다. 처리 결과는 알림으로 알려 드립니다."), "success")
    return redirect(url_for("proposals.challenges", proposal_id=proposal.id), 303)
