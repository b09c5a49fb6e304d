"""One whole selection round through the web client: configure, submit, screen, assign with
conflicts, review by five reviewers, rank, select, announce, and answer an objection."""
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Attachment, Call, ConsortiumMember, Objection, OutboxMessage, Proposal, Result
from app.models import User
from app.models.review import ReviewAssignment
from app.demo import ax2025
from app.core import clock as app_clock
from tests.app.builders import SECTION_TEXTS, applicant_of, set_text, submitted_proposal
from tests.factories import ComplexFactory, OrganisationFactory, ProgrammeFactory, UserFactory
from tests.support import call_rows, rubric_form, visible_text

COMPLEXES = ["창원", "구미", "여수", "반월시화"]
# (infra, poc, plan, alliance) per reviewer, per complex: 창원 strongest, 반월시화 is rejected at screening.
SCORES = {
    "창원": ["28", "27", "26", "25", "29"],
    "구미": ["24", "23", "22", "25", "21"],
    "여수": ["10", "11", "9", "12", "10"],
}


def test_a_full_selection_round(app, client, login, clock, db_session):
    # --- the officer configures the call -------------------------------------------------
    programme = ProgrammeFactory()
    officer = UserFactory(roles=["officer"], organisation=programme.agency)
    complexes = [ComplexFactory(name=name, region=region, designated_year=year)
                 for name, region, year in ax2025.COMPLEXES if name in COMPLEXES]
    login(officer)
    resp = client.post("/officer/calls/new", data={
        "programme_id": programme.id, "code": "AX-2025", "title": "2025년 AX 실증산단 구축사업 공모",
        "description_md": ax2025.DESCRIPTION_MD, "opens_at": "2025-07-01T09:00", "closes_at": "2025-08-11T15:00",
        "awards": "2", "per_award_cap": "14,000,000,000", "total_cap": "28,000,000,000",
        "first_year": "2025", "last_year": "2028", "min_local_ratio": "0.4", "reviewers_per_proposal": "5",
        "complex_ids": [c.id for c in complexes],
        **call_rows(),
    })
    assert resp.status_code == 302, resp.get_data(as_text=True)
    call = db_session.scalar(select(Call).where(Call.code == "AX-2025"))
    assert client.post(f"/officer/calls/{call.id}/rubric", data=rubric_form(ax2025.RUBRIC, ax2025.POLICY)).status_code == 302
    assert client.post(f"/officer/calls/{call.id}/step", data={"step": "publish", "confirm": "y"}).status_code == 303
    db_session.refresh(call)
    assert call.status() == "open" and call.policy["budget_cap"] == "28000000000"
    client.post("/logout")

    # --- consortia submit ----------------------------------------------------------------
    proposals, applicants = {}, {}
    for name in COMPLEXES:
        p = submitted_proposal(call, name, minutes_before_close=60)
        user = applicant_of(p)
        p.status, p.submitted_at, p.receipt_no = "draft", None, None
        p.summary, p.strategic_industries = "AI 전환 실증", "기계"
        for key in SECTION_TEXTS:
            set_text(p, key, "계획")
        share = (p.total_budget - sum(plan.budget for plan in p.poc_plans)) // len(p.infra_items)
        for item in p.infra_items:
            item.budget = share
        for kind in ("plan", "consortium_agreement", "local_matching_letter"):
            p.attachments.append(Attachment(kind=kind, filename=f"{kind}.pdf", size=1000, sha256="0" * 64,
                                            detected_type="pdf", storage_key=f"{p.id}-{kind}", uploaded_by_id=user.id))
        db_session.flush()
        login(user)
        resp = client.post(f"/proposals/{p.id}/submit", data={"confirm": "y"})
        assert resp.status_code == 303, resp.get_data(as_text=True)[:3000]
        client.post("/logout")
        proposals[name], applicants[name] = p, user
    assert all(p.status == "submitted" and p.receipt_no for p in proposals.values())

    # --- the clock closes the call; the officer screens ----------------------------------
    clock.move_to(app_clock.kst(2025, 8, 11, 15, 0, 1))
    login(officer)
    for name, p in proposals.items():
        if name == "반월시화":
            data = {"status": "rejected", "reason": "지방비 확약서가 사업비 표와 다릅니다."}
        else:
            data = {"status": "confirmed", "reason": ""}
        assert client.post(f"/officer/proposals/{p.id}/screening", data=data).status_code == 302
    assert client.post(f"/officer/calls/{call.id}/step", data={"step": "start_review", "confirm": "y"}).status_code == 303

    # --- reviewers: six invited, one conflicted with 창원's consortium --------------------
    member_org = OrganisationFactory(name="창원대학교")
    proposals["창원"].consortium.members.append(
        ConsortiumMember(organisation=member_org, role="university", confirmed_at=app_clock.now()))
    reviewers = [UserFactory(roles=["reviewer"], organisation=OrganisationFactory(name=f"평가기관{i}")) for i in range(5)]
    conflicted = UserFactory(roles=["reviewer"], organisation=member_org)
    db_session.commit()
    for r in [*reviewers, conflicted]:
        resp = client.post(f"/officer/calls/{call.id}/reviewers/invite",
                           data={"email": r.email, "name": r.name, "organisation_name": r.organisation.name, "department": ""})
        assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    assert client.post(f"/officer/calls/{call.id}/assignments/auto", data={}).status_code in (302, 303)
    assignments = db_session.scalars(select(ReviewAssignment).where(ReviewAssignment.call_id == call.id)).all()
    assert not any(a.reviewer_id == conflicted.id and a.proposal_id == proposals["창원"].id for a in assignments)
    assert proposals["반월시화"].id not in {a.proposal_id for a in assignments}
    client.post("/logout")

    # --- five reviewers score each eligible proposal --------------------------------------
    by_reviewer = {}
    for a in assignments:
        by_reviewer.setdefault(a.reviewer_id, []).append(a)
    scored = {name: 0 for name in SCORES}
    for reviewer_id, mine in by_reviewer.items():
        login(db.session.get(User, reviewer_id))
        for a in mine:
            name = next(n for n, p in proposals.items() if p.id == a.proposal_id)
            if scored[name] >= 5:
                continue
            infra = SCORES[name][scored[name]]
            scored[name] += 1
            assert client.post(f"/review/a/{a.id}/pledge", data={"confirm": "y"}).status_code == 303
            resp = client.post(f"/review/a/{a.id}/sheet", data={
                "points_infra": infra, "points_poc": "A", "points_plan": "8", "points_alliance": "8",
                "comment_infra": f"인프라 의견 {infra}", "comment_poc": "PoC 구체적", "comment_plan": "", "comment_alliance": "",
                "overall_opinion": "종합적으로 우수", "submit_sheet": "1", "confirm_submit": "y"})
            assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
        client.post("/logout")
    assert scored == {name: 5 for name in SCORES}

    # --- ranking, selection, announcement ---------------------------------------------------
    login(officer)
    assert client.post(f"/officer/calls/{call.id}/results/compute", data={}).status_code == 302
    html = client.get(f"/officer/calls/{call.id}/results").get_data(as_text=True)
    ranking = db_session.scalars(select(Result).where(Result.call_id == call.id).order_by(Result.rank)).all()
    assert [r.proposal_id for r in ranking] == [proposals[n].id for n in ("창원", "구미", "여수")]
    assert [r.selected for r in ranking] == [True, True, False]
    assert ranking[2].reason == "below criterion floor: infra"  # 10.33 of 30 is under the 40 % floor
    assert proposals["창원"].receipt_no in html
    assert client.post(f"/officer/calls/{call.id}/step", data={"step": "decide", "confirm": "y"}).status_code == 303
    assert client.post(f"/officer/calls/{call.id}/step", data={"step": "announce", "confirm": "y"}).status_code == 303
    db_session.refresh(call)
    assert call.status() == "announced"
    announced = db_session.scalars(select(OutboxMessage.user_id).where(OutboxMessage.template == "results_announced")).all()
    assert set(announced) == {applicants[n].id for n in ("창원", "구미", "여수")}
    rejected = db_session.scalar(select(OutboxMessage).where(OutboxMessage.template == "screening_rejected"))
    assert rejected.user_id == applicants["반월시화"].id
    client.post("/logout")

    # --- 여수 sees its own result and objects; the officer answers ------------------------
    yeosu = proposals["여수"]
    login(applicants["여수"])
    html = visible_text(client.get(f"/my/proposals/{yeosu.id}/result").get_data(as_text=True))
    assert "선정되지 않았습니다." in html and ranking[2].breakdown["total"] in html
    assert ranking[0].breakdown["total"] not in html
    assert "인프라 의견 10" in html and "PoC 구체적" in html
    # The evaluator list names exactly 여수's panel, not the reviewers of the other proposals.
    panel = {a.reviewer_id for a in assignments if a.proposal_id == yeosu.id}
    assert all(r.name in html for r in [*reviewers, conflicted] if r.id in panel)
    assert not any(r.name in html for r in [*reviewers, conflicted] if r.id not in panel)
    assert f"R{reviewers[0].id}" not in html
    clock.shift(timedelta(days=3))
    assert client.post(f"/my/proposals/{yeosu.id}/result",
                       data={"ground": "misreading",
                             "grounds": "정량 항목 산정 시 PoC 계획 수가 잘못 반영되었습니다."}).status_code == 302
    client.post("/logout")
    objection = db_session.scalar(select(Objection))
    login(officer)
    assert f"/officer/objections/{objection.id}" in client.get(f"/officer/calls/{call.id}").get_data(as_text=True)
    resp = client.post(f"/officer/objections/{objection.id}",
                       data={"decision": "rejected", "answer": "PoC 계획 10건이 모두 반영되었음을 확인했습니다."})
    assert resp.status_code == 302
    client.post("/logout")
    login(applicants["여수"])
    html = client.get(f"/my/proposals/{yeosu.id}/result").get_data(as_text=True)
    assert "PoC 계획 10건이 모두 반영되었음을 확인했습니다." in html and "기각" in html
    assert db_session.get(Proposal, yeosu.id).status == "submitted"
