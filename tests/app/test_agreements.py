"""The agreement (협약) before signing: opening, the revised plan, its review, the document."""
from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.agreements import document, opening, revision
from app.core.errors import AgreementsError
from app.extensions import db
from app.models import AuditEntry, Notification, OutboxMessage, ProposalVersion
from app.models.agreements import Agreement, AgreementStatus
from app.proposals import drafts
from app.calls.deadline import ClosedError
from tests.app.agreement_flow import opened, revised, with_member
from tests.app.award_builders import announced_selection
from tests.app.builders import applicant_of, submitted_proposal
from tests.factories import closed_call, officer_for
from tests.support import read_mails, sign_in


def _actions(agreement) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "agreement", AuditEntry.object_id == agreement.id).order_by(AuditEntry.id)))


def test_the_officer_opens_an_agreement_for_a_selected_announced_proposal(app, client, clock, mailbox):
    call, officer, proposal, applicant = announced_selection()
    sign_in(client, officer)
    page = client.get(f"/officer/calls/{call.id}/agreements")
    assert page.status_code == 200 and proposal.receipt_no in page.get_data(as_text=True)
    form = client.get(f"/officer/proposals/{proposal.id}/agreement")
    assert form.status_code == 200 and 'value="20"' in form.get_data(as_text=True)
    # Bad input: a field-level message, nothing opened.
    bad = client.post(f"/officer/proposals/{proposal.id}/agreement", data={"required_changes": "", "revision_days": "500"})
    assert bad.status_code == 422 and opening.of_proposal(proposal) is None
    assert "보완 기한은 1일에서 90일 사이로 정하십시오." in bad.get_data(as_text=True)
    resp = client.post(f"/officer/proposals/{proposal.id}/agreement",
                       data={"required_changes": "PoC 3의 목표값을 구체적으로 제시할 것.", "revision_days": "14"})
    agreement = opening.of_proposal(proposal)
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/agreements/{agreement.id}")
    assert agreement.status == AgreementStatus.REVISING
    assert agreement.revision_due_at == agreement.created_at + timedelta(days=14)
    assert _actions(agreement) == ["agreement.opened"]
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "agreement",
                                                         OutboxMessage.user_id == applicant.id))
    assert mail.context["kind"] == "opened" and "PoC 3" in mail.context["comment"]
    sent = read_mails(mailbox, to=applicant.email)
    assert sent and sent[-1]["Subject"] == f"[{call.title}] 협약 사업계획 보완 안내"
    body = sent[-1].get_body(preferencelist=("plain",)).get_content()
    assert "협약을 시작합니다" in body and "PoC 3의 목표값" in body and f"/agreements/{agreement.id}" in body
    assert db.session.scalar(select(Notification).where(Notification.user_id == applicant.id,
                                                        Notification.kind == "agreement")) is not None
    # Opened once: a second opening is refused with a clear message.
    again = client.post(f"/officer/proposals/{proposal.id}/agreement",
                        data={"required_changes": "다시 여는 시도입니다.", "revision_days": "20"})
    assert again.status_code == 409 and "이미 시작되었습니다" in again.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Agreement.id))) == 1


def test_no_agreement_before_the_announcement_or_for_a_proposal_not_selected(app, clock):
    call = closed_call()
    officer = officer_for(call)
    proposal = submitted_proposal(call, "창원")
    with pytest.raises(AgreementsError, match="발표한 뒤"):
        opening.open_agreement(proposal, officer, "보완할 사항을 적습니다.")
    call, officer, proposal, applicant = announced_selection()
    loser = submitted_proposal(call, "반월", title="반월 신청")  # not ranked, not selected
    with pytest.raises(AgreementsError, match="선정된 신청서만"):
        opening.open_agreement(loser, officer, "보완할 사항을 적습니다.")
    with pytest.raises(AgreementsError) as refused:
        opening.open_agreement(proposal, officer, "보완", days=0)
    assert refused.value.field in ("required_changes", "revision_days")
    assert opening.of_proposal(proposal) is None


def test_the_lead_revises_only_the_sections_while_revising_and_submits_a_frozen_revision(app, client, clock, mailbox):
    call, officer, proposal, applicant = announced_selection()
    with pytest.raises(ClosedError):  # the call is closed: no edits before the agreement asks for them
        drafts.save_overview(proposal, applicant, {"title": "몰래 고친 사업명"})
    db.session.rollback()
    agreement = opened(proposal, officer)
    v1 = db.session.scalar(select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id))
    submitted_title = v1.snapshot["overview"]["title"]
    sign_in(client, applicant)
    page = client.get(f"/proposals/{proposal.id}/overview")
    assert page.status_code == 200 and "협약을 위해 사업계획을 보완하는 중입니다" in page.get_data(as_text=True)
    saved = client.post(f"/proposals/{proposal.id}/overview", data={"title": "창원 AX 실증산단 (보완)",
                                                                   "summary": proposal.summary,
                                                                   "strategic_industries": proposal.strategic_industries or "",
                                                                   "complex_id": str(proposal.complex_id)})
    assert saved.status_code == 302 and proposal.title == "창원 AX 실증산단 (보완)"
    # Nothing else opens: attachments, submission and withdrawal stay closed; the version is untouched.
    assert client.post(f"/proposals/{proposal.id}/submit").status_code in (302, 303, 409, 422)
    assert db.session.scalar(select(db.func.count(ProposalVersion.id)).where(ProposalVersion.proposal_id == proposal.id)) == 1
    db.session.refresh(v1)
    assert v1.snapshot["overview"]["title"] == submitted_title
    # The agreement page shows the live changes against the submitted version.
    shown = client.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert "고친 내용" in shown and "(보완)" in shown
    bad = client.post(f"/agreements/{agreement.id}/revision", data={"note": ""})
    assert bad.status_code == 422 and agreement.revisions == []
    resp = client.post(f"/agreements/{agreement.id}/revision", data={"note": "사업명을 보완했습니다."})
    assert resp.status_code == 303
    db.session.expire_all()
    assert agreement.status == AgreementStatus.REVISION_SUBMITTED
    assert agreement.revisions[0].snapshot["overview"]["title"] == "창원 AX 실증산단 (보완)"
    # Frozen: the sections close again while the officer reads it.
    with pytest.raises(ClosedError):
        drafts.save_overview(proposal, applicant, {"title": "검토 중 고친 사업명"})
    db.session.rollback()
    to_officer = db.session.scalar(select(OutboxMessage).where(OutboxMessage.user_id == officer.id,
                                                               OutboxMessage.template == "agreement"))
    assert to_officer.context["kind"] == "revision_submitted"


def test_the_officer_returns_with_an_extension_then_accepts(app, client, clock, mailbox):
    call, officer, proposal, applicant = announced_selection()
    agreement = opened(proposal, officer)
    revised(agreement, applicant)
    due = agreement.revision_due_at
    sign_in(client, officer)
    shown = client.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert "제1판 보완 계획과 제출한 신청서 비교" in shown and "diff-add" in shown
    bad = client.post(f"/agreements/{agreement.id}/revision/decision", data={"decision": "returned", "comment": ""})
    assert bad.status_code == 422 and agreement.status == AgreementStatus.REVISION_SUBMITTED
    resp = client.post(f"/agreements/{agreement.id}/revision/decision",
                       data={"decision": "returned", "comment": "KPI 기준값의 근거를 보완하십시오.", "extend_days": "7"})
    assert resp.status_code == 303
    db.session.expire_all()
    assert agreement.status == AgreementStatus.REVISING and agreement.revisions[0].decision == "returned"
    assert agreement.revision_due_at == due + timedelta(days=7)
    back = db.session.scalar(select(OutboxMessage).where(OutboxMessage.user_id == applicant.id,
                                                         OutboxMessage.context["kind"].as_string() == "revision_returned"))
    assert back is not None and "KPI" in back.context["comment"]
    revised(agreement, applicant, "창원 AX 실증산단 (재보완)")
    client.post(f"/agreements/{agreement.id}/revision/decision", data={"decision": "accepted", "comment": ""})
    db.session.expire_all()
    assert agreement.status == AgreementStatus.DRAFTING and agreement.accepted_revision.number == 2
    assert _actions(agreement) == ["agreement.opened", "agreement.revision_submitted", "agreement.revision_extended",
                                   "agreement.revision_returned", "agreement.revision_submitted",
                                   "agreement.revision_accepted"]


def test_the_document_is_made_from_the_accepted_plan_and_its_hash_recorded(app, client, clock, mailbox):
    call, officer, proposal, applicant, member = with_member()
    agreement = opened(proposal, officer)
    accepted = revised(agreement, applicant)
    revision.accept(agreement, officer)
    db.session.commit()
    sign_in(client, officer)
    page = client.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert f'value="{call.first_year}-01-01"' in page  # the period defaults to the call's years
    bad = client.post(f"/agreements/{agreement.id}/terms",
                      data={"period_start": "2025-07-01", "period_end": "2024-12-31", "special_conditions": ""})
    assert bad.status_code == 422 and agreement.period_start is None
    assert client.post(f"/agreements/{agreement.id}/terms", data={
        "period_start": "2025-07-01", "period_end": "2028-12-31",
        "special_conditions": "실증 결과는 매년 공개 발표회에서 공유한다."}).status_code == 303
    assert client.post(f"/agreements/{agreement.id}/issue").status_code == 303
    db.session.expire_all()
    assert agreement.status == AgreementStatus.SIGNING
    assert agreement.sign_due_at == agreement.issued_at + timedelta(days=30)
    assert [(s.party, s.organisation_id) for s in agreement.signatures] == [
        ("lead", proposal.consortium.lead_org_id), ("university", member.organisation_id),
        ("agency", call.programme.agency_id)]
    pdf = client.get(f"/agreements/{agreement.id}/document")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert hashlib.sha256(pdf.data).hexdigest() == agreement.document_sha256 and len(pdf.data) == agreement.document_size
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    budget = accepted.snapshot["budget"]
    for needed in (proposal.consortium.lead_org.name, "한국공과대학교", call.programme.agency.name,
                   "창원 AX 실증산단 (보완)", "2025-07-01 ~ 2028-12-31", "특수조건", "실증 결과는 매년 공개 발표회",
                   f"{budget['totals']['national']:,}", f"{budget['totals']['total']:,}",
                   f"{budget['rows'][0]['local']:,}", accepted.snapshot["poc_plans"][0]["kpis"][0]["name"]):
        assert needed in text, needed
    # Everyone of the consortium downloads it and sees its hash.
    sign_in(client, member)
    assert agreement.document_sha256 in client.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert client.get(f"/agreements/{agreement.id}/document").data == pdf.data
    assert _actions(agreement)[-2:] == ["agreement.terms_set", "agreement.issued"]


def test_issue_is_refused_before_the_revision_is_accepted(app, clock):
    call, officer, proposal, applicant = announced_selection()
    agreement = opened(proposal, officer)
    with pytest.raises(AgreementsError):
        document.issue(agreement, officer)
    db.session.rollback()
    with pytest.raises(AgreementsError):
        document.set_terms(agreement, officer, date(2025, 7, 1), date(2028, 12, 31), "")
    db.session.rollback()
    assert agreement.status == AgreementStatus.REVISING and agreement.document_sha256 is None


def test_an_agreement_is_only_for_the_consortium_and_the_call_officers(app, client, clock):
    call, officer, proposal, applicant = announced_selection()
    agreement = opened(proposal, officer)
    outsider = applicant_of(submitted_proposal(call, "반월", title="반월 신청"))
    for stranger in (outsider, officer_for(closed_call())):
        sign_in(client, stranger)
        assert client.get(f"/agreements/{agreement.id}").status_code == 404
        assert client.get(f"/agreements/{agreement.id}/document").status_code == 404
    sign_in(client, applicant)
    assert client.post(f"/agreements/{agreement.id}/revision/decision", data={"decision": "accepted"}).status_code == 403
    sign_in(client, officer)
    assert client.post(f"/agreements/{agreement.id}/revision", data={"note": "담당자가 대신 제출"}).status_code == 403
    assert agreement.revisions == []


def test_the_revision_opens_only_the_leads_sections_of_that_proposal(app, client, clock):
    call, officer, proposal, applicant, member = with_member()
    other = submitted_proposal(call, "반월", title="반월 신청")
    agreement = opened(proposal, officer)
    # Another proposal of the closed call stays closed.
    with pytest.raises(ClosedError):
        drafts.save_overview(other, applicant_of(other), {"title": "다른 신청서"})
    db.session.rollback()
    # The member sees the proposal but does not edit it; the lead cannot upload or withdraw.
    sign_in(client, member)
    assert client.post(f"/proposals/{proposal.id}/overview", data={"title": "참여기관이 고친 사업명"}).status_code in (403, 404)
    sign_in(client, applicant)
    files = len(proposal.attachments)
    up = client.post(f"/proposals/{proposal.id}/attachments",
                     data={"kind": "other", "file": (io.BytesIO(b"%PDF-1.4 x"), "추가.pdf")},
                     content_type="multipart/form-data")
    assert up.status_code in (302, 303, 409, 422)
    assert client.post(f"/proposals/{proposal.id}/withdraw").status_code in (302, 303, 409, 422)
    db.session.expire_all()
    assert len(proposal.attachments) == files and proposal.status == "submitted"
    assert proposal.title != "참여기관이 고친 사업명"
    # Once the revision is accepted the sections close again.
    revised(agreement, applicant)
    revision.accept(agreement, officer)
    db.session.commit()
    with pytest.raises(ClosedError):
        drafts.save_overview(proposal, applicant, {"title": "승인 뒤 고친 사업명"})
