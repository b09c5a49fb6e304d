"""Configuring calls: every field of a call, its rubric, and copying a call for next year.

The rubric and policy are kept in the scoring contract's form; the rules here are the
ones an officer can break by hand (points that do not add up, a tie-break on a criterion
that does not exist, an automatic rule on a fact the portal does not compute). Once the
first proposal is submitted the rubric is frozen (a proposal was written against it), and
once the first review sheet is: scores given against one rubric must never be read against
another. A change to a call that has opened is an amendment (app/calls/amendments.py).
"""
from __future__ import annotations

import re
from copy import deepcopy
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Call, CallSection, IndustrialComplex, InfraType, Programme, RequiredAttachment
from app.models.calls import CallPhase
from app.models.stages import FinalScore, default_procedure
from app import audit
from app.calls import amendments, call_sections, keyed_rows
from app.core import clock
from app.core.errors import CallsError

# The facts app/selection/results.py computes for automatic criteria.
FACTS = ("infrastructure_types", "complete_poc_plans", "private_matching_ratio")
STANDARD_GRADES = {"S": "1", "A": "0.9", "B": "0.8", "C": "0.7", "D": "0.6"}
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")

CALL_FIELDS = (
    "code", "title", "description_md", "opens_at", "closes_at", "info_session_at", "awards",
    "per_award_cap", "total_cap", "first_year", "last_year", "min_local_ratio",
    "reviewers_per_proposal", "review_due_at", "site_label_ko", "site_label_en", "lead_org_types",
)


class CallAdminError(CallsError):
    """Refused changes; ``problems`` are (field, message) pairs for the form, the first one
    also being ``field`` and ``message``."""

    def __init__(self, problems: list[tuple[str, str]]):
        field, message = problems[0] if problems else ("", "")
        super().__init__(message, field)
        self.problems = problems


def finite_decimal(value) -> Decimal | None:
    """``value`` as a finite Decimal, or None when it is not a number."""
    try:
        d = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None
    return d if d.is_finite() else None


def total_points(rubric: dict) -> Decimal:
    return finite_decimal(rubric.get("total_points", "100")) or Decimal(100)


def rubric_problems(rubric: dict, policy: dict) -> list[tuple[str, str]]:
    """Everything wrong with a rubric and policy, each tied to the form field it belongs to."""
    import scoring
    from scoring.parse import parse_policy, parse_rubric

    problems: list[tuple[str, str]] = []
    criteria = rubric.get("criteria") or []
    if not criteria:
        return [("criteria", _("평가항목을 하나 이상 입력하십시오."))]
    keys: list[str] = []
    points = Decimal(0)
    for i, c in enumerate(criteria):
        prefix = f"criteria-{i}-"
        key = c.get("key", "")
        if not KEY_RE.match(key or ""):
            problems.append((prefix + "key", _("항목 키는 영문 소문자로 시작하는 영문 소문자·숫자·밑줄 32자 이내여야 합니다.")))
        elif key in keys:
            problems.append((prefix + "key", _("항목 키 %(k)s이(가) 중복되었습니다.", k=key)))
        keys.append(key)
        if not (c.get("label") or "").strip():
            problems.append((prefix + "label", _("항목명(한국어)을 입력하십시오.")))
        mp = finite_decimal(c.get("max_points"))
        if mp is None or mp <= 0:
            problems.append((prefix + "max_points", _("배점은 0보다 큰 숫자여야 합니다.")))
        else:
            points += mp
        kind = c.get("kind")
        if kind == "auto":
            rule = c.get("rule")
            if not isinstance(rule, dict):
                problems.append((prefix + "rule", _("정량 항목에는 산정 규칙이 필요합니다.")))
            elif rule.get("fact") not in FACTS:
                problems.append((prefix + "rule", _("산정 규칙의 fact는 %(f)s 중 하나여야 합니다.", f=", ".join(FACTS))))
            else:
                try:
                    scoring.model.make_rule(rule)
                except scoring.ScoringInputError as error:
                    problems.append((prefix + "rule", _("산정 규칙이 올바르지 않습니다: %(e)s", e=error.message)))
        elif kind != "review":
            problems.append((prefix + "kind", _("평가 방식은 정성(위원 평가) 또는 정량(자동 산정)이어야 합니다.")))
    total = total_points(rubric)
    if not problems and points != total:
        problems.append(("total_points", _("배점 합계가 %(s)s점입니다. 총점 %(t)s점과 같아야 합니다.",
                                           s=format(points.normalize(), "f"), t=format(total.normalize(), "f"))))
    for name, low, high in (("pass_mark", 0, total), ("bonus_cap", 0, total)):
        raw = (policy if name == "pass_mark" else rubric).get(name)
        if raw is None and name == "bonus_cap":
            continue
        value = finite_decimal(raw)
        if value is None or not (low <= value <= high):
            problems.append((name, _("0 이상 %(t)s 이하의 숫자를 입력하십시오.", t=format(total.normalize(), "f"))))
    floor = policy.get("criterion_floor")
    if floor is not None:
        value = finite_decimal(floor)
        if value is None or not (0 <= value <= 1):
            problems.append(("criterion_floor", _("과락 기준은 0과 1 사이의 비율(예: 0.4)이어야 합니다.")))
    for tb in policy.get("tie_breaks") or []:
        if tb.startswith("criterion:") and tb.split(":", 1)[1] not in keys:
            problems.append(("tie_breaks", _("동점 처리 기준의 항목 %(k)s이(가) 평가표에 없습니다.", k=tb.split(":", 1)[1])))
        elif not tb.startswith("criterion:") and tb != "submitted_at":
            problems.append(("tie_breaks", _("동점 처리 기준은 criterion:항목키 또는 submitted_at 이어야 합니다.")))
    if problems:
        return problems
    # Whatever the engine would still refuse, in its own words.
    try:
        parse_rubric(rubric)
        parse_policy(policy)
    except scoring.ScoringInputError as error:
        problems.append((error.field.split(".")[-1] if error.field else "criteria", str(error)))
    return problems


def rubric_locked(call: Call) -> bool:
    """True once any review sheet of the call has been submitted."""
    if call.id is None:
        return False
    from app.review import review_sheets

    return review_sheets.any_counted(call)


def programmes_for(user) -> list[Programme]:
    """The programmes whose calls the officer runs: their agency's (an admin's: all)."""
    query = select(Programme).order_by(Programme.id)
    if not user.has_role("admin"):
        query = query.where(Programme.agency_id == user.acting_organisation_id)
    return list(db.session.scalars(query))


def calls_for(user) -> list[Call]:
    """The officer console's list: the calls of the officer's programmes, newest first."""
    query = select(Call).options(selectinload(Call.programme)).order_by(Call.opens_at.desc())
    if not user.has_role("admin"):
        query = query.join(Programme).where(Programme.agency_id == user.acting_organisation_id)
    return list(db.session.scalars(query))


def complexes() -> list[IndustrialComplex]:
    """Every industrial complex a call may name, oldest designation first."""
    return list(db.session.scalars(
        select(IndustrialComplex).order_by(IndustrialComplex.designated_year, IndustrialComplex.id)))


def _apply_fields(call: Call, data: dict) -> None:
    for name in CALL_FIELDS:
        if name in data:
            setattr(call, name, data[name])
    if "complex_ids" in data:
        ids = list(data["complex_ids"])
        call.complexes = list(db.session.scalars(select(IndustrialComplex).where(IndustrialComplex.id.in_(ids)))) if ids else []
    if "infra_types" in data:
        call.infra_types = keyed_rows.by_key(call.infra_types, InfraType, [
            {"key": k, "label_ko": ko, "label_en": en} for k, ko, en in data["infra_types"]])
    if "attachment_kinds" in data:
        call.attachment_kinds = keyed_rows.by_key(call.attachment_kinds, RequiredAttachment, [
            {"key": k, "label_ko": ko, "label_en": en, "required": req}
            for k, ko, en, req in data["attachment_kinds"]])
    if "sections" in data:
        # Each row: key, kind, label_ko, label_en, and optionally guide_ko, guide_en, required.
        call.sections = keyed_rows.by_key(call.sections, CallSection, [
            {"guide_ko": "", "guide_en": "", "required": True, **row} for row in data["sections"]])


def _call_problems(call: Call) -> list[tuple[str, str]]:
    problems = []
    if call.opens_at and call.closes_at and call.closes_at <= call.opens_at:
        problems.append(("closes_at", _("마감 시각은 접수 시작 시각보다 늦어야 합니다.")))
    elif call.opens_at and call.closes_at and call.closes_at - call.opens_at < timedelta(days=30):
        # 국가연구개발혁신법: a call stays open at least 30 days.
        problems.append(("closes_at", _("공모 기간은 30일 이상이어야 합니다.")))
    if call.last_year < call.first_year:
        problems.append(("last_year", _("종료 연도는 시작 연도와 같거나 늦어야 합니다.")))
    if call.per_award_cap > call.total_cap:
        problems.append(("per_award_cap", _("과제당 국비 한도는 총 국비 한도를 넘을 수 없습니다.")))
    for field, rows in (("infra_types", call.infra_types), ("attachment_kinds", call.attachment_kinds)):
        keys = [row.key for row in rows]
        if len(keys) != len(set(keys)):
            problems.append((field, _("같은 키가 두 줄 이상 있습니다. 키는 줄마다 달라야 합니다.")))
    for stage in call.stages:  # the first later stage is due first (app/calls/stages.py keeps them in order)
        if stage.position >= 2 and stage.due_at is not None:
            due = _("평가 절차의 다음 단계 마감(%(at)s)보다 빨라야 합니다. 평가 절차에서 먼저 바꾸십시오.",
                    at=clock.to_kst(stage.due_at).strftime("%Y-%m-%d %H:%M"))
            if call.closes_at and call.closes_at >= stage.due_at:
                problems.append(("closes_at", due))
            elif call.review_due_at and call.review_due_at >= stage.due_at:
                problems.append(("review_due_at", due))
            break
    problems += call_sections.call_problems(call)
    existing = db.session.scalar(select(Call.id).where(Call.code == call.code, Call.id != (call.id or 0)))
    if existing:
        problems.append(("code", _("이미 사용 중인 공모 코드입니다.")))
    return problems


def _opening_problems(call: Call, before: datetime | None) -> list[tuple[str, str]]:
    """Once published, the opening only moves later, never into the past, and not once it has passed.

    The 30-day rule counts from the opening: moving a published call's opening back (or
    into the past) would make a shorter announcement look like the 30 days it must have.
    """
    if call.phase == CallPhase.DRAFT or before is None or call.opens_at is None:
        return []
    if call.opens_at.replace(second=0, microsecond=0) == before.replace(second=0, microsecond=0):
        call.opens_at = before  # the form shows minutes: the same minute is no change
        return []
    if call.opens_at < before:
        return [("opens_at", _("게시된 공모의 접수 시작 시각은 앞당길 수 없습니다 (현재 %(at)s).",
                               at=clock.to_kst(before).strftime("%Y-%m-%d %H:%M")))]
    if call.opens_at < clock.now():
        return [("opens_at", _("접수 시작 시각을 이미 지난 시각으로 바꿀 수 없습니다."))]
    if before <= clock.now():
        # A later opening would turn an open call back into an upcoming one under its drafters.
        return [("opens_at", _("접수가 시작된 공모의 접수 시작 시각은 늦출 수 없습니다."))]
    return []


def _sync_policy(call: Call) -> None:
    """Awards and the budget cap are the call's; the policy only repeats them for the engine."""
    policy = dict(call.policy or {})
    policy["awards"] = call.awards
    if "budget_cap" in policy:
        policy["budget_cap"] = str(call.total_cap)
    call.policy = policy
    # The first evaluation stage is the call's review: its panel and due date are the call's fields.
    for stage in call.stages:
        if stage.position == 1:
            stage.panel_size, stage.due_at = call.reviewers_per_proposal, call.review_due_at
        if stage.policy:
            stage.policy = {**stage.policy, "awards": call.awards}


def create_call(actor, programme: Programme, data: dict, rubric: dict | None = None, policy: dict | None = None) -> Call:
    call = Call(programme=programme, phase=CallPhase.DRAFT, rubric=rubric or {"criteria": [], "total_points": "100"},
                policy=policy or {"trim_from": 5, "pass_mark": "70", "awards": 1, "decimals": 2, "tie_breaks": []},
                reviewers_per_proposal=5, final_score=FinalScore.LAST)
    _apply_fields(call, data)
    call.stages = default_procedure(call.reviewers_per_proposal, call.review_due_at)
    problems = _call_problems(call)
    if problems:
        raise CallAdminError(problems)
    _sync_policy(call)
    db.session.add(call)
    db.session.flush()
    audit.record(actor, "call.created", call, code=call.code)
    return call


def update_call(call: Call, actor, data: dict, programme: Programme | None = None, *, reason: str = "") -> Call:
    """Apply the officer's edit; once the call has opened, a change is a 변경공고 and needs ``reason``."""
    live = amendments.is_live(call)
    # Read before the fields change: a query after them would flush a half-checked call.
    frozen = rubric_lock(call) is not None
    before = amendments.announcement(call)
    with db.session.no_autoflush:
        if programme is not None and programme.id != call.programme_id:
            call.programme = programme
        opened_before, closed_before = call.opens_at, call.closes_at
        _apply_fields(call, data)
        problems = (_opening_problems(call, opened_before) + amendments.closing_problems(call, closed_before)
                    + _call_problems(call))
        changes = audit.changes(before, amendments.announcement(call))
    if live and changes:
        problems += amendments.reason_problems(reason)
    if frozen:
        # The panel size (the written stage's) and the number of awards are selection rules:
        # submitted proposals were written for them, so they freeze with the rubric.
        problems += [(name, _("%(label)s: 평가 절차와 선정 규칙의 일부여서 신청서가 제출된 뒤에는 바꿀 수 "
                              "없습니다.", label=amendments.FIELD_LABELS[name]))
                     for name in ("reviewers_per_proposal", "awards") if name in changes]
    if problems:
        raise CallAdminError(problems)
    _sync_policy(call)
    if changes:  # an edit that changes nothing is no event
        audit.record(actor, "call.updated", call, changes=changes)
        if live:
            amendments.record(call, actor, reason, changes)
    return call


def rubric_lock(call: Call) -> str | None:
    """Why the rubric and policy can no longer change, or None while they can."""
    if rubric_locked(call):
        return _("첫 평가표가 제출된 뒤에는 평가표를 변경할 수 없습니다.")
    if amendments.submissions_started(call):
        # Submitted proposals were written, and checked, against these criteria and rules.
        return _("신청서가 제출된 뒤에는 평가표와 선정 규칙을 변경할 수 없습니다.")
    return None


def set_rubric(call: Call, actor, rubric: dict, policy: dict, *, reason: str = "") -> Call:
    """Set the rubric and policy; frozen from the first submission, a 변경공고 once the call opened."""
    policy = dict(policy)
    policy["awards"] = call.awards
    if "budget_cap" in policy:
        policy["budget_cap"] = str(call.total_cap)
    changes = audit.changes(amendments.rubric_summary(call.rubric, call.policy),
                            amendments.rubric_summary(rubric, policy))
    if not changes:  # saved as it was: nothing to freeze, announce or record
        return call
    lock = rubric_lock(call)
    if lock:
        raise CallAdminError([("criteria", lock)])
    live = amendments.is_live(call)
    problems = rubric_problems(rubric, policy) + (amendments.reason_problems(reason) if live else [])
    if problems:
        raise CallAdminError(problems)
    call.rubric = deepcopy(rubric)
    call.policy = policy
    _sync_policy(call)
    audit.record(actor, "call.rubric_set", call, criteria=[c["key"] for c in rubric["criteria"]],
                 total=str(total_points(rubric)), changes=changes)
    if live:
        amendments.record(call, actor, reason, changes)
    return call


def _shift_year(value: datetime | None, years: int) -> datetime | None:
    if value is None:
        return None
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return value.replace(year=value.year + years, day=28)


def copy_call(call: Call, actor, code: str, years: int = 1) -> Call:
    """A draft for the next round: the same configuration, dates moved on by ``years``."""
    title = call.title
    for y in sorted({call.first_year, call.opens_at.year}, reverse=True):
        title = title.replace(str(y), str(y + years))
    new = Call(
        programme_id=call.programme_id, code=code, title=title, description_md=call.description_md,
        opens_at=_shift_year(call.opens_at, years), closes_at=_shift_year(call.closes_at, years),
        info_session_at=_shift_year(call.info_session_at, years), awards=call.awards,
        per_award_cap=call.per_award_cap, total_cap=call.total_cap,
        first_year=call.first_year + years, last_year=call.last_year + years,
        min_local_ratio=call.min_local_ratio, max_attachment_bytes=call.max_attachment_bytes,
        max_proposal_bytes=call.max_proposal_bytes, reviewers_per_proposal=call.reviewers_per_proposal,
        review_due_at=_shift_year(call.review_due_at, years), rubric=deepcopy(call.rubric),
        policy=deepcopy(call.policy), phase=CallPhase.DRAFT, final_score=call.final_score,
        pledge_text=call.pledge_text, site_label_ko=call.site_label_ko, site_label_en=call.site_label_en,
        lead_org_types=list(call.lead_org_types or []),
    )
    new.stages = ([s.copied(_shift_year(s.due_at, years)) for s in call.stages]
                  or default_procedure(call.reviewers_per_proposal, new.review_due_at))
    new.complexes = list(call.complexes)
    new.infra_types = [InfraType(key=t.key, label_ko=t.label_ko, label_en=t.label_en, position=t.position)
                       for t in call.infra_types]
    new.sections = [CallSection(key=s.key, kind=s.kind, label_ko=s.label_ko, label_en=s.label_en,
                                guide_ko=s.guide_ko, guide_en=s.guide_en, required=s.required, position=s.position)
                    for s in call.sections]
    new.attachment_kinds = [RequiredAttachment(key=a.key, label_ko=a.label_ko, label_en=a.label_en,
                                               required=a.required, position=a.position) for a in call.attachment_kinds]
    problems = _call_problems(new)
    if problems:
        raise CallAdminError(problems)
    db.session.add(new)
    db.session.flush()
    audit.record(actor, "call.copied", new, source_id=call.id, source_code=call.code)
    return new
