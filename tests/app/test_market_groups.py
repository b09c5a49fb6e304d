"""Alliances and research groups: who sees them, the coordinator's membership and curation, the
task export, the CLI and the demo."""
from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.demo import demo
from app.demo import market as demo_market
from app.extensions import db
from app.models import AuditEntry, User
from app.models.marketplace import (
    Alliance, AllianceMember, Capability, GroupMember, Need, ResearchGroup, TaskCandidate,
)
from tests.app.market_builders import alliance_with_group, capability, firm, need, supplier
from tests.factories import UserFactory
from tests.support import sign_in


def test_group_pages_are_404_outside_the_alliance(app, client):
    alliance, group, coordinator = alliance_with_group()
    db.session.commit()
    sign_in(client, firm())
    for path in (f"/market/alliances/{alliance.id}", f"/market/groups/{group.id}", f"/market/groups/{group.id}/tasks.xlsx"):
        assert client.get(path).status_code == 404
    assert alliance.name not in client.get("/market/alliances").get_data(as_text=True)
    sign_in(client, coordinator)
    assert client.get(f"/market/groups/{group.id}").status_code == 200
    assert alliance.name in client.get("/market/alliances").get_data(as_text=True)


def test_the_coordinator_adds_and_removes_members_by_registration_number(app, client):
    alliance, group, coordinator = alliance_with_group()
    member = firm()
    db.session.commit()
    sign_in(client, member)
    assert client.get(f"/market/groups/{group.id}").status_code == 404
    sign_in(client, coordinator)
    resp = client.post(f"/market/groups/{group.id}/members", data={"brn": "123-45-67890"})
    assert resp.status_code == 422 and 'id="brn-error"' in resp.get_data(as_text=True)
    number = member.organisation.brn
    resp = client.post(f"/market/groups/{group.id}/members", data={"brn": f"{number[:3]}-{number[3:5]}-{number[5:]}"})
    assert resp.status_code == 303
    assert db.session.scalar(select(func.count(GroupMember.id))) == 1
    # In the group, so in the alliance: the member now sees the group.
    assert db.session.scalar(select(AllianceMember.id).where(AllianceMember.organisation_id == member.organisation_id))
    sign_in(client, member)
    assert client.get(f"/market/groups/{group.id}").status_code == 200
    assert client.post(f"/market/groups/{group.id}/members", data={"brn": number}).status_code == 403
    sign_in(client, coordinator)
    resp = client.post(f"/market/groups/{group.id}/members/{member.organisation_id}/remove")
    assert resp.status_code == 303
    assert db.session.scalar(select(func.count(GroupMember.id))) == 0
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"research_group.member_added", "research_group.member_removed", "alliance.member_added"} <= actions


def test_the_coordinator_curates_a_task_from_visible_needs_only(app, client):
    alliance, group, coordinator = alliance_with_group()
    other, _g, _c = alliance_with_group(name="다른 얼라이언스")
    owner, seller = firm(), supplier()
    from app.market import groups as service

    service.join_alliance(None, alliance, owner.organisation)
    service.join_alliance(None, other, owner.organisation)
    mine = need(owner, alliance, title="우리 수요")
    public = need(owner, title="공개 수요")
    foreign = need(owner, other, title="다른 얼라이언스 수요")
    offer = capability(seller, title="비전 검사")
    db.session.commit()
    sign_in(client, coordinator)
    page = client.get(f"/market/groups/{group.id}/tasks/new").get_data(as_text=True)
    assert "우리 수요" in page and "공개 수요" in page and "다른 얼라이언스 수요" not in page
    resp = client.post(f"/market/groups/{group.id}/tasks/new", data={
        "title": "사출 불량 과제", "summary": "", "need_ids": [str(mine.id), str(foreign.id)]})
    assert resp.status_code == 422 and db.session.scalar(select(func.count(TaskCandidate.id))) == 0
    resp = client.post(f"/market/groups/{group.id}/tasks/new", data={
        "title": "사출 불량 과제", "summary": "요약", "need_ids": [str(mine.id), str(public.id)],
        "capability_ids": [str(offer.id)]})
    assert resp.status_code == 303
    task = db.session.scalar(select(TaskCandidate))
    assert sorted(tn.need_id for tn in task.needs) == sorted([mine.id, public.id])
    assert [ts.capability_id for ts in task.suppliers] == [offer.id]
    assert client.post(f"/market/tasks/{task.id}/state", data={"state": "closed"}).status_code == 303
    db.session.expire_all()
    assert task.state == "closed"
    # A member sees the task but does not curate it.
    sign_in(client, owner)
    assert client.get(f"/market/tasks/{task.id}").status_code == 200
    assert client.get(f"/market/tasks/{task.id}/edit").status_code == 403
    sign_in(client, firm())
    assert client.get(f"/market/tasks/{task.id}").status_code == 404


def test_the_task_list_exports_with_needs_and_suppliers(app, client):
    alliance, group, coordinator = alliance_with_group()
    owner, seller = firm(name="(주)사출"), supplier(name="(주)비전")
    from app.market import groups as service

    made = service.save_task(coordinator, group, None, title="=과제", summary="요약",
                             need_ids=[need(owner).id], capability_ids=[capability(seller).id])
    db.session.commit()
    sign_in(client, coordinator)
    for path in (f"/market/groups/{group.id}/tasks.xlsx", f"/market/alliances/{alliance.id}/tasks.xlsx"):
        resp = client.get(path)
        assert resp.status_code == 200
        wb = load_workbook(io.BytesIO(resp.data))
        rows = list(wb["과제 후보"].iter_rows(values_only=True))
        assert rows[1][:3] == (made.id, "스마트기계 연구회", "=과제")  # text, never a formula
        links = list(wb["수요·공급"].iter_rows(values_only=True))[1:]
        assert [(r[2], r[3]) for r in links] == [("수요", "(주)사출"), ("공급", "(주)비전")]


def test_cli_creates_an_alliance_and_a_group(app):
    coordinator = UserFactory(email="kan@example.kr", roles=())
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["market", "create-alliance", "부산 얼라이언스", "--region", "부산"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["market", "create-alliance", "부산 얼라이언스"]).exit_code != 0
    result = runner.invoke(args=["market", "create-group", "부산 얼라이언스", "조선 연구회", "--coordinator", "kan@example.kr"])
    assert result.exit_code == 0, result.output
    group = db.session.scalar(select(ResearchGroup))
    assert group.coordinator_id == coordinator.id and group.alliance.name == "부산 얼라이언스"


def test_the_demo_loads_the_alliance_once(app, client):
    demo.load()
    db.session.commit()
    counts = [db.session.scalar(select(func.count(m.id))) for m in (Alliance, ResearchGroup, Need, Capability, TaskCandidate)]
    assert counts == [1, 6, 12, 8, 2]
    demo.load()
    db.session.commit()
    assert [db.session.scalar(select(func.count(m.id))) for m in (Alliance, ResearchGroup, Need, Capability, TaskCandidate)] == counts
    alliance = db.session.scalar(select(Alliance))
    assert alliance.name == demo_market.ALLIANCE
    assert all(g.coordinator.email == demo_market.COORDINATOR for g in alliance.groups)
    # The README's walk: a firm of the alliance sees all twelve needs, an outsider the six public ones.
    sign_in(client, db.session.scalar(select(User).where(User.email == "firm2@demo.gongmo.kr")))
    assert "12건" in client.get("/market/needs").get_data(as_text=True)
    sign_in(client, db.session.scalar(select(User).where(User.email == "applicant2@demo.gongmo.kr")))
    page = client.get("/market/needs").get_data(as_text=True)
    assert "6건" in page and "용접 품질 자동 판정" not in page
