"""Starting a consortium from a task candidate: lead, invited members, a draft with PoC plans, the task started."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Consortium, OutboxMessage, Proposal
from app.models.marketplace import TaskCandidate
from tests.factories import CallFactory, UserFactory, closed_call
from tests.market.market_world import market, task_for


def _open_call():
    # The AX call's complexes include 창원국가산단, the need's.
    call = CallFactory()
    db.session.commit()
    return call


def test_a_firm_starts_a_consortium_from_its_task(client, login, isolated_dirs):
    m = market()
    task = task_for(m)
    call = _open_call()
    login(m.firm)

    page = client.get(f"/market/tasks/{task.id}").get_data(as_text=True)
    assert f"/market/tasks/{task.id}/consortium" in page
    assert call.code in client.get(f"/market/tasks/{task.id}/consortium").get_data(as_text=True)
    resp = client.post(f"/market/tasks/{task.id}/consortium",
                       data={"call_id": str(call.id), "complex_id": "", "name": "창원 사출 AX 컨소시엄"})
    assert resp.status_code == 303, resp.get_data(as_text=True)
    proposal = db.session.scalar(select(Proposal))
    assert resp.headers["Location"].endswith(f"/proposals/{proposal.id}")
    consortium = db.session.get(Consortium, proposal.consortium_id)
    assert consortium.lead_org_id == m.firm.organisation_id
    # The supplier is invited, not yet a member.
    [member] = [x for x in consortium.members if x.organisation_id == m.supplier.organisation_id]
    assert member.role == "ai_supplier" and member.status == "pending"
    assert consortium.confirmed_org_ids() == {m.firm.organisation_id}
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "consortium_invited")).user_id \
        == m.supplier.id
    # The draft: the need's complex, the task's words, one PoC plan per need with the firm and its problem.
    assert proposal.call_id == call.id and proposal.complex_id == m.complex.id
    assert proposal.title == task.title and proposal.strategic_industries == "스마트기계"
    [plan] = proposal.poc_plans
    assert plan.tenant_firm == "㈜경남사출"
    assert m.need.problem in plan.problem and "검사 이미지 2만 장" in plan.problem
    assert "㈜비전에이아이" in plan.ai_solution
    db.session.refresh(task)
    assert task.state == "started" and task.consortium_id == consortium.id
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "market.task_started")).all()
    assert entry.data["changes"]["state"] == ["open", "started"]
    # Started once: the button is gone and a second start is refused.
    assert f"/market/tasks/{task.id}/consortium\"" not in client.get(f"/market/tasks/{task.id}").get_data(as_text=True)
    again = client.post(f"/market/tasks/{task.id}/consortium",
                        data={"call_id": str(call.id), "name": "두 번째"})
    assert again.status_code == 422 and db.session.scalar(select(db.func.count(Consortium.id))) == 1


def test_the_coordinator_starts_it_for_their_organisation(client, login, isolated_dirs):
    m = market()
    coordinator = UserFactory()
    task = task_for(m, coordinator=coordinator)
    call = _open_call()
    login(coordinator)
    resp = client.post(f"/market/tasks/{task.id}/consortium", data={"call_id": str(call.id), "name": "연구회 컨소시엄"})
    assert resp.status_code == 303
    consortium = db.session.scalar(select(Consortium))
    assert consortium.lead_org_id == coordinator.organisation_id
    assert {x.organisation_id for x in consortium.members if x.status == "pending"} == {
        m.firm.organisation_id, m.supplier.organisation_id}


def test_a_closed_call_is_refused_and_nothing_is_left_behind(client, login, isolated_dirs):
    m = market()
    task = task_for(m)
    call = closed_call()
    _open_call()
    db.session.commit()
    login(m.supplier)
    resp = client.post(f"/market/tasks/{task.id}/consortium", data={"call_id": str(call.id), "name": "늦은 컨소시엄"})
    assert resp.status_code == 422
    assert "접수 중인 공모를 선택하십시오." in resp.get_data(as_text=True)
    assert db.session.scalar(select(Consortium)) is None and db.session.scalar(select(Proposal)) is None
    assert db.session.get(TaskCandidate, task.id).state == "open"


def test_a_complex_the_call_does_not_take_is_refused_beside_its_field(client, login, isolated_dirs):
    m = market()
    task = task_for(m)
    call = CallFactory(setup__complexes=["구미"])
    db.session.commit()
    login(m.firm)
    resp = client.post(f"/market/tasks/{task.id}/consortium", data={"call_id": str(call.id), "name": "컨소시엄"})
    assert resp.status_code == 422
    assert "대상 산업단지는 이 공모의 신청 대상 중에서 선택하십시오" in resp.get_data(as_text=True)
    assert db.session.scalar(select(Consortium)) is None


def test_someone_not_attached_may_not_start_it(client, login, isolated_dirs):
    m = market()
    task = task_for(m)
    call = _open_call()
    # An outsider who belongs to the alliance sees the task but is not attached to it.
    from app.models.marketplace import AllianceMember

    db.session.add(AllianceMember(alliance_id=task.group.alliance_id, organisation_id=m.outsider.organisation_id))
    db.session.commit()
    login(m.outsider)
    assert f"/market/tasks/{task.id}/consortium" not in client.get(f"/market/tasks/{task.id}").get_data(as_text=True)
    assert client.post(f"/market/tasks/{task.id}/consortium",
                       data={"call_id": str(call.id), "name": "x"}).status_code == 403
    assert db.session.scalar(select(Consortium)) is None
