"""Alliances (얼라이언스), their research groups (연구회), membership, and task candidates (과제 후보).

Admins create alliances and groups (``flask market …``). Organisations are members of an alliance;
a group's coordinator adds an organisation to the group by its 사업자등록번호, which makes it a member
of the alliance too (removing it from the group leaves it in the alliance). The coordinator curates
task candidates from the needs the group sees (public ones and the alliance's own) and attaches
suppliers' capabilities to them.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import audit
from app.accounts import brn
from app.core.errors import MarketError
from app.extensions import db
from app.models import Organisation, User
from app.models.marketplace import (
    Alliance, AllianceMember, Capability, GroupMember, ListingState, Need, ResearchGroup, TaskCandidate, TaskNeed,
    TaskState, TaskSupplier, Visibility,
)


def create_alliance(actor, name: str, region: str = "", description: str = "") -> Alliance:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise MarketError(_l("얼라이언스 이름을 200자 이내로 입력하십시오."), field="name")
    if db.session.scalar(select(Alliance.id).where(Alliance.name == name)) is not None:
        raise MarketError(_l("같은 이름의 얼라이언스가 있습니다."), field="name")
    alliance = Alliance(name=name, region=region.strip()[:64], description=description.strip())
    db.session.add(alliance)
    db.session.flush()
    audit.record(actor, "alliance.created", alliance, name=name)
    return alliance


def create_group(actor, alliance: Alliance, name: str, industry: str = "", coordinator: User | None = None) -> ResearchGroup:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise MarketError(_l("연구회 이름을 200자 이내로 입력하십시오."), field="name")
    if any(g.name == name for g in alliance.groups):
        raise MarketError(_l("이 얼라이언스에 같은 이름의 연구회가 있습니다."), field="name")
    group = ResearchGroup(alliance=alliance, name=name, industry=industry.strip()[:100],
                          coordinator_id=coordinator.id if coordinator else None)
    db.session.add(group)
    db.session.flush()
    audit.record(actor, "research_group.created", group, alliance_id=alliance.id, name=name,
                 coordinator_id=group.coordinator_id)
    return group


def alliance_by_name(name: str) -> Alliance | None:
    return db.session.scalar(select(Alliance).where(Alliance.name == name))


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))


def organisation_by_brn(number: str, field: str = "brn") -> Organisation:
    if not brn.is_valid(number):
        raise MarketError(_l("올바른 사업자등록번호가 아닙니다 (숫자 10자리, 검증번호 확인)."), field=field)
    org = db.session.scalar(select(Organisation).where(Organisation.brn == brn.normalise(number)))
    if org is None:
        raise MarketError(_l("포털에 등록되지 않은 사업자등록번호입니다."), field=field)
    return org


def join_alliance(actor, alliance: Alliance, org: Organisation) -> bool:
    """Make ``org`` a member of ``alliance``; False when it already was."""
    if db.session.scalar(select(AllianceMember.id).where(AllianceMember.alliance_id == alliance.id,
                                                         AllianceMember.organisation_id == org.id)) is not None:
        return False
    db.session.add(AllianceMember(alliance_id=alliance.id, organisation_id=org.id))
    db.session.flush()
    audit.record(actor, "alliance.member_added", alliance, organisation_id=org.id)
    return True


def add_group_member(actor, group: ResearchGroup, number: str) -> Organisation:
    org = organisation_by_brn(number)
    if any(m.organisation_id == org.id for m in group.members):
        raise MarketError(_l("이미 이 연구회의 회원 기관입니다."), field="brn")
    group.members.append(GroupMember(organisation_id=org.id, added_by_id=getattr(actor, "id", None)))
    join_alliance(actor, group.alliance, org)
    db.session.flush()
    audit.record(actor, "research_group.member_added", group, organisation_id=org.id)
    return org


def remove_group_member(actor, group: ResearchGroup, organisation_id: int) -> None:
    member = next((m for m in group.members if m.organisation_id == organisation_id), None)
    if member is None:
        raise MarketError(_l("이 연구회의 회원 기관이 아닙니다."))
    group.members.remove(member)
    db.session.flush()
    audit.record(actor, "research_group.member_removed", group, organisation_id=organisation_id)


def alliances() -> list[Alliance]:
    return list(db.session.scalars(select(Alliance).order_by(Alliance.name)))


# --- task candidates ---------------------------------------------------------------------------

def _for_alliance(model, alliance_id: int):
    return (model.visibility != Visibility.ALLIANCE) | (model.alliance_id == alliance_id)


def needs_for_group(group: ResearchGroup) -> list[Need]:
    """Needs a group may attach: public ones and its alliance's own, not closed."""
    return list(db.session.scalars(select(Need).where(_for_alliance(Need, group.alliance_id),
                                                      Need.state != ListingState.CLOSED)
                                   .options(joinedload(Need.organisation)).order_by(Need.id)))


def capabilities_for_group(group: ResearchGroup) -> list[Capability]:
    return list(db.session.scalars(select(Capability).where(_for_alliance(Capability, group.alliance_id),
                                                            Capability.state != ListingState.CLOSED)
                                   .options(joinedload(Capability.organisation)).order_by(Capability.id)))


def _pick(rows: list, ids, field: str) -> list:
    known = {r.id: r for r in rows}
    wanted = [int(i) for i in ids or ()]
    if any(i not in known for i in wanted):
        raise MarketError(_l("이 연구회가 볼 수 있는 항목만 고를 수 있습니다."), field=field)
    return list(dict.fromkeys(wanted))


def save_task(actor, group: ResearchGroup, task: TaskCandidate | None, *, title: str, summary: str,
              need_ids, capability_ids) -> TaskCandidate:
    """Create a task candidate (``task`` None) or edit one: its text, needs and suppliers."""
    title = (title or "").strip()
    if not title:
        raise MarketError(_l("제목을 입력하십시오."), field="title")
    needs = _pick(needs_for_group(group) + ([tn.need for tn in task.needs] if task else []), need_ids, "need_ids")
    caps = _pick(capabilities_for_group(group) + ([ts.capability for ts in task.suppliers] if task else []),
                 capability_ids, "capability_ids")
    created = task is None
    if created:
        task = TaskCandidate(group_id=group.id, created_by_id=actor.id, title=title, summary=summary.strip())
        db.session.add(task)
        before = {}
    else:
        before = _snapshot(task)
        task.title, task.summary = title, summary.strip()
    task.needs = [next((tn for tn in task.needs if tn.need_id == i), None) or TaskNeed(need_id=i) for i in needs]
    task.suppliers = [next((ts for ts in task.suppliers if ts.capability_id == i), None) or TaskSupplier(capability_id=i)
                      for i in caps]
    db.session.flush()
    if created:
        audit.record(actor, "task_candidate.created", task, group_id=group.id, title=title, needs=needs, suppliers=caps)
    else:
        audit.record(actor, "task_candidate.updated", task, changes=audit.changes(before, _snapshot(task)))
    return task


def _snapshot(task: TaskCandidate) -> dict:
    return {"title": task.title, "summary": task.summary, "needs": sorted(tn.need_id for tn in task.needs),
            "suppliers": sorted(ts.capability_id for ts in task.suppliers)}


def set_task_state(actor, task: TaskCandidate, state: str) -> None:
    """The coordinator opens or closes a candidate; "started" is the matching's (a consortium was started)."""
    if state not in (TaskState.OPEN, TaskState.CLOSED):
        raise MarketError(_l("알 수 없는 상태입니다."), field="state")
    if task.state == TaskState.STARTED:
        raise MarketError(_l("컨소시엄이 시작된 과제 후보의 상태는 바꿀 수 없습니다."), field="state")
    if task.state != state:
        before, task.state = task.state, state
        db.session.flush()
        audit.record(actor, "task_candidate.state_changed", task, changes={"state": [before, state]})


def tasks_of(group: ResearchGroup) -> list[TaskCandidate]:
    return list(db.session.scalars(select(TaskCandidate).where(TaskCandidate.group_id == group.id)
                                   .order_by(TaskCandidate.id)))


def tasks_of_alliance(alliance: Alliance) -> list[TaskCandidate]:
    return list(db.session.scalars(select(TaskCandidate).join(ResearchGroup)
                                   .where(ResearchGroup.alliance_id == alliance.id)
                                   .order_by(ResearchGroup.id, TaskCandidate.id)))


def visible_alliances(user, member_ids: set[int], coordinated_ids: set[int]) -> list[Alliance]:
    """The alliances the user sees: every one for admins, else theirs and their groups'."""
    query = select(Alliance).order_by(Alliance.name)
    if not user.has_role("admin"):
        query = query.where(Alliance.id.in_(member_ids | coordinated_ids))
    return list(db.session.scalars(query))
