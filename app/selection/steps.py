"""The officer's irreversible steps on a call, and what each will do, said before it is taken.

Publishing, starting the review, deciding and announcing cannot be undone. The officer
first reads what the step will do to this call — counted from its data, not a generic
warning — and confirms; only then is the step taken (``take``).
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.calls import call_sections, lifecycle
from app.core import clock
from app.extensions import db
from app.models import Call, Proposal, Result
from app.models.proposals import ProposalStatus
from app.notifications.contacts import consortium_contacts
from app.notifications.reminders import subscribers
from app.selection import committee, decisions, objections

STEPS = {**lifecycle.STEPS, **decisions.STEPS}

LABELS = {
    "publish": _l("공모 게시"),
    "start_review": _l("평가 시작"),
    "decide": _l("선정 확정"),
    "announce": _l("결과 발표"),
}


def take(call: Call, step: str, actor) -> None:
    """Take ``step`` if it is the call's next one (a stale page cannot take another)."""
    if step not in STEPS or step != lifecycle.next_step(call):
        raise lifecycle.LifecycleError(_("이 단계는 지금 진행할 수 없습니다. 현황 페이지를 새로 고치십시오."))
    STEPS[step](call, actor)


def blocker(call: Call, step: str) -> str | None:
    """Why ``step`` would be refused now, said before the officer confirms anything."""
    if step == "decide":
        return decisions.decide_blocker(call)
    if step == "publish":
        return call_sections.publication_problem(call)
    return None


def _kst(value) -> str:
    return clock.to_kst(value).strftime("%Y-%m-%d %H:%M KST")


def _count(call: Call, *statuses: str) -> int:
    return db.session.scalar(select(func.count(Proposal.id)).where(
        Proposal.call_id == call.id, Proposal.status.in_(statuses))) or 0


def preview(call: Call, step: str) -> list[str]:
    """What ``step`` will do to ``call``, one sentence per consequence."""
    if step == "publish":
        return [
            _("공모가 공개 목록에 게시되고, %(at)s에 접수가 시작됩니다.", at=_kst(call.opens_at)),
            _("접수가 시작되면 사업의 새 공모 알림을 신청한 %(n)d명에게 메일과 알림이 갑니다.",
              n=len(subscribers(call.programme_id))),
            _("접수가 시작된 뒤에는 공고 내용, 평가표와 선정 규칙을 바꾸려면 사유를 밝힌 변경공고를 내야 하며, "
              "마감 시각은 앞당길 수 없습니다."),
        ]
    if step == "start_review":
        return [
            _("제출된 신청서 %(n)d건이 적격성 검토와 평가 대상이 됩니다.", n=_count(call, ProposalStatus.SUBMITTED)),
            _("작성 중이거나 철회된 신청서 %(n)d건은 평가하지 않습니다.",
              n=_count(call, ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN)),
            _("이 단계는 되돌릴 수 없습니다."),
        ]
    if step == "decide":
        rows = db.session.execute(select(Result.selected, func.count(Result.id)).where(
            Result.call_id == call.id).group_by(Result.selected)).all()
        counts = {bool(selected): n for selected, n in rows}
        return [
            _("산출된 결과대로 %(a)d건을 선정하고 %(b)d건을 선정하지 않는 것으로 확정합니다.",
              a=counts.get(True, 0), b=counts.get(False, 0)),
            _("확정한 뒤에는 평가위원 구성, 평가표와 선정 여부를 바꿀 수 없습니다."),
            _("결과는 발표하기 전까지 신청자에게 보이지 않습니다."),
            committee.state(call),
        ]
    if step == "announce":
        proposals = db.session.scalars(select(Proposal).join(Result, Result.proposal_id == Proposal.id)
                                       .where(Result.call_id == call.id)).all()
        people = {u.id for p in proposals for u in consortium_contacts(p.consortium)}
        return [
            _("결과를 받은 신청서 %(n)d건의 컨소시엄 담당자 %(m)d명에게 결과를 메일과 알림으로 알립니다.",
              n=len(proposals), m=len(people)),
            _("발표한 날부터 %(d)d일 동안 이의신청을 받습니다.", d=objections.FILING_WINDOW.days),
            _("발표한 뒤에는 결과를 되돌릴 수 없습니다."),
        ]
    return []
