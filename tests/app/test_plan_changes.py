"""사업계획 변경: the lead's requests, every refusal saving nothing, and the officers' decisions applied."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, OutboxMessage
from app.models.projects import PlanChange, PlanChangeStatus, ProjectBudgetLine
from app.notifications import mailer
from app.projects import plan_changes
from app.projects.plan_changes import PlanChangeError
from app.worklist import tasks as worklist
from tests.app.award_builders import signed_project
from tests.support import sign_in

REASON = "수요기업의 일정 변경으로 사업비를 조정합니다."


def _move(fy, fs, ty, ts, amount) -> dict:
    return {"from_year": str(fy), "from_source": fs, "to_year": str(ty), "to_source": ts, "amount": str(amount)}


def _plan(project) -> dict:
    db.session.expire_all()
    return {(l.year, l.source): l.amount for l in db.session.scalars(
        select(ProjectBudgetLine).where(ProjectBudgetLine.project_id == project.id))}


def _counts() -> tuple[int, int, int]:
    return (db.session.scalar(select(func.count(PlanChange.id))), db.session.scalar(select(func.count(AuditEntry.id))),
            db.session.scalar(select(func.count(OutboxMessage.id))))


@pytest.fixture
def world(app, clock, db_session, isolated_dirs):
    return signed_project()


def _refused(call, *fields):
    before = _counts()
    with pytest.raises(PlanChangeError) as refused:
        call()
    db.session.rollback()
    assert [f for f, _ in refused.value.problems] == list(fields)
    assert _counts() == before
    return refused.value


def test_every_budget_rule_is_refused_beside_its_field_and_saves_nothing(world):
    project, officer, applicant = world
    first, last = project.years[0], project.years[-1]
    have = project.planned(first, "national")
    assert have > 0
    ask = lambda *rows, reason=REASON: plan_changes.request_budget(project, applicant, reason, list(rows))  # noqa: E731
    _refused(lambda: ask(_move(first, "national", last, "national", 1), reason="짧음"), "reason")
    _refused(lambda: ask(), "moves-0-amount")
    _refused(lambda: ask({"from_year": "", "to_year": "", "amount": ""}, _move(first, "national", last, "national", "x")),
             "moves-1-amount")
    _refused(lambda: ask(_move(first - 1, "national", last + 1, "national", 1)), "moves-0-from_year", "moves-0-to_year")
    _refused(lambda: ask(_move(first, "national", first, "national", 1)), "moves-0-to_source")
    _refused(lambda: ask(_move(first, "gift", last, "local", 1)), "moves-0-from_source")
    _refused(lambda: ask(_move(first, "national", last, "national", 0)), "moves-0-amount")
    # 국비 never grows: nothing comes into it from another source.
    _refused(lambda: ask(_move(first, "local", last, "national", 1)), "moves-0-to_source")
    # No line goes negative, counting the earlier moves of the same request.
    _refused(lambda: ask(_move(first, "national", last, "national", have + 1)), "moves-0-amount")
    _refused(lambda: ask(_move(first, "national", last, "national", have),
                         _move(first, "national", last, "local", 1)), "moves-1-amount")
    assert _plan(project)[(first, "national")] == have


def test_an_approved_budget_change_moves_the_money_audited_with_old_and_new_values(world):
    project, officer, applicant = world
    first, last = project.years[0], project.years[-1]
    plan = _plan(project)
    total = sum(plan.values())
    change = plan_changes.request_budget(project, applicant, REASON, [
        _move(first, "national", last, "national", 1_000_000), _move(last, "national", first, "local", 500_000)])
    db.session.commit()
    assert change.status == PlanChangeStatus.REQUESTED
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.template == "plan_change_requested")) >= 1
    plan_changes.approve(change, officer, "타당합니다.")
    db.session.commit()
    after = _plan(project)
    assert after[(first, "national")] == plan[(first, "national")] - 1_000_000
    assert after[(last, "national")] == plan[(last, "national")] + 1_000_000 - 500_000
    assert after[(first, "local")] == plan[(first, "local")] + 500_000
    assert sum(after.values()) == total
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "plan_change.approved")).one()
    assert entry.data["changes"][f"{first}/national"] == [plan[(first, "national")], after[(first, "national")]]
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.template == "plan_change_decided")) >= 1
    # Decided once.
    _refused(lambda: plan_changes.reject(change, officer, "다시 반려하려는 사유입니다."), "reason")


def test_approval_checks_the_plan_as_it_is_then_and_refuses_changing_nothing(world):
    project, officer, applicant = world
    first, last = project.years[0], project.years[-1]
    have = project.planned(first, "local")
    one = plan_changes.request_budget(project, applicant, REASON, [_move(first, "local", last, "local", have)])
    two = plan_changes.request_budget(project, applicant, REASON, [_move(first, "local", last, "private_cash", have)])
    db.session.commit()
    plan_changes.approve(one, officer)
    db.session.commit()
    assert (first, "local") not in _plan(project)  # a line that reaches zero goes
    before = (_plan(project), _counts())
    with pytest.raises(PlanChangeError):
        plan_changes.approve(two, officer)
    db.session.rollback()
    assert (_plan(project), _counts()) == before
    assert db.session.get(PlanChange, two.id).status == PlanChangeStatus.REQUESTED


def test_a_kpi_target_and_a_poc_text_change(world):
    project, officer, applicant = world
    kpi = project.pocs[0].kpis[0]
    poc = project.pocs[0]
    _refused(lambda: plan_changes.request_poc(project, applicant, REASON), "kpi_id")
    _refused(lambda: plan_changes.request_poc(project, applicant, REASON, kpi_id=kpi.id, target="많이"), "target")
    _refused(lambda: plan_changes.request_poc(project, applicant, REASON, kpi_id=kpi.id, target=str(kpi.baseline)),
             "target")
    _refused(lambda: plan_changes.request_poc(project, applicant, REASON, kpi_id=-1, target="1"), "kpi_id")
    _refused(lambda: plan_changes.request_poc(project, applicant, REASON, poc_id=poc.id, texts={"problem": ""}), "problem")
    old_target = kpi.target
    change = plan_changes.request_poc(project, applicant, REASON, kpi_id=kpi.id, target="0.8", poc_id=poc.id,
                                      texts={"problem": "새 해결 과제", "ai_solution": ""})
    db.session.commit()
    plan_changes.approve(change, officer)
    db.session.commit()
    db.session.expire_all()
    assert kpi.target == Decimal("0.8") and poc.problem == "새 해결 과제"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "plan_change.approved")).one()
    assert entry.data["changes"][f"kpi:{kpi.id}:target"] == [str(old_target.normalize()), "0.8"]
    assert f"poc:{poc.id}:ai_solution" not in entry.data["changes"]


def test_a_member_change_is_recorded_and_a_rejection_needs_a_reason(world):
    project, officer, applicant = world
    _refused(lambda: plan_changes.request_member(project, applicant, REASON, "", "stay"), "organisation", "direction")
    change = plan_changes.request_member(project, applicant, REASON, "㈜새참여", "join")
    db.session.commit()
    plan = _plan(project)
    _refused(lambda: plan_changes.reject(change, officer, ""), "reason")
    plan_changes.reject(change, officer, "참여 요건을 충족하지 못합니다.")
    db.session.commit()
    assert change.status == PlanChangeStatus.REJECTED and _plan(project) == plan
    assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.action == "plan_change.rejected")).one()


def test_the_pages_request_decide_and_show_the_history(world, client):
    project, officer, applicant = world
    first, last = project.years[0], project.years[-1]
    have = project.planned(first, "national")
    sign_in(client, applicant)
    assert client.get(f"/projects/{project.id}/changes/new?kind=poc").status_code == 200
    form = {"reason": REASON, **{f"moves-0-{k}": v for k, v in _move(first, "national", last, "national", have + 1).items()}}
    resp = client.post(f"/projects/{project.id}/changes/new?kind=budget", data=form)
    assert resp.status_code == 422 and "계획액" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PlanChange.id))) == 0
    form["moves-0-amount"] = "1,000"
    resp = client.post(f"/projects/{project.id}/changes/new?kind=budget", data=form)
    assert resp.status_code == 303
    change = db.session.scalars(select(PlanChange)).one()
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "사업계획 변경" in page and f"/changes/{change.id}" in page
    assert client.post(f"/projects/{project.id}/changes/{change.id}/decision", data={"decision": "approve"}).status_code == 403
    client.post("/logout")
    sign_in(client, officer)
    assert client.get(f"/projects/{project.id}/changes/new").status_code == 403
    resp = client.post(f"/projects/{project.id}/changes/{change.id}/decision", data={"decision": "reject"})
    assert resp.status_code == 422 and db.session.get(PlanChange, change.id).status == PlanChangeStatus.REQUESTED
    resp = client.post(f"/projects/{project.id}/changes/{change.id}/decision", data={"decision": "approve"})
    assert resp.status_code == 303
    assert _plan(project)[(last, "national")] == project.planned(last, "national")
    db.session.expire_all()
    assert db.session.get(PlanChange, change.id).status == PlanChangeStatus.APPROVED
    assert _plan(project)[(first, "national")] == have - 1000


def test_home_lists_the_changes_to_decide_for_the_officers(world, app):
    project, officer, applicant = world
    change = plan_changes.request_member(project, applicant, REASON, "㈜새참여", "leave")
    db.session.commit()

    def texts():
        with app.test_request_context():
            return [t.text for t in worklist.for_user(officer)["officer"]]

    assert f"결정할 사업계획 변경 1건 · {project.title}" in texts()
    plan_changes.approve(change, officer)
    db.session.commit()
    assert not any("사업계획 변경" in t for t in texts())


def test_the_mails_of_a_request_and_its_decision_render(world):
    project, officer, applicant = world
    change = plan_changes.request_member(project, applicant, REASON, "㈜새참여", "join")
    plan_changes.reject(change, officer, "참여 요건을 충족하지 못합니다.")
    db.session.commit()
    asked = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "plan_change_requested")).first()
    told = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "plan_change_decided")).first()
    assert REASON in mailer.build(asked).get_body(("plain",)).get_content()
    body = mailer.build(told).get_body(("html",)).get_content()
    assert "반려되었습니다" in body and "참여 요건을 충족하지 못합니다." in body
