"""Recommending reviewers: expertise first and explained, conflicts and absences never, load spread,
the industry share kept, past declines remembered; computed on request and shown with its time."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.models.panels import InvitationStatus, PanelInvitation, Recommendation, Recruitment
from app.models.pool import ReviewerProfile
from app.review import recommend, stage_scope
from tests.app.builders import submitted_proposal
from tests.factories import CallFactory, OrganisationFactory, UserFactory, closed_call, officer_for
from tests.support import sign_in, visible_text

TWIN = dict(title="디지털트윈 기반 스마트팩토리 실증산단", summary="디지털트윈 가상공장으로 스마트팩토리 공정최적화를 실증합니다.",
            strategic_industries="자동차 부품")
VISION = dict(title="머신비전 품질검사 실증", summary="머신비전으로 품질검사와 예지보전을 실증합니다.", strategic_industries="조선")


def proposal(call, texts, **kw):
    p = submitted_proposal(call, **kw)
    for name, value in texts.items():
        setattr(p, name, value)
    for poc in p.poc_plans:
        poc.problem, poc.ai_solution = texts["summary"], ""
    db.session.flush()
    return p


def candidate(keywords: str, *, org_type="university", org=None, **kw) -> ReviewerProfile:
    org = org or OrganisationFactory(type=org_type)
    user = UserFactory(roles=["reviewer"], organisation=org)
    p = ReviewerProfile(user_id=user.id, organisation_id=org.id, keywords=keywords, org_type=org_type,
                        department="산업공학과", **kw)
    db.session.add(p)
    db.session.flush()
    return p


def lists(stage) -> dict:
    return {pid: [r.user_id for r in rows] for pid, rows in recommend.stored(stage).items()}


def test_the_matching_profile_ranks_first_explained_and_its_terms_are_kept(app):
    call = closed_call()
    twin, vision = proposal(call, TWIN), proposal(call, VISION)
    matching = candidate("디지털트윈, 스마트팩토리")
    other = candidate("머신비전, 품질검사")
    unrelated = candidate("회계감사")
    stage = stage_scope.current_stage(call)

    run = recommend.compute(stage)

    got = recommend.stored(stage)
    assert got[twin.id][0].user_id == matching.user_id and got[vision.id][0].user_id == other.user_id
    assert {"디지털트윈", "스마트팩토리"} <= set(got[twin.id][0].terms)
    assert unrelated.user_id not in lists(stage)[twin.id]  # no shared term, no recommendation
    assert run.computed_at == clock.now() or run.computed_at is not None
    db.session.refresh(matching)
    assert matching.terms is not None and "디지털트윈" in matching.terms["keywords"]


def test_a_conflicted_or_unavailable_candidate_is_never_recommended_and_the_officer_sees_why(app, client):
    call = closed_call()
    member = OrganisationFactory(type="university")
    twin = proposal(call, TWIN, members=(member,))
    inside = candidate("디지털트윈, 스마트팩토리", org=member)  # works for a member organisation: 제척
    away = candidate("디지털트윈, 스마트팩토리", available=False)
    later = candidate("디지털트윈, 스마트팩토리", unavailable_until=clock.to_kst(clock.now()).date() + timedelta(days=3))
    fine = candidate("디지털트윈")
    stage = stage_scope.current_stage(call)

    run = recommend.compute(stage)

    recommended = lists(stage)
    assert recommended[twin.id] == [fine.user_id]
    assert inside.user_id not in recommended[None] and away.user_id not in recommended[None]
    assert later.user_id not in recommended[None]
    assert run.conflicts == {str(twin.id): [inside.user_id]} and run.unavailable == 2
    db.session.commit()
    sign_in(client, officer_for(call))
    html = visible_text(client.get(f"/officer/calls/{call.id}/panel").get_data(as_text=True))
    assert f"{inside.user.name} ({member.name}): 제척: 참여기관 {member.name} 소속" in html


def test_load_is_spread_over_proposals(app):
    call = closed_call()  # panels of 5
    first, second = proposal(call, TWIN), proposal(call, TWIN)
    people = [candidate("디지털트윈, 스마트팩토리") for _ in range(6)]
    stage = stage_scope.current_stage(call)

    recommend.compute(stage)

    recommended = lists(stage)
    # Equal matches: the first proposal takes the first five; the sixth leads for the next one.
    assert recommended[first.id][:5] == [p.user_id for p in people[:5]]
    assert recommended[second.id][0] == people[5].user_id


def test_the_industry_share_is_met_in_each_panel(app):
    call = closed_call()
    twin = proposal(call, TWIN)
    academics = [candidate("디지털트윈, 스마트팩토리, 공정최적화") for _ in range(6)]
    firms = [candidate("스마트팩토리", org_type=t) for t in ("tenant_company", "ai_supplier")]
    stage = stage_scope.current_stage(call)

    recommend.compute(stage)

    top = recommend.stored(stage)[twin.id][:5]
    assert sum(r.industry for r in top) == 2  # 30 % of five, rounded up
    assert {r.user_id for r in top if r.industry} == {f.user_id for f in firms}
    assert [r.user_id for r in top if not r.industry] == [a.user_id for a in academics[:3]]


def test_past_declines_and_silence_push_a_candidate_down_and_are_shown(app, client):
    earlier = CallFactory(code="AX-2024")
    officer = officer_for(earlier)
    call = closed_call()
    twin = proposal(call, TWIN)
    twice_declined = candidate("디지털트윈, 스마트팩토리")  # the lower id: first without the penalty
    never = candidate("디지털트윈, 스마트팩토리")
    old_stage = stage_scope.current_stage(earlier)
    r = Recruitment(call_id=earlier.id, stage_id=old_stage.id, seats=5, started_by_id=officer.id)
    db.session.add(r)
    db.session.flush()
    db.session.add(PanelInvitation(recruitment_id=r.id, call_id=earlier.id, stage_id=old_stage.id,
                                   user_id=twice_declined.user_id, round=1, rank=1, score="1", token_hash="a" * 64,
                                   status=InvitationStatus.DECLINED, respond_by=clock.now()))
    db.session.flush()
    second = CallFactory(code="AX-2024-B", programme=earlier.programme)
    s2 = stage_scope.current_stage(second)
    r2 = Recruitment(call_id=second.id, stage_id=s2.id, seats=5, started_by_id=officer.id)
    db.session.add(r2)
    db.session.flush()
    db.session.add(PanelInvitation(recruitment_id=r2.id, call_id=second.id, stage_id=s2.id,
                                   user_id=twice_declined.user_id, round=1, rank=1, score="1", token_hash="b" * 64,
                                   status=InvitationStatus.DECLINED, respond_by=clock.now()))
    db.session.flush()
    stage = stage_scope.current_stage(call)

    recommend.compute(stage)

    assert lists(stage)[twin.id][:2] == [never.user_id, twice_declined.user_id]
    assert lists(stage)[None][:2] == [never.user_id, twice_declined.user_id]
    sign_in(client, officer_for(call))
    html = visible_text(client.get(f"/officer/calls/{call.id}/panel").get_data(as_text=True))
    assert "지난 공모 거절 2회" in html and "일치: 디지털트윈" in html


def test_the_officer_asks_for_recommendations_and_sees_when_they_were_computed(app, client):
    call = closed_call()
    twin = proposal(call, TWIN)
    matching = candidate("디지털트윈, 스마트팩토리")
    sign_in(client, officer_for(call))

    page = client.get(f"/officer/calls/{call.id}/panel")
    assert page.status_code == 200 and "아직 계산하지 않았습니다" in page.get_data(as_text=True)
    resp = client.post(f"/officer/calls/{call.id}/panel/recommend")  # eager in tests: computed at once
    assert resp.status_code == 303

    html = client.get(f"/officer/calls/{call.id}/panel").get_data(as_text=True)
    assert "계산 시각" in visible_text(html) and matching.user.name in visible_text(html)
    assert 'value="다시 계산"' in html and f'id="conflicts-{twin.id}">0<' in html
    assert db.session.scalar(select(Recommendation.user_id).where(Recommendation.proposal_id == twin.id)) == matching.user_id


def test_without_a_worker_the_request_waits_for_the_clock(app, monkeypatch):
    call = closed_call()
    proposal(call, TWIN)
    candidate("디지털트윈")
    officer = officer_for(call)
    stage = stage_scope.current_stage(call)
    monkeypatch.setitem(app.config, "TASKS_EAGER", False)
    queue = app.extensions["tasks"]
    monkeypatch.setattr(queue, "redis_url", "redis://127.0.0.1:1/0")  # nobody listens there
    monkeypatch.setattr(queue, "_client", None)

    run = recommend.request(stage, officer)
    db.session.commit()  # the hand-over fails: the request stays pending
    assert recommend.pending(run)
    from app.notifications import reminders

    assert reminders.run(at=clock.now() + timedelta(minutes=1))["panel_recommendations"] == 0
    assert reminders.run(at=clock.now() + recommend.SWEEP_AFTER)["panel_recommendations"] == 1
    db.session.refresh(run)
    assert not recommend.pending(run)
