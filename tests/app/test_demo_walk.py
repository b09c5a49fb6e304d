"""The demo call AX-2025-R walked through every stage, as the README tells a new user, through
the test client: reviewer1's 서면평가 sheets, the 서면평가 results and their confirmation, the
발표평가 panels, schedule, confirmation, attendance, sheets and the chair's opinion, the final
weighted ranking, the 심의위원회's vote, the decision and announcement, then an objection upheld
and re-evaluated by a new panel that changes the selection.
"""
from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import select

from app import audit
from app.core import clock as app_clock
from app.demo import demo
from app.extensions import db
from app.models import Call, Notification, Objection, Result, ReviewAssignment, User
from app.review import presentation, stage_scope
from app.selection import committee, outcomes, screening
from tests.app.builders import minimal_pdf
from tests.support import link_path, read_mails, sign_in, visible_text


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _wall(at) -> str:
    return app_clock.to_kst(at).strftime("%Y-%m-%dT%H:%M")


def _ranking(call: Call) -> list[Result]:
    db.session.expire_all()
    return db.session.scalars(select(Result).where(Result.call_id == call.id).order_by(Result.rank)).all()


def test_the_demo_call_is_walked_through_every_stage_and_an_upheld_objection(app, clock, client, mailbox):
    demo.load()
    db.session.commit()
    call = db.session.scalar(select(Call).where(Call.code == "AX-2025-R"))
    officer, reviewer1 = _user("officer@demo.gongmo.kr"), _user("reviewer1@demo.gongmo.kr")
    written, stage = stage_scope.evaluation_stages(call)
    base = f"/officer/calls/{call.id}"

    # 1. reviewer1 pledges and scores the three 서면평가 sheets still missing.
    sign_in(client, officer)
    assert visible_text(client.get(f"{base}/results").get_data(as_text=True)).count("서약 전") >= 3
    sign_in(client, reviewer1)
    for a in db.session.scalars(select(ReviewAssignment).where(ReviewAssignment.reviewer_id == reviewer1.id,
                                                               ReviewAssignment.stage_id == written.id)):
        assert client.post(f"/review/a/{a.id}/pledge", data={"confirm": "y"}).status_code == 303
        assert client.post(f"/review/a/{a.id}/sheet", data={
            "points_infra": "26", "points_poc": "A", "points_plan": "8.5", "points_alliance": "8",
            "overall_opinion": "타당한 계획임", "submit_sheet": "1", "confirm_submit": "y"}).status_code == 303

    # 2. The officer computes the 서면평가, confirms who goes on (3배수 of two awards: all three)
    #    and forms the 발표평가 panels.
    sign_in(client, officer)
    assert client.post(f"{base}/results/compute", data={}).status_code == 302
    assert "서면평가 결과와 다음 단계 대상" in client.get(f"{base}/results").get_data(as_text=True)
    assert client.post(f"{base}/stages/{written.id}/confirm", data={"confirm": "y"}).status_code == 303
    assert client.post(f"{base}/assignments/auto", data={}).status_code == 303
    seats = db.session.scalars(select(ReviewAssignment).where(ReviewAssignment.stage_id == stage.id)).all()
    assert len(seats) == 15
    panel = {a.reviewer_id for a in seats}
    assert reviewer1.id in panel

    # 3. The 발표평가 schedule: saved, slotted, published; every consortium confirms; all present.
    starts = (app_clock.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    assert client.post(f"{base}/presentation/{stage.id}", data={
        "starts_at": _wall(starts), "room": "한국산업단지공단 본사 대회의실", "video_url": "",
        "slot_minutes": "30", "break_minutes": "10", "presenter_rule": "주관기관 사업책임자가 발표",
        "slides_due_at": _wall(starts - timedelta(days=1)), "no_show_rule": "exclude",
        "chair_id": str(reviewer1.id)}).status_code == 303
    assert client.post(f"{base}/presentation/{stage.id}/slots").status_code == 303
    assert client.post(f"{base}/presentation/{stage.id}/publish", data={"confirm": "y"}).status_code == 303
    slots = presentation.schedule_of(stage).slots
    assert len(slots) == 3
    for slot in slots:
        lead = db.session.get(User, slot.proposal.created_by_id)
        sign_in(client, lead)
        assert client.post(f"/my/proposals/{slot.proposal_id}/presentation/confirm").status_code == 303
    sign_in(client, officer)
    for slot in slots:
        assert client.post(f"/officer/presentation/slots/{slot.id}/attendance",
                           data={"attendance": "present"}).status_code == 303

    # 4. reviewer1 scores the presentations and, as chair, records the panel's 종합의견; the other
    #    demo reviewers' sheets come from `flask demo score-presentations`.
    sign_in(client, reviewer1)
    mine = visible_text(client.get("/review/").get_data(as_text=True))
    assert "발표평가" in mine and "서면평가" in mine
    for a in (a for a in seats if a.reviewer_id == reviewer1.id):
        assert client.post(f"/review/a/{a.id}/pledge", data={"confirm": "y"}).status_code == 303
        assert "평가표 · 발표평가" in client.get(f"/review/a/{a.id}/sheet").get_data(as_text=True)
        assert client.post(f"/review/a/{a.id}/sheet", data={
            "points_strategy": "32", "points_feasibility": "24", "points_qa": "24",
            "overall_opinion": "발표가 명확함", "submit_sheet": "1", "confirm_submit": "y"}).status_code == 303
    opinion = "위원 합의: 실증 계획이 구체적이고 질의응답이 충실함"
    first = slots[0]
    assert client.post(f"/review/presentations/slots/{first.id}/opinion",
                       data={f"s{first.id}-opinion": opinion}).status_code == 303
    out = app.test_cli_runner().invoke(args=["demo", "score-presentations"])
    assert out.exit_code == 0 and "12 presentation sheets submitted" in out.output

    # 5. The final ranking weighs 서면 30 % and 발표 70 %.
    sign_in(client, officer)
    assert client.post(f"{base}/results/compute", data={}).status_code == 302
    ranking = _ranking(call)
    assert [r.selected for r in ranking] == [True, True, False]
    assert all(set(r.breakdown["stage_totals"]) == {"written", "presentation"} for r in ranking)
    page = visible_text(client.get(f"{base}/results").get_data(as_text=True))
    assert "서면평가" in page and "발표평가" in page
    export = client.post(f"{base}/exports/ranking.csv", follow_redirects=True).get_data(as_text=True).lstrip("\ufeff")
    header = export.splitlines()[0]
    assert "서면평가 점수" in header and "발표평가 점수" in header

    # 6. The 심의위원회 meets with a quorum and approves the two proposed selections; only then the
    #    decision, then the announcement.
    refused = client.post(f"{base}/step", data={"step": "decide", "confirm": "y"})
    assert refused.status_code == 422
    assert client.post(f"{base}/committee/meeting", data={"scheduled_at": _wall(app_clock.now() + timedelta(hours=1)),
                                                          "place": "세종 회의실"}).status_code == 303
    assert client.post(f"{base}/committee/meeting/open", data={}).status_code == 303
    meeting = committee.current_meeting(call)
    members = [a.member_id for a in meeting.attendance]
    assert client.post(f"{base}/committee/meeting/attendance", data={"present": members[:4]}).status_code == 303
    grid = {f"vote-{m}-{r.proposal_id}": "for" for m in members[:4] for r in ranking if r.selected}
    assert client.post(f"{base}/committee/meeting/votes", data=grid).status_code == 303
    assert client.post(f"{base}/committee/meeting/close", data={"confirm": "y"}).status_code == 303
    for step in ("decide", "announce"):
        resp = client.post(f"{base}/step", data={"step": step, "confirm": "y"})
        assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    db.session.refresh(call)
    assert call.status() == "announced"

    # The selected consortium reads its result with the chair's opinion where it presented first.
    first_proposal = first.proposal
    sign_in(client, db.session.get(User, first_proposal.created_by_id))
    page = visible_text(client.get(f"/my/proposals/{first_proposal.id}/result").get_data(as_text=True))
    assert opinion in page
    # Each stage's criteria and explanation; how many sheets counted, never whose; both panels named.
    assert "서면평가 · " in page and "발표평가 · 발표 내용의 충실성" in page
    assert "[서면평가]" in page and "[발표평가]" in page and "평가표 5건 중 최고점과 최저점" in page
    assert not re.search(r"\bR\d+\b", page)
    scored = {a.reviewer_id for a in db.session.scalars(select(ReviewAssignment).where(
        ReviewAssignment.proposal_id == first_proposal.id, ReviewAssignment.objection_id.is_(None)))}
    assert all(db.session.get(User, rid).name in page for rid in scored)

    # 7. The third files an objection with evidence; the officer upholds it and a new panel re-evaluates.
    loser, weakest_winner = ranking[2], ranking[1]
    applicant = db.session.get(User, loser.proposal.created_by_id)
    sign_in(client, applicant)
    assert client.post(f"/my/proposals/{loser.proposal_id}/result", content_type="multipart/form-data", data={
        "ground": "evaluator_error", "grounds": "발표평가에서 실증 일정 자료가 제출되지 않은 것으로 잘못 판단되었습니다.",
        "evidence": [(io.BytesIO(minimal_pdf()), "실증일정.pdf")]}).status_code == 302
    objection = db.session.scalar(select(Objection).where(Objection.proposal_id == loser.proposal_id))
    sign_in(client, officer)
    # Seven demo reviewers, five on the presentation panel of that proposal: three more are invited.
    for n in range(3):
        assert client.post(f"{base}/reviewers/invite", data={
            "email": f"reeval{n}@demo.gongmo.kr", "name": f"재평가위원{n}", "organisation_name": f"재평가대학교{n}",
            "department": "산업공학과"}).status_code in (302, 303)
    assert client.post(f"/officer/objections/{objection.id}", data={
        "decision": "upheld", "answer": "실증 일정 자료가 제출되었음을 확인했습니다."}).status_code == 302
    assert client.post(f"/officer/objections/{objection.id}/reevaluation").status_code == 303
    new_seats = db.session.scalars(select(ReviewAssignment).where(ReviewAssignment.objection_id == objection.id)).all()
    assert len(new_seats) == 5 and {a.stage_id for a in new_seats} == {stage.id}
    original = {a.reviewer_id for a in seats if a.proposal_id == loser.proposal_id}
    assert not {a.reviewer_id for a in new_seats} & original
    for a in new_seats:
        if a.reviewer.email_verified_at is None:  # a new account: the invitation's link sets its password
            invitation = next(m for m in read_mails(mailbox, to=a.reviewer.email)
                              if "/password/reset/" in m.get_body(preferencelist=("plain",)).get_content())
            path = link_path(invitation, r"https?://\S+/password/reset/\S+")
            client.post("/logout")
            client.post(path, data={"password": "Reeval-chosen-42", "password_confirm": "Reeval-chosen-42"})
        sign_in(client, a.reviewer)
        assert client.post(f"/review/a/{a.id}/pledge", data={"confirm": "y"}).status_code == 303
        assert client.post(f"/review/a/{a.id}/sheet", data={
            "points_strategy": "40", "points_feasibility": "30", "points_qa": "30",
            "overall_opinion": "재평가: 매우 우수", "submit_sheet": "1", "confirm_submit": "y"}).status_code == 303
    sign_in(client, officer)
    assert client.post(f"/officer/objections/{objection.id}/reevaluation/apply").status_code == 303

    # The selection changed: the objector is selected, the weakest winner no longer; both are told.
    after = {r.proposal_id: r for r in _ranking(call)}
    assert outcomes.final_outcome(after[loser.proposal_id]).selected
    assert not outcomes.final_outcome(after[weakest_winner.proposal_id]).selected
    for proposal_id in (loser.proposal_id, weakest_winner.proposal_id):
        lead = db.session.get(Result, after[proposal_id].id).proposal.created_by_id
        assert db.session.scalar(select(Notification).where(Notification.user_id == lead,
                                                            Notification.kind == "result_changed")) is not None
    assert {p.id for p in screening.submitted_proposals(call)} == set(after)
    assert audit.verify() is None
