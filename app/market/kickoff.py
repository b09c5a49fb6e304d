"""Starting a consortium from a task candidate (과제 후보) for a call that is open.

A person of an organisation attached to the task (a firm with a need in it, or a supplier), or the
research group's coordinator acting for an organisation, starts it: their organisation leads the
new consortium (``app.proposals.consortia``), every other attached organisation is invited as a
member and must confirm as any member does, and a draft proposal for the chosen call is opened
with the task's title, summary and industry and one PoC plan per need (the firm, its problem and
data; the AI solution is left for the consortium to write, with the suppliers named as a hint).
The task is marked started with its consortium. Everything happens in one transaction: a refusal
anywhere (a closed call, a complex the call does not take) leaves nothing behind.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app import access, audit
from app.calls.calls import open_calls
from app.core.errors import MarketError
from app.core.links import portal_url
from app.models import Call, Organisation
from app.models.calls import CallStatus, SectionKind
from app.models.consortia import MemberRole
from app.models.marketplace import TaskCandidate, TaskState
from app.notifications import outbox
from app.proposals import consortia, drafts

# The member role an organisation of each type is invited in; a need's firm of another type is a
# tenant firm of the complex, a supplier of another type an AI supplier.
ROLE_OF_TYPE = {
    "tenant_company": MemberRole.TENANT_FIRM, "ai_supplier": MemberRole.AI_SUPPLIER,
    "university": MemberRole.UNIVERSITY, "research_institute": MemberRole.RESEARCH_INSTITUTE,
    "local_government": MemberRole.LOCAL_GOVERNMENT, "metropolitan_government": MemberRole.LOCAL_GOVERNMENT,
}


def attached(task: TaskCandidate) -> list[tuple[Organisation, str]]:
    """The task's organisations with the role each would take: needs' firms first, then suppliers."""
    out: dict[int, tuple[Organisation, str]] = {}
    for tn in task.needs:
        org = tn.need.organisation
        out.setdefault(org.id, (org, ROLE_OF_TYPE.get(org.type, MemberRole.TENANT_FIRM)))
    for ts in task.suppliers:
        org = ts.capability.organisation
        out.setdefault(org.id, (org, ROLE_OF_TYPE.get(org.type, MemberRole.AI_SUPPLIER)))
    return list(out.values())


def calls_to_choose() -> list[Call]:
    return open_calls()


def default_complex_id(task: TaskCandidate, call: Call) -> int | None:
    """The first need's complex, when the call takes it."""
    eligible = {c.id for c in drafts.eligible_complexes(call)}
    return next((tn.need.complex_id for tn in task.needs if tn.need.complex_id in eligible), None)


def _poc_plans(task: TaskCandidate) -> list[dict]:
    suppliers = ", ".join(f"{ts.capability.organisation.name} ({ts.capability.title})" for ts in task.suppliers)
    hint = str(_l("제안 공급기업: %(names)s — AI 솔루션을 작성하십시오.", names=suppliers)) if suppliers else ""
    plans = []
    for tn in task.needs:
        need = tn.need
        problem = "\n".join(part for part in (
            need.title, need.process and str(_l("공정: %(process)s", process=need.process)), need.problem,
            need.data_available and str(_l("보유 데이터: %(data)s", data=need.data_available))) if part)
        plans.append({"tenant_firm": need.organisation.name, "problem": problem, "ai_solution": hint, "kpis": []})
    return plans


def start(task: TaskCandidate, user, call: Call | None, name: str, complex_id: int | None):
    """The consortium and its draft proposal; raises ``MarketError`` (or a drafting error) and
    changes nothing when refused."""
    if not access.can_start_consortium(user, task):
        raise MarketError(_l("과제 후보에 연결된 기관의 회원이나 연구회 간사만 컨소시엄을 시작할 수 있습니다."))
    if task.state != TaskState.OPEN:
        raise MarketError(_l("이미 컨소시엄을 시작했거나 닫힌 과제 후보입니다."))
    if call is None or call.status() != CallStatus.OPEN:
        raise MarketError(_l("접수 중인 공모를 선택하십시오."), "call_id")
    if complex_id is None:
        complex_id = default_complex_id(task, call)
    consortium = consortia.create(user, name)
    for org, role in attached(task):
        if org.id != consortium.lead_org_id:
            consortia.add_member(consortium, user, org.brn, role)
    try:
        proposal = drafts.start(call, consortium, user, complex_id)
    except drafts.DraftInvalid as error:
        field, message = next(iter(error.errors.items()))
        raise MarketError(message, field if field == "complex_id" else "") from None
    drafts.save_overview(proposal, user, {"title": task.title, "summary": task.summary,
                                          "strategic_industries": task.group.industry})
    if call.section_of_kind(SectionKind.PLANS) is not None:
        # A call whose form has plans gets one per need; another call's form has nowhere to put them.
        drafts.replace_poc_plans(proposal, user, _poc_plans(task))
    before = {"state": task.state, "consortium_id": task.consortium_id}
    task.state, task.consortium_id = TaskState.STARTED, consortium.id
    audit.record(user, "market.task_started", task, call_id=call.id, proposal_id=proposal.id,
                 changes=audit.changes(before, {"state": task.state, "consortium_id": consortium.id}))
    _tell_coordinator(task, user, consortium)
    return proposal


def _tell_coordinator(task: TaskCandidate, user, consortium) -> None:
    coordinator = task.group.coordinator
    if coordinator is None or coordinator.id == user.id:
        return
    outbox.post(coordinator.id, "market_task_started",
                outbox.notice("%(org)s이(가) 과제 후보 '%(task)s'에서 컨소시엄 '%(consortium)s'을(를) 시작했습니다.",
                              org=consortium.lead_org.name if consortium.lead_org else "", task=task.title,
                              consortium=consortium.name),
                portal_url("market.task", task_id=task.id, external=False))
