"""The agreement page, shared by the consortium and the call's officers, and its document."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.agreements import document, revision, signing
from app.agreements import clock as _clock  # noqa: F401 - adds the reminders to the clock's work
from app.models.agreements import AgreementStatus
from app.proposals.drafts import SOURCE_LABELS
from app.web.agreements import bp
from app.web.documents import send_document
from app.web.loaders import agreement as load_agreement
from forms.agreements import DecisionForm, IssueForm, RevisionForm, TermsForm


def page(agreement, status: int = 200, *, revision_form=None, decision_form=None, terms_form=None,
         report=None):
    """The one page every step of the agreement is shown and acted on, with the forms its reader may use."""
    is_officer = access.is_officer_for_call(current_user, agreement.call)
    can_revise = access.can_revise_plan(current_user, agreement) and agreement.status == AgreementStatus.REVISING
    latest = agreement.latest_revision
    if terms_form is None and is_officer and agreement.status == AgreementStatus.DRAFTING:
        start, end = document.default_period(agreement)
        terms_form = TermsForm(formdata=None, period_start=agreement.period_start or start,
                               period_end=agreement.period_end or end,
                               special_conditions=agreement.special_conditions)
    return render_template(
        "agreements/show.html", agreement=agreement, proposal=agreement.proposal, call=agreement.call,
        status_label=revision.status_label, party_label=document.party_label, is_officer=is_officer,
        can_revise=can_revise, latest=latest,
        result=(revision.live_compared(agreement) if can_revise else revision.compared(agreement, latest)),
        source_labels=SOURCE_LABELS,
        revision_form=revision_form or (RevisionForm(formdata=None) if can_revise else None),
        decision_form=decision_form or (DecisionForm(formdata=None) if is_officer else None),
        terms_form=terms_form, issue_form=IssueForm(formdata=None), report=report,
        my_turn=signing.my_turn(agreement, current_user),
        waiting=signing.waiting_for_others(agreement, current_user),
        project=signing.project_of(agreement) if agreement.status == AgreementStatus.SIGNED else None,
    ), status


@bp.route("/<int:agreement_id>")
@login_required
def show(agreement_id: int):
    return page(load_agreement(agreement_id))


@bp.route("/<int:agreement_id>/document")
@login_required
def document_download(agreement_id: int):
    agreement = load_agreement(agreement_id)
    key = document.key(agreement)
    if key is None:
        flash(_("아직 협약서가 발급되지 않았습니다."), "info")
        return redirect(url_for("agreements.show", agreement_id=agreement.id), 303)
    return send_document(key, document.filename(agreement), "pdf", f"agreement {agreement.id}")
