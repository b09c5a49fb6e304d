"""The steps of the agreement before signing: the lead submits the revised plan, the officer
accepts or returns it, sets the terms and issues the document."""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.agreements import document, revision
from app.agreements.revision import RevisionRefused
from app.core.errors import AgreementsError
from app.extensions import db
from app.web.agreements import bp
from app.web.agreements.pages import page
from app.web.loaders import agreement as load_agreement
from forms.agreements import DecisionForm, IssueForm, RevisionForm, TermsForm


def _back(agreement, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("agreements.show", agreement_id=agreement.id), 303)


def _refused(agreement, form, exc: AgreementsError, **forms):
    """Nothing changed: the message next to its field, or at the top when it names none."""
    db.session.rollback()
    target = getattr(form, exc.field, None) if exc.field else None
    if target is not None:
        target.errors = [*target.errors, exc.message]
        return page(agreement, 422, **forms)
    flash(exc.message, "error")
    return page(agreement, 409, **forms)


@bp.route("/<int:agreement_id>/revision", methods=["POST"])
@login_required
def submit_revision(agreement_id: int):
    agreement = load_agreement(agreement_id)
    access.require(access.can_revise_plan(current_user, agreement))
    form = RevisionForm()
    if not form.validate_on_submit():
        return page(agreement, 422, revision_form=form)
    try:
        revision.submit(agreement, current_user, form.note.data)
    except RevisionRefused as exc:
        db.session.rollback()
        return page(agreement, 422, revision_form=form, report=exc.report)
    except AgreementsError as exc:
        return _refused(agreement, form, exc, revision_form=form)
    return _back(agreement, _("보완 계획을 제출했습니다. 담당자가 검토합니다."))


@bp.route("/<int:agreement_id>/revision/decision", methods=["POST"])
@login_required
def decide_revision(agreement_id: int):
    agreement = load_agreement(agreement_id)
    access.require(access.is_officer_for_call(current_user, agreement.call))
    form = DecisionForm()
    if not form.validate_on_submit():
        return page(agreement, 422, decision_form=form)
    try:
        if form.decision.data == "accepted":
            revision.accept(agreement, current_user, form.comment.data)
            message = _("보완 계획을 승인했습니다. 협약 조건을 정하고 협약서를 발급하십시오.")
        else:
            revision.return_revision(agreement, current_user, form.comment.data, form.extend_days.data)
            message = _("보완 계획을 반려했습니다. 컨소시엄에 통보됩니다.")
    except AgreementsError as exc:
        return _refused(agreement, form, exc, decision_form=form)
    return _back(agreement, message)


@bp.route("/<int:agreement_id>/terms", methods=["POST"])
@login_required
def terms(agreement_id: int):
    agreement = load_agreement(agreement_id)
    access.require(access.is_officer_for_call(current_user, agreement.call))
    form = TermsForm()
    if not form.validate_on_submit():
        return page(agreement, 422, terms_form=form)
    try:
        document.set_terms(agreement, current_user, form.period_start.data, form.period_end.data,
                           form.special_conditions.data)
    except AgreementsError as exc:
        return _refused(agreement, form, exc, terms_form=form)
    return _back(agreement, _("협약 조건을 저장했습니다."))


@bp.route("/<int:agreement_id>/issue", methods=["POST"])
@login_required
def issue(agreement_id: int):
    agreement = load_agreement(agreement_id)
    access.require(access.is_officer_for_call(current_user, agreement.call))
    form = IssueForm()
    if not form.validate_on_submit():
        flash(_("요청이 만료되었습니다. 다시 시도하십시오."), "error")
        return page(agreement, 400)
    try:
        document.issue(agreement, current_user)
    except AgreementsError as exc:
        return _refused(agreement, form, exc)
    return _back(agreement, _("협약서를 발급했습니다. 당사자들이 순서대로 서명합니다."))
