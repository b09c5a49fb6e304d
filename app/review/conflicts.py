"""Conflicts of interest: the reviewer's pledge, recusal (회피) and challenges (기피).

Korean evaluation rules (국가연구개발혁신법 시행령) exclude interested evaluators
(제척, enforced by ``assignment``), let an evaluator withdraw (회피) and let an
applicant challenge one (기피). Before a reviewer sees a proposal they either pledge
that they have no conflict (the pledge text with their name and the time is kept)
or recuse themselves with a reason; a recused or removed seat is refilled at once.

Once the call's results are decided, none of this changes the panel any more: every
step takes the call's row lock and checks the phase first (``assignment.lock_panel``).
"""
from __future__ import annotations

import string

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Challenge, Consortium, Objection, Proposal, ReviewAssignment
from app.models.calls import CallPhase
from app.models.proposals import ProposalStatus
from app.models.review import ACTIVE_COI, ChallengeStatus, CoiStatus
from app.review import assignment as assignment_service
from app.review import reevaluation
from app import audit
from app.core import clock, particles
from app.core.errors import ReviewError
from app.notifications import outbox

# One wording for reviewers, officers and consortia, translated like every other label.
COI_LABELS = {"pending": _l("신고 전"), "declared": _l("이해충돌 없음 서약"), "recused": _l("회피"),
              "removed": _l("배정 해제")}
CHALLENGE_LABELS = {"pending": _l("처리 대기"), "upheld": _l("인용"), "rejected": _l("기각")}

PLEDGE_TEMPLATE = (
    "본인 {name}은(는) 「{call_title}」 평가에서 신청서 「{proposal_title}」(접수번호 {receipt_no})의 "
    "신청기관 및 참여기관과 소속·친족·공동연구·상호평가 등 어떠한 이해관계도 없으며, "
    "공정하게 평가하고 평가 과정에서 알게 된 내용을 누설하지 않을 것을 서약합니다. "
    "서약 일시: {at} KST"
)


# What a call's own pledge text may name; anything else is refused when the officer saves it.
PLEDGE_FIELDS = ("name", "call_title", "proposal_title", "receipt_no", "at")
PLEDGE_MAX = 5000


class ConflictError(ReviewError):
    pass


def pledge_problem(text: str) -> str | None:
    """Why a pledge text cannot be used, or None: only the known placeholders, plainly written."""
    if len(text or "") > PLEDGE_MAX:
        return _l("서약문은 %(n)d자 이내로 입력하십시오.", n=PLEDGE_MAX)
    try:
        parsed = list(string.Formatter().parse(text or ""))
    except ValueError:
        return _l("중괄호 { }의 짝이 맞지 않습니다. 자리표시자는 {name}처럼 쓰십시오.")
    unknown = sorted({"{%s%s%s}" % (f, f"!{conv}" if conv else "", f":{spec}" if spec else "")
                      for _lit, f, spec, conv in parsed if f is not None and (f not in PLEDGE_FIELDS or spec or conv)})
    if unknown:
        return _l("알 수 없는 자리표시자: %(names)s. 쓸 수 있는 자리표시자: %(known)s",
                  names=", ".join(unknown), known=" ".join("{%s}" % f for f in PLEDGE_FIELDS))
    return None


def set_pledge_text(call, actor, text: str) -> None:
    """The call's own pledge (서약); empty for the standard one. Pledges already given keep their text."""
    text = (text or "").strip()
    if text == PLEDGE_TEMPLATE:
        text = ""
    problem = pledge_problem(text)
    if problem:
        raise ConflictError(problem, field="pledge_text")
    if text != (call.pledge_text or ""):
        before = {"pledge_text": call.pledge_text or ""}
        call.pledge_text = text
        audit.record(actor, "call.pledge_changed", call, changes=audit.changes(before, {"pledge_text": text}))


def proposal_with_members(assignment: ReviewAssignment) -> Proposal:
    """The assignment's proposal with its consortium's members: what the reviewer weighs before the pledge."""
    return db.session.scalar(
        select(Proposal).where(Proposal.id == assignment.proposal_id)
        .options(selectinload(Proposal.consortium).selectinload(Consortium.members)))


def pledge_text(assignment: ReviewAssignment, name: str, at) -> str:
    """The call's pledge (or the standard one) as this reviewer gives it, at ``at``."""
    p = assignment.proposal
    # The reviewer signs a sentence, not a form: "본인 {name}은(는)" becomes "본인 김서연은".
    return particles.resolve((assignment.call.pledge_text or PLEDGE_TEMPLATE).format(
        name=name, call_title=assignment.call.title, proposal_title=p.title,
        receipt_no=p.receipt_no or "-", at=clock.to_kst(at).strftime("%Y-%m-%d %H:%M:%S"),
    ))


SETTLED = _l("선정 결과가 확정된 공모에서는 이해충돌 신고, 회피와 기피 처리로 평가위원 구성을 바꿀 수 없습니다.")


def _ensure_panel_open(assignment: ReviewAssignment) -> None:
    """Under the call's and the assignment's row locks, in that order (as everywhere)."""
    if not assignment_service.lock_panel(assignment.call, assignment):
        raise ConflictError(SETTLED)
    assignment_service.lock_assignment(assignment)


def declare_no_conflict(assignment: ReviewAssignment, reviewer) -> None:
    _ensure_panel_open(assignment)
    if assignment.coi_status != CoiStatus.PENDING:
        raise ConflictError(_l("이미 이해충돌 여부를 신고한 배정입니다."))
    at = clock.now()
    assignment.coi_status = CoiStatus.DECLARED
    assignment.pledge_at = at
    assignment.pledge_text = pledge_text(assignment, reviewer.name, at)
    audit.record(reviewer, "review.coi_declared", assignment, proposal_id=assignment.proposal_id,
                 pledge=assignment.pledge_text)


def recuse(assignment: ReviewAssignment, reviewer, reason: str) -> list[ReviewAssignment]:
    """회피: the reviewer steps back; returns the replacement assignments made."""
    reason = (reason or "").strip()
    if not reason:
        raise ConflictError(_l("회피 사유를 입력하십시오."))
    _ensure_panel_open(assignment)
    if not assignment.active:
        raise ConflictError(_l("이미 회피했거나 배정이 해제되었습니다."))
    if assignment.sheet is not None and assignment.sheet.locked:
        raise ConflictError(_l("평가표를 제출한 뒤에는 회피할 수 없습니다. 담당자에게 문의하십시오."))
    assignment.coi_status = CoiStatus.RECUSED
    assignment.recusal_reason = reason
    audit.record(reviewer, "review.recused", assignment, proposal_id=assignment.proposal_id, reason=reason)
    if assignment.objection_id is not None:
        objection = db.session.get(Objection, assignment.objection_id)
        return reevaluation.refill(objection, None, trigger="recusal")
    return assignment_service.refill(assignment.proposal, None, trigger="recusal", stage=assignment.stage)


# --- challenges (기피신청) -------------------------------------------------------------


def challenges_of(proposal) -> list[Challenge]:
    return list(db.session.scalars(
        select(Challenge).where(Challenge.proposal_id == proposal.id).order_by(Challenge.id)))


def challenges_for_call(call) -> list[Challenge]:
    from app.models import Proposal

    return list(db.session.scalars(
        select(Challenge).join(Proposal).where(Proposal.call_id == call.id)
        .order_by(Challenge.status != ChallengeStatus.PENDING, Challenge.id)))


def may_challenge(proposal) -> bool:
    """Until the results are decided, and only for a submitted proposal."""
    return (proposal.status == ProposalStatus.SUBMITTED
            and proposal.call.phase not in (CallPhase.DECIDED, CallPhase.ANNOUNCED))


def file_challenge(proposal, applicant, *, target_organisation: str, target_person: str, reason: str) -> Challenge:
    target_organisation = (target_organisation or "").strip()
    target_person = (target_person or "").strip()
    reason = (reason or "").strip()
    if not may_challenge(proposal):
        raise ConflictError(_l("제출된 신청서에 대해 결과 확정 전까지만 기피신청을 할 수 있습니다."))
    if not target_organisation and not target_person:
        raise ConflictError(_l("기피 대상 평가위원의 소속 기관이나 이름을 입력하십시오."))
    if not reason:
        raise ConflictError(_l("기피 사유를 입력하십시오."))
    c = Challenge(proposal_id=proposal.id, filed_by_id=applicant.id, target_organisation=target_organisation[:200],
                  target_person=target_person[:100], reason=reason, status=ChallengeStatus.PENDING,
                  created_at=clock.now())
    db.session.add(c)
    db.session.flush()
    audit.record(applicant, "challenge.filed", c, proposal_id=proposal.id,
                 target_organisation=c.target_organisation, target_person=c.target_person, reason=reason)
    return c


def matching_assignments(challenge: Challenge) -> list[ReviewAssignment]:
    """Live assignments on the proposal whose reviewer fits what the applicant named."""
    from app.review.reviewers import entry_for

    org = assignment_service.org_key(challenge.target_organisation)
    person = assignment_service.org_key(challenge.target_person)
    out = []
    for a in live_assignments(challenge.proposal):
        entry = entry_for(a.call, a.reviewer_id)
        names = {assignment_service.org_key(entry.organisation_name)} if entry else set()
        if a.reviewer.organisation:
            names.add(assignment_service.org_key(a.reviewer.organisation.name))
        if (org and any(org in n or (n and n in org) for n in names)) or (
                person and person == assignment_service.org_key(a.reviewer.name)):
            out.append(a)
    return out


def live_assignments(proposal) -> list[ReviewAssignment]:
    return list(db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.proposal_id == proposal.id,
                                       ReviewAssignment.coi_status.in_(ACTIVE_COI))
        .order_by(ReviewAssignment.id)))


def _decide(challenge: Challenge, officer, status: ChallengeStatus, reason: str) -> None:
    if challenge.status != ChallengeStatus.PENDING:
        raise ConflictError(_l("이미 처리된 기피신청입니다."))
    reason = (reason or "").strip()
    if not reason:
        raise ConflictError(_l("처리 사유를 입력하십시오."))
    challenge.status = status
    challenge.decided_by_id = officer.id
    challenge.decided_at = clock.now()
    challenge.decision_reason = reason
    title = challenge.proposal.title
    told = (outbox.notice("기피신청이 인용되었습니다. (%(title)s)", title=title) if status == ChallengeStatus.UPHELD
            else outbox.notice("기피신청이 기각되었습니다. (%(title)s)", title=title))
    outbox.post(challenge.filed_by_id, f"challenge_{status}", told)


def uphold(challenge: Challenge, officer, assignment: ReviewAssignment, reason: str) -> list[ReviewAssignment]:
    """Remove the challenged reviewer from the proposal and fill the seat; returns replacements."""
    _ensure_panel_open(assignment)
    db.session.refresh(challenge)  # another officer may have decided it while this one waited for the lock
    if assignment.proposal_id != challenge.proposal_id or not assignment.active:
        raise ConflictError(_l("기피 대상은 이 신청서에 배정된 평가위원이어야 합니다."))
    # A sheet already handed in stays as it was, for the record; it no longer counts,
    # because only live assignments' sheets reach the scoring (review_sheets.submitted_sheets).
    _decide(challenge, officer, ChallengeStatus.UPHELD, reason)
    challenge.reviewer_id = assignment.reviewer_id
    assignment.coi_status = CoiStatus.REMOVED
    assignment.removed_reason = f"기피 인용: {challenge.decision_reason}"
    audit.record(officer, "challenge.upheld", challenge, proposal_id=challenge.proposal_id,
                 assignment_id=assignment.id, reviewer_id=assignment.reviewer_id, reason=challenge.decision_reason)
    return assignment_service.refill(challenge.proposal, officer, trigger="challenge", stage=assignment.stage)


def reject(challenge: Challenge, officer, reason: str) -> None:
    _decide(challenge, officer, ChallengeStatus.REJECTED, reason)
    audit.record(officer, "challenge.rejected", challenge, proposal_id=challenge.proposal_id,
                 reason=challenge.decision_reason)
