"""Objections that can change a result (issue 16).

The owner's report: after the announcement an upheld objection could not be carried out: the
answer had no 인용/기각, the applicant could not attach evidence, and nothing could re-evaluate
the proposal. Now an objection names its ground and may carry evidence files; the officer
answers 인용 / 일부인용 / 기각 with reasons; an upheld one opens a re-evaluation by reviewers
who never sat on the proposal; applying it recomputes the selection, and every consortium whose
outcome changed is told and sees it on its result page.
"""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from app.calls import lifecycle
from app.demo import ax2025
from app.extensions import db
from app.models import AuditEntry, Notification, Objection, OutboxMessage, Result, ReviewAssignment
from app.review import assignment, conflicts, review_sheets
from app.selection import decisions, objections, readiness, reevaluated, results, screening
from app.selection.objections import ObjectionError
from tests.app.builders import applicant_of, docx_bytes, minimal_pdf, pool_of, submitted_proposal
from tests.factories import UserFactory, closed_call, officer_for
from tests.support import read_mails, sign_in, visible_text

GOOD = {"infra": "27", "poc": "A", "plan": "8.5", "alliance": "10"}  # 68 of the 75 review points
FAIR = {"infra": "20", "poc": "A", "plan": "8.5", "alliance": "10"}  # 61
BEST = {"infra": "30", "poc": "S", "plan": "10", "alliance": "10"}  # 75


def _fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def _sheet_form(points: dict) -> dict:
    return ({f"points_{k}": v for k, v in points.items()}
            | {"overall_opinion": "재평가 종합의견", "submit_sheet": "1", "confirm_submit": "y"})


@pytest.fixture
def round_(app, clock, isolated_dirs):
    """One award; 창원 (GOOD) selected over 구미 (FAIR); two spare reviewers in the pool."""
    call = closed_call(reviewers_per_proposal=2, awards=1, policy={**ax2025.policy(), "awards": 1})
    officer = officer_for(call)
    top = submitted_proposal(call, "창원", title="창원 AX 실증산단")
    low = submitted_proposal(call, "구미", title="구미 AX 실증산단")
    for p in (top, low):
        screening.decide(p, officer, "confirmed", "")
    lifecycle.start_review(call, officer)
    people = pool_of(call, officer, 6)
    seated = assignment.auto_assign(call, officer).created
    for a in seated:
        conflicts.declare_no_conflict(a, a.reviewer)
        review_sheets.submit(a, a.reviewer, points=GOOD if a.proposal_id == top.id else FAIR,
                             comments={"infra": "원 평가 의견"}, overall_opinion="원 평가")
    db.session.commit()
    results.compute(call, officer)
    decisions.decide(call, officer)
    decisions.announce(call, officer)
    db.session.commit()
    original = {a.reviewer_id for a in seated if a.proposal_id == low.id}
    return call, officer, top, low, people, original


def _file(client, low, ground="evaluator_error", files=()):
    return client.post(f"/my/proposals/{low.id}/result", content_type="multipart/form-data", data={
        "ground": ground, "grounds": "인프라 항목 평가에서 GPU 장비 계획이 누락된 것으로 잘못 판단되었습니다.",
        "evidence": list(files)})


# --- the owner's observations, one by one ---------------------------------------------------------

def test_the_form_lists_the_admissible_grounds_and_requires_one(round_, client):
    call, officer, top, low, people, original = round_
    sign_in(client, applicant_of(low))
    page = client.get(f"/my/proposals/{low.id}/result").get_data(as_text=True)
    for label in ("평가위원의 결정적 오류", "명백한 사실 오인", "행정 착오"):
        assert label in page
    refused = _file(client, low, ground="")
    assert refused.status_code == 422 and "이의신청 사유의 유형을 고르십시오." in refused.get_data(as_text=True)
    assert db.session.scalar(select(Objection)) is None
    assert _file(client, low, ground="administrative").status_code == 302
    assert db.session.scalar(select(Objection)).ground == "administrative"


def test_evidence_files_are_checked_by_content_and_only_the_consortium_and_officers_get_them(round_, client):
    call, officer, top, low, people, original = round_
    applicant = applicant_of(low)
    sign_in(client, applicant)
    fake = _file(client, low, files=[(io.BytesIO(b"MZ\x90\x00 not a pdf"), "증빙.pdf")])
    assert fake.status_code == 422 and db.session.scalar(select(Objection)) is None
    too_many = _file(client, low, files=[(io.BytesIO(minimal_pdf()), f"{i}.pdf") for i in range(4)])
    assert too_many.status_code == 422 and "3개까지" in too_many.get_data(as_text=True)
    assert db.session.scalar(select(Objection)) is None
    assert _file(client, low, files=[(io.BytesIO(minimal_pdf()), "증빙.pdf"),
                                     (io.BytesIO(docx_bytes()), "의견서.docx")]).status_code == 302
    objection = db.session.scalar(select(Objection))
    assert [(e.filename, e.detected_type) for e in objection.evidence] == [("증빙.pdf", "pdf"), ("의견서.docx", "docx")]
    evidence = objection.evidence[0]
    url = f"/objections/evidence/{evidence.id}"
    assert client.get(url).data == minimal_pdf()
    assert sign_in(client, officer).get(url).status_code == 200
    for outsider in (applicant_of(top), people[0], UserFactory(roles=["officer"])):
        assert sign_in(client, outsider).get(url).status_code == 404
    assert sign_in(client, officer).get("/objections/evidence/999999").status_code == 404


def test_the_answer_carries_a_decision_shown_to_the_applicant_and_audited(round_, client, mailbox):
    call, officer, top, low, people, original = round_
    applicant = applicant_of(low)
    sign_in(client, applicant)
    _file(client, low)
    objection = db.session.scalar(select(Objection))
    sign_in(client, officer)
    no_decision = client.post(f"/officer/objections/{objection.id}", data={"answer": "검토 결과 이유가 있습니다."})
    assert no_decision.status_code == 422 and _fresh(Objection, objection.id).status == "open"
    assert client.post(f"/officer/objections/{objection.id}",
                       data={"decision": "partly_upheld", "answer": "GPU 장비 계획 누락 판단은 오류입니다."}).status_code == 302
    objection = _fresh(Objection, objection.id)
    assert (objection.status, objection.decision) == ("answered", "partly_upheld")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "objection.answered"))
    assert entry.data["changes"]["decision"] == ["", "partly_upheld"]
    page = visible_text(sign_in(client, applicant).get(f"/my/proposals/{low.id}/result").get_data(as_text=True))
    assert "결정" in page and "일부인용" in page and "GPU 장비 계획 누락 판단은 오류입니다." in page
    [mail] = read_mails(mailbox, to=applicant.email, subject=f"[{call.title}] 이의신청 답변 안내")
    assert "일부인용" in mail.get_body(preferencelist=("plain",)).get_content()


# --- re-evaluation, end to end --------------------------------------------------------------------

def test_an_upheld_objection_is_re_evaluated_and_changes_the_selection(round_, client, mailbox):
    call, officer, top, low, people, original = round_
    applicant, winner = applicant_of(low), applicant_of(top)
    sign_in(client, applicant)
    assert _file(client, low, files=[(io.BytesIO(minimal_pdf()), "증빙.pdf")]).status_code == 302
    objection = db.session.scalar(select(Objection))
    sign_in(client, officer)
    client.post(f"/officer/objections/{objection.id}",
                data={"decision": "upheld", "answer": "GPU 장비 계획이 평가에 반영되지 않았음을 확인했습니다."})
    assert client.post(f"/officer/objections/{objection.id}/reevaluation").status_code == 303

    seats = db.session.scalars(select(ReviewAssignment).where(ReviewAssignment.objection_id == objection.id)).all()
    assert len(seats) == 2 and not {a.reviewer_id for a in seats} & original
    assert {a.reviewer_id for a in seats} == {people[4].id, people[5].id}  # the least loaded, never the original
    # The re-evaluation is no part of the computation it objects to: the results are not stale.
    assert not readiness.is_stale(call)

    # An original reviewer of the proposal may change nothing.
    old = db.session.scalar(select(ReviewAssignment).where(ReviewAssignment.proposal_id == low.id,
                                                           ReviewAssignment.objection_id.is_(None)))
    with pytest.raises(review_sheets.SheetError, match="선정 결과가 확정되어"):
        review_sheets.save_draft(old, old.reviewer, points=BEST, comments={}, overall_opinion="")
    db.session.rollback()
    sign_in(client, old.reviewer)
    client.post(f"/review/a/{old.id}/sheet", data=_sheet_form(BEST))
    assert _fresh(ReviewAssignment, old.id).sheet.points == FAIR

    # The new panel pledges and scores through the reviewer's pages.
    for a in seats:
        sign_in(client, a.reviewer)
        assert f"/review/a/{a.id}" in client.get("/review/").get_data(as_text=True)
        assert client.post(f"/review/a/{a.id}/pledge", data={"confirm": "y"}).status_code == 303
        resp = client.post(f"/review/a/{a.id}/sheet", data=_sheet_form(BEST))
        assert resp.status_code == 303 and _fresh(ReviewAssignment, a.id).sheet.status == "submitted"

    sign_in(client, officer)
    assert "재평가 결과 반영" in client.get(f"/officer/objections/{objection.id}").get_data(as_text=True)
    assert client.post(f"/officer/objections/{objection.id}/reevaluation/apply").status_code == 303
    objection = _fresh(Objection, objection.id)
    assert (objection.reevaluation_status, objection.reevaluation_changed) == ("applied", True)

    rows = {r.proposal_id: r for r in db.session.scalars(select(Result).where(Result.call_id == call.id))}
    assert rows[low.id].selected and not rows[top.id].selected
    assert sum(r.selected for r in rows.values()) == 1  # the award count is the call's
    assert rows[low.id].total > rows[top.id].total and (rows[low.id].rank, rows[top.id].rank) == (1, 2)
    assert rows[low.id].breakdown["criteria"]["infra"] == "30.00"  # the re-evaluation sheets only
    changed = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "results.reevaluated")).all()
    by_object = {e.object_id: e.data for e in changed}
    assert by_object[rows[top.id].id]["changes"]["selected"] == [True, False]
    assert by_object[rows[low.id].id]["changes"]["selected"] == [False, True]
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "objection.reevaluation_applied"))

    # Both consortia are told, by mail and notice.
    for user in (applicant, winner):
        [mail] = read_mails(mailbox, to=user.email, subject=f"[{call.title}] 재평가에 따른 선정 결과 변경 안내")
        assert db.session.scalar(select(Notification).where(Notification.user_id == user.id,
                                                            Notification.kind == "result_changed"))

    # Every page and the export say the same.
    export = client.post(f"/officer/calls/{call.id}/exports/ranking.csv", follow_redirects=True).get_data(as_text=True).lstrip("\ufeff")
    final = {row["접수번호"]: row["최종 선정"] for row in csv.DictReader(io.StringIO(export))}
    assert final == {low.receipt_no: "선정", top.receipt_no: "미선정"}
    detail = visible_text(client.get(f"/officer/results/{rows[top.id].id}").get_data(as_text=True))
    assert "미선정" in detail and "이의신청에 따른 재평가로 결과가 변경되었습니다" in detail
    for user, proposal, verdict in ((applicant, low, "선정되었습니다."), (winner, top, "선정되지 않았습니다.")):
        page = visible_text(sign_in(client, user).get(f"/my/proposals/{proposal.id}/result").get_data(as_text=True))
        assert verdict in page.split("항목별 점수")[0]
        assert "이의신청에 따른 재평가로 결과가 변경되었습니다" in page
        if proposal is low:  # its opinions and evaluator list are the new panel's
            assert "재평가 종합의견" in page and "원 평가" not in page
            assert all(a.reviewer.name in page for a in seats)
            assert not any(p.name in page for p in people if p.id in original)

    # The original panels stay frozen, and the applied re-evaluation is closed too.
    with pytest.raises(review_sheets.SheetError):
        review_sheets.reopen(seats[0].sheet, officer, "다시")
    db.session.rollback()


def test_a_rejected_objection_changes_nothing_and_opens_no_re_evaluation(round_, client):
    call, officer, top, low, people, original = round_
    before = [(r.proposal_id, r.selected, r.rank) for r in db.session.scalars(select(Result).order_by(Result.id))]
    objection = objections.file(low, applicant_of(low), "평가에 명백한 오인이 있었습니다.", "misreading")
    objections.answer(objection, officer, "검토 결과 평가에 오류가 없었습니다.", decision="rejected")
    db.session.commit()
    sign_in(client, officer)
    assert client.post(f"/officer/objections/{objection.id}/reevaluation").status_code == 422
    assert db.session.scalar(select(ReviewAssignment).where(ReviewAssignment.objection_id.is_not(None))) is None
    with pytest.raises(ObjectionError):
        reevaluated.open_reevaluation(objection, officer)
    db.session.rollback()
    assert [(r.proposal_id, r.selected, r.rank) for r in db.session.scalars(select(Result).order_by(Result.id))] == before


def test_a_re_evaluation_that_keeps_the_result_tells_the_applicant(round_, client, mailbox):
    call, officer, top, low, people, original = round_
    applicant = applicant_of(low)
    objection = objections.file(low, applicant, "평가위원의 결정적 오류가 있었습니다.", "evaluator_error")
    objections.answer(objection, officer, "평가위원의 채점 오류를 확인했습니다.", decision="upheld")
    seats = reevaluated.open_reevaluation(objection, officer)
    db.session.commit()
    assert not reevaluated.may_apply(objection)
    with pytest.raises(ObjectionError):
        reevaluated.apply(objection, officer)
    db.session.rollback()
    for a in seats:
        conflicts.declare_no_conflict(a, a.reviewer)
        review_sheets.submit(a, a.reviewer, points=FAIR, comments={}, overall_opinion="변동 없음")
    assert reevaluated.apply(objection, officer) == []
    db.session.commit()
    assert _fresh(Objection, objection.id).reevaluation_changed is False
    rows = {r.proposal_id: r for r in db.session.scalars(select(Result))}
    assert rows[top.id].selected and not rows[low.id].selected and rows[top.id].reevaluated_at is None
    [mail] = read_mails(mailbox, to=applicant.email, subject=f"[{call.title}] 이의신청 재평가 결과 안내")
    assert "변경되지 않았습니다" in mail.get_body(preferencelist=("plain",)).get_content()
    assert not read_mails(mailbox, to=applicant_of(top).email, subject=f"[{call.title}] 이의신청 재평가 결과 안내")
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "result_changed",
                                                         OutboxMessage.user_id == applicant_of(top).id)) is None


def test_too_few_eligible_reviewers_is_said_and_seats_nobody(app, clock, isolated_dirs, client):
    call = closed_call(reviewers_per_proposal=2)
    officer = officer_for(call)
    p = submitted_proposal(call, "창원")
    screening.decide(p, officer, "confirmed", "")
    lifecycle.start_review(call, officer)
    pool_of(call, officer, 3)
    for a in assignment.auto_assign(call, officer).created:
        conflicts.declare_no_conflict(a, a.reviewer)
        review_sheets.submit(a, a.reviewer, points=GOOD, comments={}, overall_opinion="우수")
    db.session.commit()
    results.compute(call, officer)
    decisions.decide(call, officer)
    decisions.announce(call, officer)
    objection = objections.file(p, applicant_of(p), "행정 착오로 점수가 잘못 합산되었습니다.", "administrative")
    objections.answer(objection, officer, "합산 오류를 확인했습니다.", decision="upheld")
    db.session.commit()
    sign_in(client, officer)
    page = client.post(f"/officer/objections/{objection.id}/reevaluation")
    assert page.status_code == 422 and "필요 2명, 가능 1명" in page.get_data(as_text=True)
    assert _fresh(Objection, objection.id).reevaluation_status == ""
    assert db.session.scalar(select(ReviewAssignment).where(ReviewAssignment.objection_id.is_not(None))) is None


def test_a_recused_re_evaluation_seat_is_refilled_from_outside_the_original_panel(round_):
    call, officer, top, low, people, original = round_
    objection = objections.file(low, applicant_of(low), "평가위원의 결정적 오류가 있었습니다.", "evaluator_error")
    objections.answer(objection, officer, "평가위원의 채점 오류를 확인했습니다.", decision="upheld")
    first, second = reevaluated.open_reevaluation(objection, officer)
    db.session.commit()
    replacement = conflicts.recuse(first, first.reviewer, "주관기관과 공동연구 중입니다.")
    db.session.commit()
    assert [(a.reviewer_id, a.objection_id) for a in replacement] == [(people[0].id, objection.id)]
    # people[0] sat on 창원's panel, not 구미's; its own original seat stays frozen.
    mine = db.session.scalar(select(ReviewAssignment).where(ReviewAssignment.reviewer_id == people[0].id,
                                                            ReviewAssignment.proposal_id == top.id))
    with pytest.raises(review_sheets.SheetError):
        review_sheets.save_draft(mine, people[0], points=BEST, comments={}, overall_opinion="")
    db.session.rollback()
    with pytest.raises(conflicts.ConflictError):
        conflicts.recuse(mine, people[0], "뒤늦은 회피")
    db.session.rollback()
