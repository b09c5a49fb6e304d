"""현장점검: the call's officer records a visit (day, inspectors, findings) and the follow-up actions it
asks for, each with a due day; an action is later marked done with a note. The consortium reads them.

Days are KST calendar days; an action is overdue from the day after its due day until it is done.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import audit
from app.core import clock
from app.core.errors import ProjectsError
from app.core.links import portal_url
from app.extensions import db
from app.models.projects import Inspection, InspectionAction, Project
from app.notifications import outbox
from app.notifications.contacts import consortium_contacts

MAX_TEXT = 8000
MAX_ACTIONS = 20


class InspectionError(ProjectsError):
    """A refused record; ``problems`` are (field, message) pairs for the form."""

    def __init__(self, problems: list[tuple[str, str]]):
        field, message = problems[0] if problems else ("", "")
        super().__init__(message, field)
        self.problems = problems


@dataclass(frozen=True)
class ActionDraft:
    description: str
    due_on: date | None


def today() -> date:
    return clock.to_kst(clock.now()).date()


def is_overdue(action: InspectionAction, on: date | None = None) -> bool:
    return action.done_at is None and action.due_on < (on or today())


def of_project(project: Project) -> list[Inspection]:
    return list(db.session.scalars(
        select(Inspection).where(Inspection.project_id == project.id)
        .options(selectinload(Inspection.actions))
        .order_by(Inspection.held_on.desc(), Inspection.id.desc())))


def overdue_of(inspections: list[Inspection]) -> list[InspectionAction]:
    on = today()
    return [a for i in inspections for a in i.actions if is_overdue(a, on)]


def record(project: Project, actor, held_on: date | None, inspectors: str, findings: str,
           actions: list[ActionDraft]) -> Inspection:
    """Refused in full (nothing saved) when a field is wrong; blank action rows are skipped."""
    inspectors, findings = (inspectors or "").strip(), (findings or "").strip()
    problems = []
    if held_on is None:
        problems.append(("held_on", _("점검일을 입력하십시오.")))
    elif held_on > today():
        problems.append(("held_on", _("점검일은 오늘이나 그 이전이어야 합니다.")))
    elif held_on < project.period_start:
        problems.append(("held_on", _("점검일은 협약 기간 시작일(%(d)s) 이후여야 합니다.", d=project.period_start.isoformat())))
    if not inspectors or len(inspectors) > 1000:
        problems.append(("inspectors", _("점검자를 1,000자 이내로 입력하십시오.")))
    if not findings or len(findings) > MAX_TEXT:
        problems.append(("findings", _("점검 결과를 8,000자 이내로 입력하십시오.")))
    kept = []
    for i, draft in enumerate(actions):
        text = (draft.description or "").strip()
        if not text and draft.due_on is None:
            continue
        if not text or len(text) > MAX_TEXT:
            problems.append((f"actions-{i}-description", _("조치 내용을 8,000자 이내로 입력하십시오.")))
        if draft.due_on is None:
            problems.append((f"actions-{i}-due_on", _("조치 기한을 입력하십시오.")))
        elif held_on is not None and draft.due_on < held_on:
            problems.append((f"actions-{i}-due_on", _("조치 기한은 점검일 이후여야 합니다.")))
        kept.append(ActionDraft(text, draft.due_on))
    if len(kept) > MAX_ACTIONS:
        problems.append(("actions-0-description", _("조치 사항은 %(n)d개까지 기록할 수 있습니다.", n=MAX_ACTIONS)))
    if problems:
        raise InspectionError(problems)
    inspection = Inspection(project_id=project.id, held_on=held_on, inspectors=inspectors, findings=findings,
                            recorded_by_id=actor.id, recorded_at=clock.now())
    inspection.actions = [InspectionAction(description=a.description, due_on=a.due_on) for a in kept]
    db.session.add(inspection)
    db.session.flush()
    audit.record(actor, "inspection.recorded", inspection, call=project.call_id, project_id=project.id,
                 held_on=held_on.isoformat(), inspectors=inspectors, findings=findings,
                 actions=[{"id": a.id, "description": a.description, "due_on": a.due_on.isoformat()}
                          for a in inspection.actions])
    url = portal_url("projects.inspection", project_id=project.id, inspection_id=inspection.id)
    for user in consortium_contacts(project.consortium):
        outbox.queue(
            f"inspection_recorded:{inspection.id}:{user.id}", "inspection_recorded", user,
            {"call_title": project.call.title, "project_title": project.title, "held_on": held_on.isoformat(),
             "findings": findings, "actions": [{"description": a.description, "due_on": a.due_on.isoformat()}
                                               for a in inspection.actions], "url": url},
            in_app=outbox.notice("[%(project)s] 현장점검 결과가 등록되었습니다.", project=project.title),
            url=url,
        )
    return inspection


def complete(action: InspectionAction, actor, note: str) -> InspectionAction:
    """Mark a follow-up action done, with what was done."""
    note = (note or "").strip()
    if action.done_at is not None:
        raise InspectionError([("note", _("이미 완료 처리한 조치 사항입니다."))])
    if not note or len(note) > MAX_TEXT:
        raise InspectionError([("note", _("조치 결과를 8,000자 이내로 입력하십시오."))])
    before = {"done_at": None, "done_note": action.done_note}
    action.done_at = clock.now()
    action.done_note = note
    inspection = db.session.get(Inspection, action.inspection_id)
    project = db.session.get(Project, inspection.project_id)
    audit.record(actor, "inspection.action_done", action, call=project.call_id, project_id=project.id,
                 inspection_id=inspection.id, late=action.due_on < today(),
                 changes=audit.changes(before, {"done_at": action.done_at, "done_note": note}))
    return action
