"""A selected, announced proposal, and a project started from it, for the after-the-award tests.

``signed_project`` makes the agreement rows directly (accepted revision = the submitted version,
every party signed) so report, change and inspection tests do not depend on the signing pages;
the agreement's own tests go through ``app.agreements``.
"""
from __future__ import annotations

from datetime import date

from app.calls import lifecycle
from app.core import clock as app_clock
from app.extensions import db
from app.models.agreements import Agreement, AgreementSignature, AgreementStatus, PlanRevision, RevisionDecision
from app.proposals import snapshot
from app.projects import setup
from app.selection import decisions, results, screening
from tests.app.builders import applicant_of, submitted_proposal, uniform_sheets
from tests.factories import closed_call, officer_for


def announced_selection(complex_name: str = "창원"):
    """(call, officer, proposal, applicant): the proposal ranked, selected and announced."""
    call = closed_call()
    officer = officer_for(call)
    proposal = submitted_proposal(call, complex_name)
    applicant = applicant_of(proposal)
    screening.decide(proposal, officer, "confirmed", "")
    lifecycle.start_review(call, officer)
    # Points above the pass mark: the proposal is really selected (Result.selected), not just ranked.
    results.compute(call, officer, uniform_sheets(proposal, "27", "22", "9", "9"))
    decisions.decide(call, officer)
    decisions.announce(call, officer)
    db.session.commit()
    return call, officer, proposal, applicant


def signed_project(period=(date(2025, 7, 1), date(2028, 12, 31)), complex_name: str = "창원"):
    """(project, officer, applicant): an announced selection whose agreement every party signed."""
    call, officer, proposal, applicant = announced_selection(complex_name)
    return signed_directly(proposal, officer, applicant, period), officer, applicant


def signed_directly(proposal, officer, applicant, period=(date(2025, 7, 1), date(2028, 12, 31))):
    """The project of ``proposal``, its agreement rows written as if every party had signed."""
    call = proposal.call
    at = app_clock.now()
    agreement = Agreement(call_id=call.id, proposal_id=proposal.id, status=AgreementStatus.SIGNED,
                          required_changes="", revision_due_at=at, period_start=period[0], period_end=period[1],
                          created_by_id=officer.id, issued_at=at, sign_due_at=at, signed_at=at,
                          document_sha256="0" * 64)
    db.session.add(agreement)
    db.session.flush()
    plan = snapshot.latest_version(proposal).snapshot
    agreement.revisions.append(PlanRevision(number=1, snapshot=plan, submitted_by_id=applicant.id,
                                            decision=RevisionDecision.ACCEPTED, decided_by_id=officer.id,
                                            decided_at=at))
    agreement.signatures.append(AgreementSignature(organisation_id=proposal.consortium.lead_org_id, party="lead",
                                                   position=0, signer_id=applicant.id, signer_name=applicant.name,
                                                   signed_at=at, document_sha256="0" * 64))
    agreement.signatures.append(AgreementSignature(organisation_id=call.programme.agency_id, party="agency",
                                                   position=1, signer_id=officer.id, signer_name=officer.name,
                                                   signed_at=at, document_sha256="0" * 64))
    db.session.flush()
    project = setup.start(agreement, officer)
    db.session.commit()
    return project
