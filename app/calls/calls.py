"""What the public sees of calls: which calls, in which group, and how to read their rules.

Drafts are the officer's work in progress and never leave this module; everything
else about a call is shown as configured, so every programme's call reads as well
as any other: a call's words are its data.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Call, Programme
from app.models.calls import CallPhase, CallStatus
from app.core import clock

CURRENT = (CallStatus.OPEN, CallStatus.UPCOMING)


def status_label(status: str) -> str:
    labels = {
        CallStatus.DRAFT: _("작성 중"),
        CallStatus.UPCOMING: _("접수 예정"),
        CallStatus.OPEN: _("접수 중"),
        CallStatus.CLOSED: _("접수 마감"),
        CallStatus.IN_REVIEW: _("평가 중"),
        CallStatus.DECIDED: _("선정 완료"),
        CallStatus.ANNOUNCED: _("결과 발표"),
    }
    return labels.get(status, status)


def is_public(call: Call | None) -> bool:
    return call is not None and call.phase != CallPhase.DRAFT


def public_call(code: str) -> Call | None:
    """The call with this code, or None when it does not exist or is still a draft."""
    call = db.session.scalar(select(Call).where(Call.code == code))
    return call if is_public(call) else None


@dataclass
class CallGroups:
    open: list[Call] = field(default_factory=list)
    upcoming: list[Call] = field(default_factory=list)
    past: list[Call] = field(default_factory=list)

    @property
    def current(self) -> list[Call]:
        return self.open + self.upcoming

    def __bool__(self) -> bool:
        return bool(self.open or self.upcoming or self.past)


def group_calls(calls, at: datetime | None = None) -> CallGroups:
    """Open calls closing soonest first, then upcoming by opening, then past calls newest first."""
    at = at or clock.now()
    groups = CallGroups()
    for call in calls:
        status = call.status(at)
        if status == CallStatus.DRAFT:
            continue
        if status == CallStatus.OPEN:
            groups.open.append(call)
        elif status == CallStatus.UPCOMING:
            groups.upcoming.append(call)
        else:
            groups.past.append(call)
    groups.open.sort(key=lambda c: (c.closes_at, c.id))
    groups.upcoming.sort(key=lambda c: (c.opens_at, c.id))
    groups.past.sort(key=lambda c: (c.closes_at, c.id), reverse=True)
    return groups


def public_calls(at: datetime | None = None) -> CallGroups:
    calls = db.session.scalars(
        select(Call)
        .where(Call.phase != CallPhase.DRAFT)
        .options(selectinload(Call.programme).selectinload(Programme.agency))
    ).all()
    return group_calls(calls, at)


def open_calls() -> list[Call]:
    """The calls taking proposals now, the one closing first first."""
    calls = db.session.scalars(select(Call).where(Call.phase == CallPhase.PUBLISHED).order_by(Call.closes_at))
    return [c for c in calls if c.is_open()]


def days_until(instant: datetime, at: datetime | None = None) -> int:
    """Calendar days in Seoul between today and the instant's day (0 on the day itself)."""
    at = at or clock.now()
    return (clock.to_kst(instant).date() - clock.to_kst(at).date()).days


def dday(instant: datetime, at: datetime | None = None) -> str:
    """The Korean D-day mark: D-27, D-Day, D+3."""
    days = days_until(instant, at)
    if days == 0:
        return "D-Day"
    return f"D-{days}" if days > 0 else f"D+{-days}"


def remaining_text(instant: datetime, at: datetime | None = None) -> str:
    """Time left until the instant, to the minute, for pages read without JavaScript."""
    at = at or clock.now()
    seconds = int((instant - at).total_seconds())
    if seconds <= 0:
        return ""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(d)s일 %(h)s시간 %(m)s분", d=days, h=hours, m=minutes)
    if hours:
        return _("%(h)s시간 %(m)s분", h=hours, m=minutes)
    if minutes:
        return _("%(m)s분", m=minutes)
    return _("1분 미만")


def points(value) -> str:
    """Points as officers write them: 30, 8.5 (never 30.00 or 3E+1)."""
    d = Decimal(str(value))
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


def percent(ratio) -> str:
    return points(Decimal(str(ratio)) * 100) + "%"


# The facts the scoring engine reads from a proposal, in words an applicant understands.
_FACTS = {
    "infrastructure_types": (_l("제안한 인프라 지원유형 수"), "count"),
    "complete_poc_plans": (_l("성과지표를 갖춘 완결된 PoC 계획 수"), "count"),
    "private_matching_ratio": (_l("민간부담금 비율"), "ratio"),
}


def _fact(name: str) -> tuple[str, str]:
    label, kind = _FACTS.get(name, (name, "ratio" if name.endswith("_ratio") else "count"))
    return str(label), kind


def fact_label(name: str) -> str | None:
    """The words for a fact the engine names by its key; None for a name that is no fact."""
    return str(_FACTS[name][0]) if name in _FACTS else None


# The proposal fields a policy may allow once per value ("one_per"), as a reader names them.
_ONE_PER_FIELDS = {"complex": _l("산업단지")}


def field_label(name: str) -> str:
    return str(_ONE_PER_FIELDS[name]) if name in _ONE_PER_FIELDS else name


def _threshold(value, kind: str) -> str:
    return percent(value) if kind == "ratio" else points(value)


def describe_rule(criterion: dict, call: Call | None = None, locale: str = "ko") -> str:
    """A plain sentence saying how an automatic criterion's points are computed."""
    rule = criterion.get("rule") or {}
    maximum = Decimal(str(criterion.get("max_points", "0")))
    fact, kind = _fact(rule.get("fact", ""))
    rtype = rule.get("type")
    if rtype == "coverage":
        text = _("%(fact)s에 비례하여 배점하며, %(target)s개 이상이면 만점입니다.",
                 fact=fact, target=rule.get("target"))
        required = rule.get("required") or []
        if required:
            names = ", ".join(call.infra_label(k, locale) if call else k for k in required)
            text += " " + _("필수 유형(%(names)s)이 없으면 0점입니다.", names=names)
        return text
    if rtype == "count":
        return _("%(fact)s에 비례하여 배점하며, %(target)s개 이상이면 만점입니다.",
                 fact=fact, target=rule.get("target"))
    if rtype == "steps":
        parts = [
            _("%(threshold)s 이상 %(points)s점", threshold=_threshold(threshold, kind),
              points=points(maximum * Decimal(str(ratio))))
            for threshold, ratio in rule.get("steps", [])
        ]
        return _("%(fact)s: %(steps)s, 그 미만 0점.", fact=fact, steps=", ".join(parts))
    return _("제안서의 입력 자료로 자동 계산합니다.")


@dataclass(frozen=True)
class CriterionRow:
    key: str
    label: str
    max_points: Decimal
    automatic: bool
    description: str


@dataclass
class RubricView:
    criteria: list[CriterionRow]
    total: Decimal
    review_total: Decimal
    automatic_total: Decimal
    grades: list[tuple[str, str]]  # (grade, "90%")
    bonus_cap: Decimal | None
    pass_mark: Decimal | None
    criterion_floor: Decimal | None  # a ratio of each review criterion's points
    trim_from: int | None

    def floor_points(self, row: CriterionRow) -> Decimal | None:
        if self.criterion_floor is None or row.automatic:
            return None
        return row.max_points * self.criterion_floor


def rubric_view(call: Call, locale: str = "ko") -> RubricView:
    """The call's rubric and policy, arranged for reading (the scoring package does the scoring)."""
    rubric = call.rubric or {}
    policy = call.policy or {}
    rows = []
    for c in rubric.get("criteria", []):
        automatic = c.get("kind") == "auto"
        label = (c.get("label_en") if locale == "en" else None) or c.get("label") or c.get("key", "")
        description = describe_rule(c, call, locale) if automatic else c.get("description", "")
        rows.append(CriterionRow(c.get("key", ""), label, Decimal(str(c.get("max_points", "0"))), automatic,
                                 description))

    def dec(value):
        return None if value in (None, "") else Decimal(str(value))

    return RubricView(
        criteria=rows,
        total=sum((r.max_points for r in rows), Decimal(0)),
        review_total=sum((r.max_points for r in rows if not r.automatic), Decimal(0)),
        automatic_total=sum((r.max_points for r in rows if r.automatic), Decimal(0)),
        grades=[(g, percent(ratio)) for g, ratio in (rubric.get("grades") or {}).items()],
        bonus_cap=dec(rubric.get("bonus_cap")),
        pass_mark=dec(policy.get("pass_mark")),
        criterion_floor=dec(policy.get("criterion_floor")),
        trim_from=policy.get("trim_from"),
    )


def infra_label(infra_type, locale: str = "ko") -> str:
    return infra_type.label_en if locale == "en" and infra_type.label_en else infra_type.label_ko


def attachment_label(kind, locale: str = "ko") -> str:
    return kind.label_en if locale == "en" and kind.label_en else kind.label_ko
