"""The home page's personal task list, per role: each item a link, due dates in KST, few queries."""
from __future__ import annotations

import re
from datetime import timedelta

from app.core import clock
from app.extensions import db
from app.models import Challenge, HonorariumRate, Objection
from app.review import assignment, conflicts, stage_scope
from app.selection import screening
from app.worklist import tasks as worklist
from tests.app.builders import applicant_of, complete_proposal, pool_of, submitted_proposal
from tests.factories import CallFactory, UserFactory, applicant_with_consortium, closed_call, officer_for
from tests.support import sign_in


def _items(html: str) -> list[tuple[str, str]]:
    """(href, text) of the task list's links."""
    section = html.split('class="home-tasks"', 1)[1].split("</section>", 1)[0]
    return [(href, re.sub(r"\s+", " ", text).strip())
            for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', section)]


def test_an_officer_sees_proposals_to_screen_objections_and_challenges(client, app):
    call = closed_call(title="AX 실증산단 공모")
    officer = officer_for(call)
    a = submitted_proposal(call, "창원")
    b = submitted_proposal(call, "구미")
    submitted_proposal(call, "반월")
    screening.decide(a, officer, "confirmed", "")
    filed = clock.now() - timedelta(days=3)
    db.session.add(Objection(proposal_id=b.id, filed_by_id=applicant_of(b).id, grounds="점수 산정 오류", filed_at=filed))
    db.session.add(Challenge(proposal_id=b.id, filed_by_id=applicant_of(b).id, target_person="홍길동", reason="공동연구"))
    db.session.commit()

    sign_in(client, officer)
    html = client.get("/").get_data(as_text=True)
    items = dict((text, href) for href, text in _items(html))
    assert items["적격성 검토할 신청서 2건 · AX 실증산단 공모"] == f"/officer/calls/{call.id}/screening"
    assert items["답변할 이의신청 1건 · AX 실증산단 공모"] == f"/officer/calls/{call.id}/objections"
    assert items["처리할 기피 신청 1건 · AX 실증산단 공모"] == f"/officer/calls/{call.id}/challenges"
    # The answer is due 30 days after filing, shown in Seoul time.
    due = clock.to_kst(filed + timedelta(days=30)).strftime("%Y-%m-%d %H:%M")
    assert f"{due} KST" in html and "(27일 남음)" in html

    # Another agency's officer has none of this call's tasks.
    stranger = officer_for(closed_call())
    db.session.commit()
    sign_in(client, stranger)
    assert "AX 실증산단 공모" not in client.get("/").get_data(as_text=True).split('class="home-tasks"', 1)[1].split("</section>")[0]


def test_a_reviewer_sees_pledges_and_sheets_with_their_due_dates(client, app):
    call = closed_call(title="AX 실증산단 공모")
    officer = officer_for(call)
    p = submitted_proposal(call, "창원")
    q = submitted_proposal(call, "구미")
    (r,) = pool_of(call, officer, 1)
    due = clock.now() + timedelta(days=2, hours=1)
    a1 = assignment.assign(call, p, r.id, officer)
    a1.due_at = due
    assignment.assign(call, q, r.id, officer)
    conflicts.declare_no_conflict(a1, r)
    db.session.commit()

    sign_in(client, r)
    html = client.get("/").get_data(as_text=True)
    items = dict((text, href) for href, text in _items(html))
    # One seat each: the link goes straight to it.
    assert items["제출할 평가표 1건 · AX 실증산단 공모"] == f"/review/a/{a1.id}/sheet"
    assert "이해충돌 서약 대기 1건 · AX 실증산단 공모" in items
    assert f"{clock.to_kst(due).strftime('%Y-%m-%d %H:%M')} KST" in html and "(2일 남음)" in html
    assert 'class="urgent"' not in html  # more than two days left


def test_an_applicant_sees_an_unsubmitted_draft_and_its_deadline(client, app):
    call = CallFactory(title="AX 실증산단 공모")
    user, consortium = applicant_with_consortium()
    complete_proposal(call, user, consortium)
    db.session.commit()
    sign_in(client, user)
    html = client.get("/").get_data(as_text=True)
    items = dict((text, href) for href, text in _items(html))
    assert items["제출하지 않은 신청서 1건 · AX 실증산단 공모"] == "/my/proposals"
    assert f"{clock.to_kst(call.closes_at).strftime('%Y-%m-%d %H:%M')} KST" in html


def test_nothing_to_do_is_said_and_anonymous_visitors_get_no_list(client, app):
    user, _c = applicant_with_consortium()
    db.session.commit()
    assert 'class="home-tasks"' not in client.get("/").get_data(as_text=True)
    sign_in(client, user)
    html = client.get("/").get_data(as_text=True)
    assert 'class="home-tasks"' in html and "지금 할 일이 없습니다." in html


def test_finance_sees_the_batches_to_close(client, app):
    call = closed_call(title="AX 실증산단 공모")
    officer = officer_for(call)
    stage = stage_scope.evaluation_stages(call)[0]
    db.session.add(HonorariumRate(call_id=call.id, stage_id=stage.id, basis="proposal", amount_won=200_000,
                                  updated_by_id=officer.id))
    finance = UserFactory(roles=["finance"], organisation=call.programme.agency)
    db.session.commit()
    sign_in(client, finance)
    items = dict((text, href) for href, text in _items(client.get("/").get_data(as_text=True)))
    assert items["지급을 마감할 평가수당 1개 단계 · AX 실증산단 공모"] == f"/finance/calls/{call.id}"


def test_the_task_list_takes_a_fixed_number_of_queries(app, count_queries):
    """However many calls, proposals and seats: one query per kind of task, never one per row."""
    def officer_with(n_calls: int):
        calls = [closed_call() for _ in range(n_calls)]
        for i in range(1, n_calls):
            calls[i].programme = calls[0].programme
        officer = officer_for(calls[0])
        for c in calls:
            for name in ("창원", "구미"):
                p = submitted_proposal(c, name)
                db.session.add(Objection(proposal_id=p.id, filed_by_id=applicant_of(p).id, grounds="오류"))
                db.session.flush()
        db.session.commit()
        return officer

    def counted(user) -> int:
        db.session.expire_all()
        with app.test_request_context(), count_queries() as q:
            found = worklist.for_user(user)
        assert found["officer"]
        return q.count

    few = counted(officer_with(1))
    many = counted(officer_with(4))
    assert many == few and many <= 12


def test_a_reviewers_list_takes_the_same_queries_for_one_seat_or_many(app, count_queries):
    def reviewer_with(n_seats: int):
        call = closed_call()
        officer = officer_for(call)
        (r,) = pool_of(call, officer, 1)
        for i in range(n_seats):
            a = assignment.assign(call, submitted_proposal(call, "창원"), r.id, officer)
            if i % 2:
                conflicts.declare_no_conflict(a, r)
        db.session.commit()
        return r

    def counted(user) -> int:
        db.session.expire_all()
        with app.test_request_context(), count_queries() as q:
            assert worklist.for_user(user)["reviewer"]
        return q.count

    assert counted(reviewer_with(1)) == counted(reviewer_with(4)) <= 4
