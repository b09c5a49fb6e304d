"""Forming consortia: the lead organisation and its members, found by 사업자등록번호.

A business registration number is public, so adding an organisation only invites it:
its confirmed people are told (mail and in-app notice) and one of them accepts or
declines under 컨소시엄 → 참여 요청. Until it accepts, the member does not count
anywhere: not for access to the consortium's proposals, not for reviewers' conflicts
of interest, not for submission (a proposal with a pending member cannot be submitted).

Functions change the session and write the audit entry in the same transaction;
the caller commits. Permission checks are the caller's (app.access).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import Consortium, ConsortiumMember, Organisation, Proposal
from app.models.calls import CallStatus
from app.models.consortia import MEMBER_ROLES, MemberRole, MemberStatus
from app.models.proposals import ProposalStatus
from app import audit
from app.accounts import brn, membership
from app.notifications import outbox
from app.core.clock import now
from app.core.errors import ProposalsError
from app.notifications.contacts import consortium_contacts
from app.core.links import portal_url

ROLE_LABELS = {
    "lead": _l("주관기관"),
    "local_government": _l("지방자치단체"),
    "tenant_firm": _l("입주기업"),
    "ai_supplier": _l("AI 공급기업"),
    "university": _l("대학"),
    "research_institute": _l("연구기관"),
}
assert set(ROLE_LABELS) == set(MEMBER_ROLES)
STATUS_LABELS = {"pending": _l("확인 대기"), "confirmed": _l("참여 확인"), "declined": _l("참여 거절")}


class ConsortiumError(ProposalsError):
    """A change refused for a reason the user can fix; ``message`` is translated."""


def consortia_of(user) -> list[Consortium]:
    """Consortia in which the user's organisation takes part (confirmed), newest first."""
    if user.acting_organisation_id is None:
        return []
    return list(db.session.scalars(
        select(Consortium).join(ConsortiumMember)
        .where(ConsortiumMember.organisation_id == user.acting_organisation_id,
               ConsortiumMember.confirmed_at.is_not(None))
        .order_by(Consortium.id.desc())
    ))


def invitations_for(user) -> list[ConsortiumMember]:
    """Listings of the user's organisation awaiting its answer, then those it declined; newest first."""
    if user.acting_organisation_id is None:
        return []
    rows = db.session.scalars(
        select(ConsortiumMember)
        .where(ConsortiumMember.organisation_id == user.acting_organisation_id,
               ConsortiumMember.confirmed_at.is_(None))
        .order_by(ConsortiumMember.id.desc())
    )
    return sorted(rows, key=lambda m: m.status != MemberStatus.PENDING)


def led_by(user) -> list[Consortium]:
    """Consortia the user's organisation leads: the ones the user may apply with."""
    if user.acting_organisation_id is None:
        return []
    return list(db.session.scalars(
        select(Consortium).where(Consortium.lead_org_id == user.acting_organisation_id).order_by(Consortium.id.desc())
    ))


def create(user, name: str) -> Consortium:
    if user.acting_organisation_id is None:
        raise ConsortiumError(_l("소속 기관이 등록된 계정만 컨소시엄을 만들 수 있습니다."))
    name = (name or "").strip()
    if not name:
        raise ConsortiumError(_l("컨소시엄 이름을 입력하십시오."), "name")
    consortium = Consortium(name=name, lead_org_id=user.acting_organisation_id, created_by_id=user.id)
    # The lead's own row: its confirmed person creating the consortium is its consent.
    at = now()
    consortium.members.append(ConsortiumMember(organisation_id=user.acting_organisation_id, role=MemberRole.LEAD,
                                               created_at=at, confirmed_at=at, confirmed_by_id=user.id))
    db.session.add(consortium)
    audit.record(user, "consortium.created", consortium, name=name, lead_org_id=user.acting_organisation_id)
    return consortium


def closed_submission(consortium: Consortium) -> Proposal | None:
    """A submitted proposal of the consortium whose call has closed: its membership is then
    part of what was submitted (and of reviewers' conflict checks), so it no longer changes."""
    for proposal in db.session.scalars(
        select(Proposal).where(Proposal.consortium_id == consortium.id, Proposal.status == ProposalStatus.SUBMITTED)
    ):
        if proposal.call.status() not in (CallStatus.DRAFT, CallStatus.UPCOMING, CallStatus.OPEN):
            return proposal
    return None


def _ensure_changeable(consortium: Consortium) -> None:
    proposal = closed_submission(consortium)
    if proposal is not None:
        raise ConsortiumError(_l(
            "'%(call)s' 공모에 제출된 신청서가 있고 접수가 마감되어 컨소시엄 구성을 바꿀 수 없습니다.",
            call=proposal.call.title))


def add_member(consortium: Consortium, user, brn_text: str, role: str) -> ConsortiumMember:
    _ensure_changeable(consortium)
    if role not in MEMBER_ROLES or role == MemberRole.LEAD:
        raise ConsortiumError(_l("목록에 있는 역할을 선택하십시오."), "role")
    if not brn.is_valid(brn_text):
        raise ConsortiumError(
            _l("올바른 사업자등록번호가 아닙니다. 10자리 숫자와 검증번호를 확인하십시오 (예: 123-45-67890)."), "brn")
    number = brn.normalise(brn_text)
    org = db.session.scalar(select(Organisation).where(Organisation.brn == number))
    if org is None:
        raise ConsortiumError(
            _l("사업자등록번호 %(brn)s 로 등록된 기관이 없습니다. 해당 기관이 먼저 포털에 가입해야 합니다.",
               brn=f"{number[:3]}-{number[3:5]}-{number[5:]}"), "brn")
    listed = next((m for m in consortium.members if m.organisation_id == org.id), None)
    if listed is not None and listed.status == MemberStatus.DECLINED:
        raise ConsortiumError(_l("%(name)s 은(는) 이 컨소시엄 참여를 거절했습니다. 다시 요청하려면 먼저 목록에서 빼십시오.",
                                 name=org.name), "brn")
    if listed is not None:
        raise ConsortiumError(_l("%(name)s 은(는) 이미 이 컨소시엄의 참여기관입니다.", name=org.name), "brn")
    # Pending: listed by the lead, not yet accepted by the organisation itself.
    member = ConsortiumMember(organisation=org, role=role, created_at=now())
    consortium.members.append(member)
    db.session.flush()
    audit.record(user, "consortium.member_added", consortium, organisation_id=org.id, role=role,
                 member_id=member.id, status=MemberStatus.PENDING)
    _notify_invited(consortium, member)
    return member


def _notify_invited(consortium: Consortium, member: ConsortiumMember) -> None:
    """Every confirmed person of the invited organisation hears of it; any one of them answers."""
    org = member.organisation
    url = portal_url("proposals.invitations")
    for person in membership.confirmed_colleagues(org.id):
        outbox.queue(
            f"consortium_invited:{member.id}:u{person.id}", "consortium_invited", person,
            {"user_name": person.name, "organisation": org.name, "consortium_name": consortium.name,
             "lead_name": consortium.lead_org.name, "role": member.role, "url": url},
            in_app=outbox.notice("%(lead)s이(가) %(org)s을(를) 컨소시엄 '%(consortium)s'의 참여기관으로 추가했습니다. "
                                 "참여 여부를 확인해 주십시오.",
                                 lead=consortium.lead_org.name, org=org.name, consortium=consortium.name),
            url=portal_url("proposals.invitations", external=False),
        )


def _lock_member(member: ConsortiumMember) -> ConsortiumMember:
    """Two colleagues answering at once: the second reads the first's answer, not a stale row."""
    return db.session.scalars(
        select(ConsortiumMember).where(ConsortiumMember.id == member.id).with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def may_answer(user, member: ConsortiumMember) -> bool:
    """A confirmed person of the listed organisation answers for it; the lead cannot answer for it."""
    return (user.acting_organisation_id is not None and user.acting_organisation_id == member.organisation_id
            and member.role != MemberRole.LEAD)


def answer(member: ConsortiumMember, user, accept: bool) -> None:
    """The listed organisation accepts (the member then counts) or declines (it never does)."""
    if not may_answer(user, member):
        raise ConsortiumError(_l("참여 요청을 받은 기관의 확인된 회원만 응답할 수 있습니다."))
    _lock_member(member)
    consortium = member.consortium
    if member.status != MemberStatus.PENDING:
        raise ConsortiumError(_l("이미 응답한 참여 요청입니다."))
    _ensure_changeable(consortium)
    at = now()
    if accept:
        member.confirmed_at, member.confirmed_by_id = at, user.id
        action = "consortium.member_confirmed"
        told = outbox.notice("%(org)s이(가) 컨소시엄 '%(consortium)s' 참여를 확인했습니다.",
                             org=member.organisation.name, consortium=consortium.name)
    else:
        member.declined_at, member.declined_by_id = at, user.id
        action = "consortium.member_declined"
        told = outbox.notice("%(org)s이(가) 컨소시엄 '%(consortium)s' 참여를 거절했습니다.",
                             org=member.organisation.name, consortium=consortium.name)
    audit.record(user, action, consortium, organisation_id=member.organisation_id, member_id=member.id,
                 role=member.role)
    # The lead's people see the answer on the consortium page; a notice tells them to look.
    url = portal_url("proposals.consortium", consortium_id=consortium.id, external=False)
    for person in consortium_contacts(consortium):
        outbox.post(person.id, action.replace(".", "_"), told, url)


def pending_members(consortium: Consortium) -> list[ConsortiumMember]:
    """Listed organisations that have not (or not yet) accepted."""
    return [m for m in consortium.members if not m.confirmed]


def remove_member(consortium: Consortium, user, member_id: int) -> None:
    _ensure_changeable(consortium)
    member = next((m for m in consortium.members if m.id == member_id), None)
    if member is None:
        raise ConsortiumError(_l("이 컨소시엄의 참여기관이 아닙니다."))
    if member.role == MemberRole.LEAD or member.organisation_id == consortium.lead_org_id:
        raise ConsortiumError(_l("주관기관은 컨소시엄에서 뺄 수 없습니다."))
    consortium.members.remove(member)
    audit.record(user, "consortium.member_removed", consortium,
                 organisation_id=member.organisation_id, role=member.role)
