"""Forming consortia: the lead organisation and its members, found by 사업자등록번호.

Functions change the session and write the audit entry in the same transaction;
the caller commits. Permission checks are the caller's (app.services.access).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import Consortium, ConsortiumMember, Organisation, Proposal
from app.models.consortia import MEMBER_ROLES
from app.services import audit, brn

ROLE_LABELS = {
    "lead": _l("주관기관"),
    "local_government": _l("지방자치단체"),
    "tenant_firm": _l("입주기업"),
    "ai_supplier": _l("AI 공급기업"),
    "university": _l("대학"),
    "research_institute": _l("연구기관"),
}
assert set(ROLE_LABELS) == set(MEMBER_ROLES)


class ConsortiumError(Exception):
    """A change refused for a reason the user can fix; ``message`` is translated."""

    def __init__(self, message, field: str = ""):
        super().__init__(str(message))
        self.message = message
        self.field = field


def consortia_of(user) -> list[Consortium]:
    """Consortia in which the user's organisation takes part, newest first."""
    if user.acting_organisation_id is None:
        return []
    return list(db.session.scalars(
        select(Consortium).join(ConsortiumMember)
        .where(ConsortiumMember.organisation_id == user.acting_organisation_id)
        .order_by(Consortium.id.desc())
    ))


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
    consortium.members.append(ConsortiumMember(organisation_id=user.acting_organisation_id, role="lead"))
    db.session.add(consortium)
    audit.record(user, "consortium.created", consortium, name=name, lead_org_id=user.acting_organisation_id)
    return consortium


def closed_submission(consortium: Consortium) -> Proposal | None:
    """A submitted proposal of the consortium whose call has closed: its membership is then
    part of what was submitted (and of reviewers' conflict checks), so it no longer changes."""
    for proposal in db.session.scalars(
        select(Proposal).where(Proposal.consortium_id == consortium.id, Proposal.status == "submitted")
    ):
        if proposal.call.status() not in ("draft", "upcoming", "open"):
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
    if role not in MEMBER_ROLES or role == "lead":
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
    if org.id in consortium.member_org_ids():
        raise ConsortiumError(_l("%(name)s 은(는) 이미 이 컨소시엄의 참여기관입니다.", name=org.name), "brn")
    member = ConsortiumMember(organisation=org, role=role)
    consortium.members.append(member)
    audit.record(user, "consortium.member_added", consortium, organisation_id=org.id, role=role)
    return member


def remove_member(consortium: Consortium, user, member_id: int) -> None:
    _ensure_changeable(consortium)
    member = next((m for m in consortium.members if m.id == member_id), None)
    if member is None:
        raise ConsortiumError(_l("이 컨소시엄의 참여기관이 아닙니다."))
    if member.role == "lead" or member.organisation_id == consortium.lead_org_id:
        raise ConsortiumError(_l("주관기관은 컨소시엄에서 뺄 수 없습니다."))
    consortium.members.remove(member)
    audit.record(user, "consortium.member_removed", consortium,
                 organisation_id=member.organisation_id, role=member.role)
