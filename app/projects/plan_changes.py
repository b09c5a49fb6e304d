"""사업계획 변경: the consortium's lead asks for a change, the call's officers approve or reject it.

Three kinds: ``budget`` (money moved between years and sources, rules in ``budget_moves``),
``poc`` (a KPI's target, or a PoC's problem and solution text) and ``member`` (a member joining or
leaving, recorded as text: the consortium itself is changed by the officer outside the portal).
A request is checked in full and refused with field-level problems, saving nothing. Approval
checks it again against the plan as it is then and applies it to the project's rows in the same
transaction, the audit entry holding every old and new value.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import numbers
from app import audit
from app.core import clock
from app.core.errors import ProjectsError
from app.core.links import portal_url
from app.extensions import db
from app.models.projects import PlanChange, PlanChangeKind, PlanChangeStatus, Project, ProjectStatus
from app.notifications import outbox
from app.notifications.contacts import call_officers, consortium_contacts
from app.projects import budget_moves

KIND_LABELS = {PlanChangeKind.BUDGET: _l("사업비 변경"), PlanChangeKind.POC: _l("실증·성과지표 변경"),
               PlanChangeKind.MEMBER: _l("참여기관 변경")}
STATUS_LABELS = {PlanChangeStatus.REQUESTED: _l("검토 중"), PlanChangeStatus.APPROVED: _l("승인"),
                 PlanChangeStatus.REJECTED: _l("반려")}
DIRECTIONS = {"join": _l("참여"), "leave": _l("탈퇴")}
POC_TEXTS = ("problem", "ai_solution")
MAX_TEXT = 8000


class PlanChangeError(ProjectsError):
    """A refused request or decision; ``problems`` are (field, message) pairs for the form."""

    def __init__(self, problems: list[tuple[str, str]]):
        field, message = problems[0] if problems else ("", "")
        super().__init__(message, field)
        self.problems = problems


def of_project(project: Project) -> list[PlanChange]:
    return list(db.session.scalars(select(PlanChange).where(PlanChange.project_id == project.id)
                                   .order_by(PlanChange.requested_at.desc(), PlanChange.id.desc())))


def _reason(reason: str, field: str = "reason") -> tuple[str, list[tuple[str, str]]]:
    text = (reason or "").strip()
    if len(text) < 10 or len(text) > MAX_TEXT:
        return text, [(field, _("사유를 10자 이상 8,000자 이내로 입력하십시오."))]
    return text, []


def _open(project: Project) -> list[tuple[str, str]]:
    if project.status != ProjectStatus.ACTIVE:
        return [("reason", _("완료된 과제의 계획은 바꿀 수 없습니다."))]
    return []


def _target(text) -> Decimal | None:
    try:
        value = Decimal(str(text).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or abs(value) >= Decimal("1e14"):
        return None
    return value.quantize(Decimal("0.0001"))  # the column's scale: what is stored is what was asked


def _create(project: Project, actor, kind: str, reason: str, details: dict) -> PlanChange:
    change = PlanChange(project_id=project.id, kind=kind, reason=reason, details=details,
                        status=PlanChangeStatus.REQUESTED, requested_by_id=actor.id, requested_at=clock.now())
    db.session.add(change)
    db.session.flush()
    audit.record(actor, "plan_change.requested", change, call=project.call_id, project_id=project.id, kind=kind,
                 reason=reason, details=details)
    url = portal_url("projects.change", project_id=project.id, change_id=change.id)
    for officer in call_officers(project.call):
        outbox.queue(
            f"plan_change_requested:{change.id}:{officer.id}", "plan_change_requested", officer,
            {"call_title": project.call.title, "project_title": project.title, "consortium": project.consortium.name,
             "kind": kind, "reason": reason, "url": url},
            in_app=outbox.notice("[%(project)s] 사업계획 변경 요청이 접수되었습니다.", project=project.title),
            url=url,
        )
    return change


def request_budget(project: Project, actor, reason: str, rows: list[dict]) -> PlanChange:
    """``rows``: the form's move rows (from_year, from_source, to_year, to_source, amount)."""
    reason, problems = _reason(reason)
    problems = _open(project) + problems
    moves, where, bad = budget_moves.parse(rows)
    problems += bad
    if not bad:
        problems += budget_moves.check(project, moves, where)
    if problems:
        raise PlanChangeError(problems)
    return _create(project, actor, PlanChangeKind.BUDGET, reason, {"moves": [m.as_dict() for m in moves]})


def request_poc(project: Project, actor, reason: str, *, kpi_id: int | None = None, target: str = "",
                poc_id: int | None = None, texts: dict[str, str] | None = None) -> PlanChange:
    """A KPI's new target and/or a PoC's new problem and solution text (blank text: unchanged)."""
    reason, problems = _reason(reason)
    problems = _open(project) + problems
    details: dict = {"kpis": [], "pocs": []}
    kpis = {k.id: k for poc in project.pocs for k in poc.kpis}
    pocs = {p.id: p for p in project.pocs}
    if kpi_id:
        kpi = kpis.get(kpi_id)
        value = _target(target)
        if kpi is None:
            problems.append(("kpi_id", _("이 과제의 성과지표를 고르십시오.")))
        elif value is None:
            problems.append(("target", _("새 목표값을 숫자로 입력하십시오.")))
        elif value == kpi.baseline:
            problems.append(("target", _("목표값은 기준값(%(b)s)과 달라야 합니다.", b=numbers.plain(kpi.baseline))))
        elif value == kpi.target:
            problems.append(("target", _("지금의 목표값과 같습니다.")))
        else:
            details["kpis"].append({"kpi_id": kpi.id, "name": kpi.name, "target": numbers.plain(value),
                                    "was": numbers.plain(kpi.target)})
    elif str(target or "").strip():
        problems.append(("kpi_id", _("목표값을 바꿀 성과지표를 고르십시오.")))
    given = {k: (v or "").strip() for k, v in (texts or {}).items() if k in POC_TEXTS and (v or "").strip()}
    if poc_id:
        poc = pocs.get(poc_id)
        if poc is None:
            problems.append(("poc_id", _("이 과제의 실증(PoC)을 고르십시오.")))
        elif not given:
            problems.append(("problem", _("바꿀 내용을 입력하십시오.")))
        else:
            for key, text in given.items():
                if len(text) > MAX_TEXT:
                    problems.append((key, _("8,000자 이내로 입력하십시오.")))
            new = {k: v for k, v in given.items() if v != getattr(poc, k)}
            if not new and not any(p[0] in given for p in problems):
                problems.append(("problem", _("지금의 내용과 같습니다.")))
            elif new:
                details["pocs"].append({"poc_id": poc.id, "tenant_firm": poc.tenant_firm, **new})
    elif given:
        problems.append(("poc_id", _("내용을 바꿀 실증(PoC)을 고르십시오.")))
    if not kpi_id and not poc_id and not problems:
        problems.append(("kpi_id", _("바꿀 성과지표나 실증(PoC)을 고르십시오.")))
    if problems:
        raise PlanChangeError(problems)
    return _create(project, actor, PlanChangeKind.POC, reason, details)


def request_member(project: Project, actor, reason: str, organisation: str, direction: str) -> PlanChange:
    reason, problems = _reason(reason)
    problems = _open(project) + problems
    organisation = (organisation or "").strip()
    if not organisation or len(organisation) > 200:
        problems.append(("organisation", _("기관명을 200자 이내로 입력하십시오.")))
    if direction not in DIRECTIONS:
        problems.append(("direction", _("참여 또는 탈퇴를 고르십시오.")))
    if problems:
        raise PlanChangeError(problems)
    return _create(project, actor, PlanChangeKind.MEMBER, reason,
                   {"organisation": organisation, "direction": direction})


def _apply_poc(project: Project, details: dict) -> tuple[dict, dict]:
    kpis = {k.id: k for poc in project.pocs for k in poc.kpis}
    pocs = {p.id: p for p in project.pocs}
    before, after = {}, {}
    for item in details.get("kpis", []):
        kpi = kpis.get(item["kpi_id"])
        value = _target(item["target"])
        if kpi is None:
            raise PlanChangeError([("", _("변경할 성과지표가 더 이상 없습니다."))])
        if value is None or value == kpi.baseline:
            raise PlanChangeError([("", _("목표값은 기준값(%(b)s)과 달라야 합니다.", b=numbers.plain(kpi.baseline)))])
        before[f"kpi:{kpi.id}:target"] = numbers.plain(kpi.target)
        kpi.target = value
        after[f"kpi:{kpi.id}:target"] = numbers.plain(value)
    for item in details.get("pocs", []):
        poc = pocs.get(item["poc_id"])
        if poc is None:
            raise PlanChangeError([("", _("변경할 실증(PoC)이 더 이상 없습니다."))])
        for key in POC_TEXTS:
            if key in item:
                before[f"poc:{poc.id}:{key}"] = getattr(poc, key)
                setattr(poc, key, item[key])
                after[f"poc:{poc.id}:{key}"] = item[key]
    return before, after


def _decided(change: PlanChange, actor, status: str, reason: str) -> None:
    change.status = status
    change.decision_reason = reason
    change.decided_by_id = actor.id
    change.decided_at = clock.now()
    project = change.project
    url = portal_url("projects.show", project_id=project.id)
    recipients = {u.id: u for u in consortium_contacts(project.consortium)}
    recipients.setdefault(change.requested_by.id, change.requested_by)
    for user in recipients.values():
        outbox.queue(
            f"plan_change_decided:{change.id}:{user.id}", "plan_change_decided", user,
            {"call_title": project.call.title, "project_title": project.title, "kind": change.kind,
             "approved": status == PlanChangeStatus.APPROVED, "reason": reason, "url": url},
            in_app=outbox.notice("[%(project)s] 사업계획 변경 요청이 처리되었습니다.", project=project.title),
            url=url,
        )


def _undecided(change: PlanChange) -> None:
    # Two officers deciding at once: the second waits for the first and then sees its decision.
    db.session.refresh(change, with_for_update=True)
    if change.status != PlanChangeStatus.REQUESTED:
        raise PlanChangeError([("reason", _("이미 처리된 변경 요청입니다."))])


def approve(change: PlanChange, actor, reason: str = "") -> PlanChange:
    """Apply the change to the plan as it is now (checked again), and say so to the consortium."""
    _undecided(change)
    project = change.project
    reason = (reason or "").strip()
    if len(reason) > MAX_TEXT:
        raise PlanChangeError([("reason", _("8,000자 이내로 입력하십시오."))])
    if change.kind == PlanChangeKind.BUDGET:
        moves = budget_moves.moves_of(change.details)
        problems = budget_moves.check(project, moves)
        if problems:
            raise PlanChangeError([("reason", _("지금의 사업비 계획에는 이 변경을 적용할 수 없습니다: %(why)s",
                                                why=problems[0][1]))])
        before, after = budget_moves.apply(project, moves)
    elif change.kind == PlanChangeKind.POC:
        before, after = _apply_poc(project, change.details)
    else:
        before, after = {}, {}  # recorded only: the officer changes the consortium outside
    _decided(change, actor, PlanChangeStatus.APPROVED, reason)
    db.session.flush()
    audit.record(actor, "plan_change.approved", change, call=project.call_id, project_id=project.id,
                 kind=change.kind, reason=reason, changes=audit.changes(before, after))
    return change


def reject(change: PlanChange, actor, reason: str) -> PlanChange:
    _undecided(change)
    reason, problems = _reason(reason)
    if problems:
        raise PlanChangeError(problems)
    _decided(change, actor, PlanChangeStatus.REJECTED, reason)
    audit.record(actor, "plan_change.rejected", change, call=change.project.call_id, project_id=change.project_id,
                 kind=change.kind, reason=reason)
    return change
