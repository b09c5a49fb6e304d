"""Results are computed only from a complete panel, and every page reads the same outcome.

One call in review with two eligible proposals and seven pooled reviewers:
  A: all seven assigned; R0–R3 submit, R4 keeps a draft, R5 recuses, R6 is removed.
  B: R0–R2 assigned and submitted (three of a panel of five).
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.calls.lifecycle import LifecycleError
from app.extensions import db
from app.models import AuditEntry, LeftOutSheet, Result
from app.calls import lifecycle
from app.review import assignment, conflicts, review_sheets
from app.selection import decisions, exports, outcomes, readiness, results, screening
from app.selection.results import ResultsError
from tests.app.builders import applicant_of, pool_of, submitted_proposal
from tests.factories import closed_call, officer_for
from tests.support import sign_in


def visible_text(html: str) -> str:
    """The page's text as read: tags dropped, whitespace runs made one space."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))

FULL = {"infra": "27", "poc": "A", "plan": "8.5", "alliance": "10"}
LOW = {"infra": "24", "poc": "B", "plan": "8", "alliance": "8"}


@pytest.fixture
def round_(app):
    call = closed_call()
    officer = officer_for(call)
    a = submitted_proposal(call, "창원", minutes_before_close=61)
    b = submitted_proposal(call, "구미", minutes_before_close=62)
    for p in (a, b):
        screening.decide(p, officer, "confirmed", "")
    lifecycle.start_review(call, officer)
    users = pool_of(call, officer, 7)
    on_a = {i: assignment.assign(call, a, u.id, officer) for i, u in enumerate(users)}
    on_b = {i: assignment.assign(call, b, users[i].id, officer) for i in range(3)}
    for i in range(5):
        conflicts.declare_no_conflict(on_a[i], users[i])
    for i in range(4):
        review_sheets.submit(on_a[i], users[i], points=FULL, comments={"infra": f"A 의견 {i}"},
                             overall_opinion=f"A 종합 {i}")
    review_sheets.save_draft(on_a[4], users[4], points={"infra": "3"}, comments={"infra": "미제출 초안 의견"},
                             overall_opinion="")
    conflicts.recuse(on_a[5], users[5], "공동연구 관계")
    assignment.remove(on_a[6], officer, "소속 기관 중복", replace=False)
    for i in range(3):
        conflicts.declare_no_conflict(on_b[i], users[i])
        review_sheets.submit(on_b[i], users[i], points=LOW, comments={}, overall_opinion=f"B 종합 {i}")
    db.session.commit()
    return call, officer, a, b, users, on_a


def _leave_out_draft(client, on_a, reason="평가위원 연락 두절로 기한 내 제출 불가"):
    return client.post(f"/officer/results/sheets/{on_a[4].id}/leave-out", data={f"a{on_a[4].id}-reason": reason})


def test_compute_is_refused_while_a_sheet_is_a_draft(round_, client):
    call, officer, a, b, users, on_a = round_
    with pytest.raises(ResultsError) as info:
        results.compute(call, officer, acknowledge_short=True)
    assert a.receipt_no in info.value.message and users[4].name in info.value.message
    # Recused and removed reviewers are not missing: their sheets were never due.
    assert [m.assignment_id for m in readiness.missing_sheets(call)] == [on_a[4].id]
    sign_in(client, officer)
    html = visible_text(client.get(f"/officer/calls/{call.id}/results").get_data(as_text=True))
    assert "제출되지 않은 평가표" in html and users[4].name in html and "작성 중 (미제출)" in html
    assert users[5].name not in html and users[6].name not in html
    resp = client.post(f"/officer/calls/{call.id}/results/compute", data={"acknowledge_short": "y"},
                       follow_redirects=True)
    assert "제출되지 않은 평가표가 있어 결과를 산출할 수 없습니다" in resp.get_data(as_text=True)
    assert db.session.scalar(select(Result).where(Result.call_id == call.id)) is None


def test_leaving_a_sheet_out_needs_a_reason_and_is_shown_and_audited(round_, client):
    call, officer, a, b, users, on_a = round_
    sign_in(client, officer)
    resp = _leave_out_draft(client, on_a, reason="")
    assert resp.status_code == 422 and "제외 사유를 입력하십시오." in resp.get_data(as_text=True)
    assert db.session.scalar(select(LeftOutSheet)) is None
    assert _leave_out_draft(client, on_a).status_code == 302
    row = db.session.scalar(select(LeftOutSheet))
    assert row.assignment_id == on_a[4].id and row.officer_id == officer.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "results.sheet_left_out"))
    assert entry.data["reason"] == "평가위원 연락 두절로 기한 내 제출 불가" and entry.data["sheet_status"] == "draft"
    assert readiness.missing_sheets(call) == []
    # The panels now count 4 and 3 sheets of 5: computing needs the officer's acknowledgement.
    html = visible_text(client.get(f"/officer/calls/{call.id}/results").get_data(as_text=True))
    assert "평가위원 수가 공모의 평가위원 수(5명)보다 적은 신청서가 있습니다." in html
    assert f"{a.receipt_no} {a.title}: 반영 평가표 4건 / 5명" in html and "반영 평가표 3건 / 5명" in html
    assert "평가위원 연락 두절로 기한 내 제출 불가" in html
    client.post(f"/officer/calls/{call.id}/results/compute", data={})
    assert db.session.scalar(select(Result).where(Result.call_id == call.id)) is None
    assert client.post(f"/officer/calls/{call.id}/results/compute",
                       data={"acknowledge_short": "y"}).status_code == 302
    result_a = results.result_of(a)
    assert result_a is not None and result_a.breakdown["dropped_reviewers"] == []  # 4 sheets: no trimming
    acknowledged = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "results.short_panels_acknowledged"))
    assert {p["proposal_id"]: p["counted"] for p in acknowledged.data["panels"]} == {a.id: 4, b.id: 3}
    detail = visible_text(client.get(f"/officer/results/{result_a.id}").get_data(as_text=True))
    assert "평가위원 연락 두절로 기한 내 제출 불가" in detail


def test_a_left_out_sheet_never_counts_and_a_change_makes_the_results_stale(round_, client):
    call, officer, a, b, users, on_a = round_
    readiness.leave_out(call, on_a[4], officer, "기한 내 제출 불가")
    results.compute(call, officer, acknowledge_short=True)
    assert decisions.decide_blocker(call) is None
    # Submitted after all: it stays left out, so the results still match what they read.
    review_sheets.submit(on_a[4], users[4], points=FULL, comments={}, overall_opinion="늦은 제출")
    assert {s.reviewer for s in results.submitted_sheets(call) if s.proposal_id == a.id} == {
        f"R{u.id}" for u in users[:4]}
    assert not readiness.is_stale(call)
    # A counted sheet reopened: the results are stale and the selection is not decided.
    review_sheets.reopen(on_a[0].sheet, officer, "점수 오기 확인")
    assert readiness.is_stale(call)
    with pytest.raises(LifecycleError):
        decisions.decide(call, officer)
    db.session.commit()
    sign_in(client, officer)
    ranking = visible_text(client.get(f"/officer/calls/{call.id}/results").get_data(as_text=True))
    assert "결과를 다시 산출해야 선정을 확정할 수 있습니다." in ranking
    dashboard = client.get(f"/officer/calls/{call.id}").get_data(as_text=True)
    assert f"/officer/calls/{call.id}/step/decide" not in dashboard
    assert "결과 산출 뒤에 평가표나 적격 여부가 바뀌었습니다. 결과를 다시 산출하십시오." in dashboard
    review_sheets.submit(on_a[0], users[0], points=FULL, comments={}, overall_opinion="수정 제출")
    results.compute(call, officer, acknowledge_short=True)
    db.session.commit()
    assert f"/officer/calls/{call.id}/step/decide" in client.get(f"/officer/calls/{call.id}").get_data(as_text=True)
    decisions.decide(call, officer)
    assert call.phase == "decided"


def _announced_with_override(round_):
    call, officer, a, b, users, on_a = round_
    readiness.leave_out(call, on_a[4], officer, "기한 내 제출 불가")
    results.compute(call, officer, acknowledge_short=True)
    result_b = results.result_of(b)
    assert result_b.engine_selected and result_b.rank == 2
    results.override(result_b, officer, False, "지방비 확약서 위조 확인")
    decisions.decide(call, officer)
    decisions.announce(call, officer)
    db.session.commit()
    return result_b


def test_an_overridden_result_reads_the_same_everywhere(round_, client):
    call, officer, a, b, users, on_a = round_
    result_b = _announced_with_override(round_)

    sign_in(client, applicant_of(b))
    page = visible_text(client.get(f"/my/proposals/{b.id}/result").get_data(as_text=True))
    assert "선정되지 않았습니다." in page and "선정되었습니다." not in page.replace("순위 2위: 선정되었습니다.", "")
    # The engine's verdict is there, labelled as the scores' result; the reason has its own label.
    assert "평가 점수에 따른 결과 순위 2위: 선정되었습니다." in page
    assert "최종 결과 선정되지 않았습니다." in page
    assert "선정 여부 변경 사유 지방비 확약서 위조 확인" in page
    assert "선정 사유 검토 결과" not in page

    sign_in(client, officer)
    detail = visible_text(client.get(f"/officer/results/{result_b.id}").get_data(as_text=True))
    assert "최종 선정 미선정" in detail and "평가 점수에 따른 결과 선정" in detail
    assert "선정 여부 변경 사유 지방비 확약서 위조 확인" in detail

    headers, rows = exports.ranking_table(call)
    row = dict(zip(headers, next(r for r in rows if r[1] == b.receipt_no)))
    assert row["최종 선정"] == "미선정" and row["평가 점수에 따른 결과"] == "선정"
    assert row["선정 여부 변경 사유"] == "지방비 확약서 위조 확인"
    outcome = outcomes.final_outcome(result_b)
    assert (outcome.selected, outcome.overridden, outcome.rank) == (False, True, 2)


def test_the_evaluator_list_names_exactly_who_scored_the_proposal(round_, client):
    call, officer, a, b, users, on_a = round_
    result_b = _announced_with_override(round_)
    sign_in(client, applicant_of(b))
    page = visible_text(client.get(f"/my/proposals/{b.id}/result").get_data(as_text=True))
    assert all(u.name in page for u in users[:3])
    assert not any(u.name in page for u in users[3:])  # A's reviewers, left out, recused, removed
    sign_in(client, applicant_of(a))
    page = visible_text(client.get(f"/my/proposals/{a.id}/result").get_data(as_text=True))
    assert all(u.name in page for u in users[:4]) and not any(u.name in page for u in users[4:])
    assert "미제출 초안 의견" not in page
    sign_in(client, officer)
    detail = visible_text(client.get(f"/officer/results/{result_b.id}").get_data(as_text=True))
    assert all(u.name in detail for u in users[:3]) and not any(u.name in detail for u in users[3:])


def test_the_proposal_page_links_to_the_challenge_page_while_challenges_are_allowed(round_, client):
    call, officer, a, b, users, on_a = round_
    link = f'href="/proposals/{a.id}/challenges"'
    sign_in(client, applicant_of(a))
    assert link in client.get(f"/proposals/{a.id}").get_data(as_text=True)
    sign_in(client, applicant_of(b))  # another consortium does not even see the page
    assert client.get(f"/proposals/{a.id}").status_code == 404
    readiness.leave_out(call, on_a[4], officer, "기한 내 제출 불가")
    results.compute(call, officer, acknowledge_short=True)
    decisions.decide(call, officer)
    db.session.commit()
    sign_in(client, applicant_of(a))
    html = client.get(f"/proposals/{a.id}").get_data(as_text=True)
    assert client.get(f"/proposals/{a.id}").status_code == 200 and link not in html


def test_a_sheet_left_out_by_two_officers_at_once_is_left_out_once(round_, app, db_backend):
    """PostgreSQL: the first holds the call's row; the second waits, then reads that it is done."""
    if db_backend != "postgresql":
        pytest.skip("SQLite has one writer at a time and no row locks")
    import threading

    from sqlalchemy import text

    call, officer, a, b, users, on_a = round_
    ids = (call.id, on_a[4].id, officer.id)
    outcome: list[str] = []

    def second_officer():
        with app.app_context():
            from app.models import Call, ReviewAssignment, User

            try:
                readiness.leave_out(db.session.get(Call, ids[0]), db.session.get(ReviewAssignment, ids[1]),
                                    db.session.get(User, ids[2]), "두 번째 담당자의 제외 사유")
                db.session.commit()
                outcome.append("left out")
            except readiness.ReadinessError as exc:
                db.session.rollback()
                outcome.append(str(exc.message))
            finally:
                db.session.remove()

    with db.engine.connect() as first:
        first.execute(text("SELECT id FROM calls WHERE id = :id FOR UPDATE"), {"id": call.id})
        first.execute(text("INSERT INTO left_out_sheets (call_id, assignment_id, reason, officer_id, at) "
                           "VALUES (:c, :a, '첫 번째 담당자의 제외 사유', :o, now())"),
                      {"c": call.id, "a": on_a[4].id, "o": officer.id})
        worker = threading.Thread(target=second_officer)
        worker.start()
        worker.join(timeout=1.0)
        assert worker.is_alive(), "the second officer did not wait for the first"
        first.commit()
    worker.join(timeout=10)
    assert outcome == ["제출되지 않은 평가표만 제외할 수 있습니다."]
    assert len(db.session.scalars(select(LeftOutSheet)).all()) == 1
