"""Agreement tasks on the home page: the lead's revision and each party's signature; for officers,
revisions to review, agency signatures due and overdue agreements. One grouped query each."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import and_, case, exists, func, select

from app.extensions import db
from app.models.agreements import Agreement, AgreementSignature, AgreementStatus
from app.models.consortia import Consortium
from app.models.proposals import Proposal
from app.worklist.item import Task


def applicant_tasks(user, role: str) -> list[Task]:
    org = user.acting_organisation_id
    if org is None:
        return []
    out = []
    rows = db.session.execute(
        select(Agreement.id, Agreement.revision_due_at, Proposal.receipt_no)
        .join(Proposal, Proposal.id == Agreement.proposal_id)
        .join(Consortium, Consortium.id == Proposal.consortium_id)
        .where(Consortium.lead_org_id == org, Agreement.status == AgreementStatus.REVISING)).all()
    for agreement_id, due, receipt in rows:
        out.append(Task(role, _("%(receipt)s 협약 사업계획 보완 제출", receipt=receipt),
                        url_for("agreements.show", agreement_id=agreement_id), due))
    rows = db.session.execute(
        select(Agreement.id, Agreement.sign_due_at, Proposal.receipt_no)
        .join(Proposal, Proposal.id == Agreement.proposal_id)
        .join(AgreementSignature, AgreementSignature.agreement_id == Agreement.id)
        .where(Agreement.status == AgreementStatus.SIGNING, AgreementSignature.organisation_id == org,
               AgreementSignature.party != "agency", AgreementSignature.signed_at.is_(None))).all()
    for agreement_id, due, receipt in rows:
        out.append(Task(role, _("%(receipt)s 협약서 서명", receipt=receipt),
                        url_for("agreements.show", agreement_id=agreement_id), due))
    return out


def officer_tasks(calls: dict, role: str) -> list[Task]:
    ids = list(calls)
    if not ids:
        return []
    out = []
    # Every party but the agency has signed: the agency's signature is the one awaited.
    others_pending = exists().where(AgreementSignature.agreement_id == Agreement.id,
                                    AgreementSignature.party != "agency", AgreementSignature.signed_at.is_(None))
    review = Agreement.status == AgreementStatus.REVISION_SUBMITTED
    agency = and_(Agreement.status == AgreementStatus.SIGNING, ~others_pending)
    overdue = Agreement.overdue_flagged_at.is_not(None)
    rows = db.session.execute(
        select(Agreement.call_id, func.count(case((review, Agreement.id))), func.count(case((agency, Agreement.id))),
               func.min(case((agency, Agreement.sign_due_at)), type_=Agreement.sign_due_at.type), func.count(case((overdue, Agreement.id))))
        .where(Agreement.call_id.in_(ids), Agreement.status != AgreementStatus.SIGNED)
        .group_by(Agreement.call_id))
    for call_id, to_review, to_sign, sign_due, late in rows:
        title, url = calls[call_id].title, url_for("officer.agreements", call_id=call_id)
        if to_review:
            out.append(Task(role, _("검토할 보완 사업계획 %(n)s건 · %(call)s", n=to_review, call=title), url))
        if to_sign:
            out.append(Task(role, _("전담기관 서명을 기다리는 협약 %(n)s건 · %(call)s", n=to_sign, call=title), url,
                            sign_due))
        if late:
            out.append(Task(role, _("서명 기한이 지난 협약 %(n)s건 · %(call)s", n=late, call=title), url))
    return out
