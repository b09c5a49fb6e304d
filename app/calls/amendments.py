"""Amendments (변경공고): the rules for changing a call people are already answering.

Once a published call has opened, consortia are writing against what it announced. From then
on a change is a 변경공고 (혁신법 시행령 on announcements): it carries the officer's reason, is
numbered and published on the call's page with every changed field's old and new text, and
everyone with a draft or a submission is told. A closing time only moves later once a proposal
has been started (someone may be planning to the last day), never into the past (that would
close the call at once). The rubric and the selection rules are frozen from the first
submission: a submitted proposal was written against them.

``announcement`` and ``rubric_summary`` (and app/calls/stages.py's ``summary`` of the procedure)
give the readable values compared before and after a change; ``audit.changes`` of two of them is
what the audit entry and the amendment hold.
"""
from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.models import Call, CallAmendment, Proposal, ProposalVersion
from app.models.calls import CallPhase
from app.models.proposals import ProposalStatus
from app import audit
from app.accounts import org_types
from app.core import clock, money
from app.core.links import portal_url
from app.notifications import outbox
from app.notifications.contacts import consortium_contacts

REASON_FIELD = "amendment_reason"
ANCHOR = "amendments"
_MONEY = ("per_award_cap", "total_cap")

# The order a change is read in: the announcement's fields, then the rubric's criteria, then
# the rules that add the points up and select.
FIELD_LABELS = {
    "programme": _l("사업"), "code": _l("공모 코드"), "title": _l("공모명"), "description_md": _l("공고 내용"),
    "opens_at": _l("접수 시작"), "closes_at": _l("접수 마감"), "info_session_at": _l("사업 설명회"),
    "review_due_at": _l("평가 마감"), "awards": _l("선정 수"), "per_award_cap": _l("과제당 국비 한도"),
    "total_cap": _l("총 국비 한도"), "first_year": _l("사업 시작 연도"), "last_year": _l("사업 종료 연도"),
    "min_local_ratio": _l("지방비 최소 비율"), "reviewers_per_proposal": _l("신청서당 평가위원 수"),
    "complexes": _l("신청 가능 산업단지"), "infra_types": _l("지원 인프라 유형"), "attachment_kinds": _l("제출 서류"),
    "site_label": _l("신청 대상 입지의 이름"), "lead_org_types": _l("주관기관 자격 (기관 유형)"),
    "total_points": _l("총점"), "grades": _l("등급 평가"), "bonus_cap": _l("가점 상한"),
    "pass_mark": _l("선정 기준 점수 (합격선)"), "criterion_floor": _l("과락 기준"),
    "trim_from": _l("최고·최저점 제외 기준 (평가표 수)"), "tie_breaks": _l("동점 처리 순서"),
    "one_per": _l("산업단지당 1건만 선정"), "budget_cap": _l("총 국비 한도 안에서만 선정"),
    "decimals": _l("점수 소수 자릿수"), "stages": _l("평가 절차"), "final_score": _l("최종 점수 산정"),
}
_CRITERION = "criterion:"
STAGE = "stage:"  # the procedure's steps (app/calls/stages.py), numbered from 1 as announced


# --- when a change is an amendment ---------------------------------------------------------

def is_live(call: Call, at: datetime | None = None) -> bool:
    """Published and past its opening: applicants may already be writing against it."""
    at = at or clock.now()
    return call.id is not None and call.phase != CallPhase.DRAFT and call.opens_at <= at


def proposals_started(call: Call) -> bool:
    """Whether any consortium has started a proposal for the call (whatever became of it)."""
    return call.id is not None and db.session.scalar(
        select(Proposal.id).where(Proposal.call_id == call.id).limit(1)) is not None


def submissions_started(call: Call) -> bool:
    """Whether any proposal was ever submitted: submitted now, or withdrawn after a version."""
    if call.id is None:
        return False
    submitted = select(Proposal.id).where(Proposal.call_id == call.id, Proposal.status == ProposalStatus.SUBMITTED)
    versioned = select(ProposalVersion.id).join(Proposal, Proposal.id == ProposalVersion.proposal_id).where(
        Proposal.call_id == call.id)
    return (db.session.scalar(submitted.limit(1)) is not None
            or db.session.scalar(versioned.limit(1)) is not None)


def reason_problems(reason: str | None) -> list[tuple[str, str]]:
    if (reason or "").strip():
        return []
    return [(REASON_FIELD, _("접수가 시작된 공모를 변경하려면 변경 사유를 입력하십시오. 사유는 변경공고로 "
                             "공개되고 신청자에게 통보됩니다."))]


def closing_problems(call: Call, before: datetime | None) -> list[tuple[str, str]]:
    """A published call's closing: never into the past, never earlier once a proposal exists."""
    if call.phase == CallPhase.DRAFT or before is None or call.closes_at is None:
        return []
    if call.closes_at.replace(second=0, microsecond=0) == before.replace(second=0, microsecond=0):
        call.closes_at = before  # the form shows minutes: the same minute is no change
        return []
    at = clock.now()
    if before <= at:
        # Moving it would reopen a closed call, whose drafts are final and whose closing was announced.
        return [("closes_at", _("접수가 마감된 공모의 마감 시각은 바꿀 수 없습니다."))]
    if call.closes_at <= at:
        return [("closes_at", _("접수 마감 시각을 이미 지난 시각으로 바꿀 수 없습니다. 게시된 공모를 즉시 "
                                "마감할 수는 없습니다."))]
    if call.closes_at < before and proposals_started(call):
        return [("closes_at", _("신청서 작성이 시작된 공모의 마감 시각은 앞당길 수 없습니다 (현재 %(at)s). "
                                "마감은 늦출 수만 있습니다.", at=_kst(before)))]
    return []


# --- readable values -----------------------------------------------------------------------

def _kst(value: datetime | None) -> str | None:
    return clock.to_kst(value).strftime("%Y-%m-%d %H:%M") if value is not None else None


def _number(value) -> str | None:
    """A decimal as the officer would write it: 0.4000 and 0.4 are the same ratio."""
    if value is None or value == "":
        return None
    try:
        return format(Decimal(str(value)).normalize(), "f")
    except (InvalidOperation, ValueError):
        return str(value)


def announcement(call: Call) -> dict:
    """The call's announced fields as they read: KST minutes, won as integers, rows as lines."""
    complexes = sorted(call.complexes, key=lambda c: (c.designated_year or 0, c.id or 0))
    return {
        "programme": call.programme.name if call.programme is not None else None,
        "code": call.code, "title": call.title, "description_md": call.description_md or "",
        "opens_at": _kst(call.opens_at), "closes_at": _kst(call.closes_at),
        "info_session_at": _kst(call.info_session_at), "review_due_at": _kst(call.review_due_at),
        "awards": call.awards, "per_award_cap": call.per_award_cap, "total_cap": call.total_cap,
        "first_year": call.first_year, "last_year": call.last_year,
        "min_local_ratio": _number(call.min_local_ratio), "reviewers_per_proposal": call.reviewers_per_proposal,
        "complexes": [c.name for c in complexes],
        "infra_types": [f"{t.key} | {t.label_ko} | {t.label_en}" for t in call.infra_types],
        "attachment_kinds": [f"{a.key} | {a.label_ko} | {a.label_en} | {'필수' if a.required else '선택'}"
                             for a in call.attachment_kinds],
        "site_label": " | ".join(filter(None, (call.site_label_ko, call.site_label_en))) or None,
        "lead_org_types": list(call.lead_org_types or []),  # keys: display() names them in the reader's language
    }


def rubric_summary(rubric: dict | None, policy: dict | None) -> dict:
    """The rubric one line per criterion (label, points, kind …) and the policy's rules.

    Awards and the budget amount are the call's own fields (``announcement``); the policy only
    repeats them for the engine.
    """
    rubric, policy = rubric or {}, policy or {}
    summary: dict = {}
    for c in rubric.get("criteria") or []:
        parts = [c.get("label", ""), f"{_number(c.get('max_points'))}점", "정량" if c.get("kind") == "auto" else "정성"]
        if c.get("label_en"):
            parts.insert(1, c["label_en"])
        if c.get("description"):
            parts.append(c["description"])
        if c.get("rule"):
            parts.append(json.dumps(c["rule"], ensure_ascii=False, sort_keys=True))
        summary[_CRITERION + str(c.get("key", ""))] = " · ".join(parts)
    grades = rubric.get("grades") or {}
    summary.update({
        "total_points": _number(rubric.get("total_points", "100")),
        "grades": ", ".join(f"{g} {_number(r)}" for g, r in grades.items()) or None,
        "bonus_cap": _number(rubric.get("bonus_cap")),
        "pass_mark": _number(policy.get("pass_mark")), "criterion_floor": _number(policy.get("criterion_floor")),
        "trim_from": policy.get("trim_from"), "tie_breaks": ", ".join(policy.get("tie_breaks") or []) or None,
        "one_per": policy.get("one_per") == "complex", "budget_cap": "budget_cap" in policy,
        "decimals": policy.get("decimals"),
    })
    return summary


def field_label(key: str) -> str:
    if key.startswith(_CRITERION):
        return _("평가항목 %(n)s", n=key[len(_CRITERION):])
    if key.startswith(STAGE):
        return _("평가 절차 %(n)s단계", n=key[len(STAGE):])
    label = FIELD_LABELS.get(key)
    return str(label) if label is not None else key


def display(key: str, value) -> str:
    """One side of a change as a person reads it; lists one item a line."""
    if key == "lead_org_types":  # no type named: any organisation may lead
        return "\n".join(org_types.label(v) for v in value) if value else _("제한 없음")
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("예") if value else _("아니오")
    if key in _MONEY and isinstance(value, int):
        return money.won(value)
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if key.endswith("_at"):
        return f"{value} KST"
    return str(value)


def _position(key: str) -> tuple[int, str]:
    order = list(FIELD_LABELS)
    if key.startswith(_CRITERION):
        return order.index("total_points"), key
    if key.startswith(STAGE):
        return order.index("stages"), key
    return (order.index(key) if key in order else len(order)), key


def rows(changes: dict) -> list[tuple[str, str, str]]:
    """(field label, old, new) in the order the announcement reads (for pages and mails)."""
    return [(field_label(k), display(k, old), display(k, new))
            for k, (old, new) in sorted((changes or {}).items(), key=lambda kv: _position(kv[0]))]


# --- recording and telling -----------------------------------------------------------------

def history(call: Call) -> list[CallAmendment]:
    """The call's amendments, first first: public, like the call itself."""
    return list(db.session.scalars(
        select(CallAmendment).where(CallAmendment.call_id == call.id).order_by(CallAmendment.number)))


def record(call: Call, actor, reason: str, changes: dict) -> CallAmendment:
    """Number and publish the amendment, and tell everyone with a proposal in the call."""
    # Two officers amending at once must not both take the same number.
    db.session.execute(select(Call.id).where(Call.id == call.id).with_for_update())
    number = (db.session.scalar(
        select(func.max(CallAmendment.number)).where(CallAmendment.call_id == call.id)) or 0) + 1
    row = CallAmendment(call_id=call.id, number=number, reason=reason.strip(), changes=changes,
                        actor_id=getattr(actor, "id", actor), created_at=clock.now())
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "call.amended", call, number=number, reason=row.reason, fields=sorted(changes))
    _announce(call, row)
    return row


def recipients(call: Call) -> list:
    """Every contact of every consortium that has started a proposal for the call, once each."""
    users, seen = [], set()
    for proposal in db.session.scalars(select(Proposal).where(Proposal.call_id == call.id).order_by(Proposal.id)):
        for user in consortium_contacts(proposal.consortium):
            if user.id not in seen:
                seen.add(user.id)
                users.append(user)
    return users


def _announce(call: Call, amendment: CallAmendment) -> None:
    call_url = portal_url("calls.show", code=call.code, _anchor=ANCHOR)
    for user in recipients(call):
        outbox.queue(
            f"call-amended:{call.id}:{amendment.number}:{user.id}", "call_amended", user,
            {"name": user.name, "call_title": call.title, "call_code": call.code, "number": amendment.number,
             "reason": amendment.reason, "amended_at": f"{_kst(amendment.created_at)} KST",
             "changes": amendment.changes, "call_url": call_url},
            in_app=outbox.notice("'%(call)s' 변경공고 제%(n)d호가 게시되었습니다. 바뀐 내용을 확인하십시오.",
                                 call=call.title, n=amendment.number),
            url=portal_url("calls.show", code=call.code, external=False, _anchor=ANCHOR),
        )
