"""After the decision nothing about a panel or its sheets changes (issue 9, item 6).

The attack as reported: after the announcement a reviewer recused, the refill seated a
new reviewer, who opened the proposal and submitted a sheet, and the applicant's
published result changed. Every write to assignments and sheets now checks the call's
phase in the service, under the call's row lock.
"""
from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select, text

from app.extensions import db
from app.models import AuditEntry, Call, ReviewAssignment, ReviewSheet
from app.review import assignment, conflicts, review_sheets, reviewers
from app.calls import lifecycle
from app.selection import decisions
from app.selection import readiness, results, screening
from tests.app.builders import applicant_of, submitted_proposal
from tests.factories import OrganisationFactory, UserFactory, closed_call, officer_for
from tests.support import sign_in

FULL = {"infra": "27", "poc": "A", "plan": "8.5", "alliance": "10"}


def _fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def _main(html: str) -> str:
    """The page's own content, without the CSRF tokens that are fresh on every request."""
    return re.sub(r'<input[^>]*name="csrf_token"[^>]*>', "", html[html.index('<main id="main">'):html.index("</main>")])


def _counts():
    db.session.expire_all()
    return (db.session.scalar(select(func.count(ReviewAssignment.id))),
            db.session.scalar(select(func.count(ReviewAssignment.id)).where(ReviewAssignment.coi_status.in_(("pending", "declared")))),
            sorted((s.id, s.status, str(s.points)) for s in db.session.scalars(select(ReviewSheet))))


@pytest.fixture
def announced(app):
    """Three reviewers on the proposal: two submitted, one declared with a draft; a spare in the pool."""
    call = closed_call(reviewers_per_proposal=3)
    officer = officer_for(call)
    proposal = submitted_proposal(call, "창원", title="창원 AX 실증산단")
    applicant = applicant_of(proposal)
    screening.decide(proposal, officer, "confirmed", "")
    lifecycle.start_review(call, officer)
    people = [UserFactory(roles=["reviewer"], organisation=OrganisationFactory(type="university")) for _ in range(4)]
    for u in people:
        reviewers.invite(call, email=u.email, name=u.name, organisation_name=u.organisation.name,
                         department="산업공학과", actor=officer)
    seated = assignment.auto_assign(call, officer).created
    assert [a.reviewer_id for a in seated] == [u.id for u in people[:3]]
    spare = people[3]
    for a in seated:
        conflicts.declare_no_conflict(a, db.session.get(type(people[0]), a.reviewer_id))
    done, drafting = seated[:2], seated[2]
    for a in done:
        review_sheets.submit(a, a.reviewer, points=FULL, comments={"infra": "충실함"}, overall_opinion="우수")
    review_sheets.save_draft(drafting, drafting.reviewer, points={"infra": "1"}, comments={}, overall_opinion="")
    challenge = conflicts.file_challenge(proposal, applicant, target_organisation=drafting.reviewer.organisation.name,
                                         target_person="", reason="경쟁 컨소시엄 참여 기관")
    db.session.commit()
    # The draft is left out with a reason, and the panel of two acknowledged: only then do results compute.
    readiness.leave_out(call, drafting, officer, "기한 내 미제출")
    results.compute(call, officer, acknowledge_short=True)
    decisions.decide(call, officer)
    decisions.announce(call, officer)
    db.session.commit()
    return call, officer, proposal, applicant, done, drafting, spare, challenge


def test_after_the_announcement_a_recusal_seats_nobody_and_sheets_stay_as_they_were(announced, client):
    call, officer, proposal, applicant, done, drafting, spare, challenge = announced
    published = _main(sign_in(client, applicant).get(f"/my/proposals/{proposal.id}/result").get_data(as_text=True))
    assert "평가표 2건을 모두 평균했습니다." in published
    before = _counts()
    audit_before = db.session.scalar(select(func.count(AuditEntry.id)))

    # The reviewer with a draft recuses, hoping for a refill, then tries to hand in a sheet anyway.
    sign_in(client, drafting.reviewer)
    recused = client.post(f"/review/a/{drafting.id}/recuse", data={"reason": "뒤늦은 회피", "confirm": "y"})
    assert recused.status_code == 422
    assert "선정 결과가 확정된 공모에서는" in recused.get_data(as_text=True)
    url = f"/review/a/{drafting.id}/sheet"
    page = client.get(url).get_data(as_text=True)
    assert "선정 결과가 확정되어 평가표를 더 이상 저장하거나 제출할 수 없습니다." in page and 'name="submit_sheet"' not in page
    full = {f"points_{k}": v for k, v in FULL.items()} | {"overall_opinion": "최하", "submit_sheet": "1", "confirm_submit": "y"}
    refused = client.post(url, data=full, follow_redirects=True)
    assert "선정 결과가 확정되어 평가표를 더 이상 저장하거나 제출할 수 없습니다." in refused.get_data(as_text=True)
    client.post(url, data={"points_infra": "0", "action": "save"})

    # The officer's side: reopening a counted sheet, taking a reviewer off, seating the spare.
    sign_in(client, officer)
    reopened = client.post(f"/officer/assignments/{done[0].id}/sheet/reopen", data={"reason": "재검토"})
    assert reopened.status_code == 422 and "선정 결과가 확정되어 평가표를 재개할 수 없습니다." in reopened.get_data(as_text=True)
    removed = client.post(f"/officer/assignments/{done[1].id}/remove", data={"reason": "재배정"}, follow_redirects=True)
    assert "결과 확정 전까지만" in removed.get_data(as_text=True)
    manual = client.post(f"/officer/calls/{call.id}/assignments/manual",
                         data={"proposal_id": proposal.id, "reviewer_id": spare.id})
    assert manual.status_code == 422
    upheld = client.post(f"/officer/challenges/{challenge.id}/decide",
                         data={f"c{challenge.id}-decision": "uphold", f"c{challenge.id}-assignment_id": drafting.id,
                               f"c{challenge.id}-reason": "인용"})
    assert upheld.status_code == 422 and "선정 결과가 확정된 공모에서는" in upheld.get_data(as_text=True)

    assert _counts() == before  # no new seat for the spare, no seat lost, every sheet as it was
    assert spare.id not in {a.reviewer_id for a in db.session.scalars(select(ReviewAssignment))}
    assert db.session.scalar(select(func.count(AuditEntry.id))) == audit_before
    assert _fresh(type(challenge), challenge.id).status == "pending"
    again = _main(sign_in(client, applicant).get(f"/my/proposals/{proposal.id}/result").get_data(as_text=True))
    assert again == published


@pytest.mark.parametrize("phase", ["decided", "announced"])
def test_every_service_write_refuses_once_decided(app, phase):
    call = closed_call(reviewers_per_proposal=2)
    officer = officer_for(call)
    proposal = submitted_proposal(call, "창원")
    screening.decide(proposal, officer, "confirmed", "")
    people = [UserFactory(roles=["reviewer"], organisation=OrganisationFactory()) for _ in range(3)]
    for u in people:
        reviewers.invite(call, email=u.email, name=u.name, organisation_name="", department="", actor=officer)
    pending, declared = assignment.auto_assign(call, officer).created
    conflicts.declare_no_conflict(declared, declared.reviewer)
    review_sheets.submit(declared, declared.reviewer, points=FULL, comments={}, overall_opinion="우수")
    db.session.commit()
    call.phase = phase
    db.session.commit()
    before = _counts()

    with pytest.raises(conflicts.ConflictError, match="선정 결과가 확정된"):
        conflicts.declare_no_conflict(pending, pending.reviewer)
    with pytest.raises(conflicts.ConflictError, match="선정 결과가 확정된"):
        conflicts.recuse(pending, pending.reviewer, "회피")
    with pytest.raises(review_sheets.SheetError, match="선정 결과가 확정되어"):
        review_sheets.save_draft(declared, declared.reviewer, points={}, comments={}, overall_opinion="")
    with pytest.raises(review_sheets.SheetError, match="선정 결과가 확정되어"):
        review_sheets.reopen(declared.sheet, officer, "재검토")
    for write in (lambda: assignment.remove(pending, officer, "해제"),
                  lambda: assignment.refill(proposal, officer, trigger="recusal"),
                  lambda: assignment.assign(call, proposal, people[2].id, officer),
                  lambda: assignment.auto_assign(call, officer)):
        with pytest.raises(assignment.AssignmentError):
            write()
    db.session.rollback()
    assert _counts() == before and _fresh(ReviewAssignment, pending.id).coi_status == "pending"


def test_the_phase_is_read_again_under_the_lock(app):
    """A decision committed by another connection after this session loaded the call is seen."""
    call = closed_call(reviewers_per_proposal=1)
    officer = officer_for(call)
    proposal = submitted_proposal(call, "창원")
    screening.decide(proposal, officer, "confirmed", "")
    (u,) = [UserFactory(roles=["reviewer"], organisation=OrganisationFactory())]
    reviewers.invite(call, email=u.email, name=u.name, organisation_name="", department="", actor=officer)
    (a,) = assignment.auto_assign(call, officer).created
    conflicts.declare_no_conflict(a, u)
    db.session.commit()
    assert a.call.status() == "closed"  # loaded in this session, not yet expired

    with db.engine.begin() as other:
        other.execute(text("UPDATE calls SET phase = 'decided' WHERE id = :id"), {"id": call.id})

    with pytest.raises(review_sheets.SheetError):
        review_sheets.submit(a, u, points=FULL, comments={}, overall_opinion="우수")
    db.session.rollback()
    assert _fresh(ReviewAssignment, a.id).sheet is None


def test_a_sheet_submitted_while_the_decision_is_being_taken_waits_and_is_refused(app, db_backend):
    """PostgreSQL: the decision holds the call's row; the sheet's write waits for it, then sees it."""
    if db_backend != "postgresql":
        pytest.skip("SQLite has one writer at a time and no row locks")
    call = closed_call(reviewers_per_proposal=1)
    officer = officer_for(call)
    proposal = submitted_proposal(call, "창원")
    screening.decide(proposal, officer, "confirmed", "")
    u = UserFactory(roles=["reviewer"], organisation=OrganisationFactory())
    reviewers.invite(call, email=u.email, name=u.name, organisation_name="", department="", actor=officer)
    (a,) = assignment.auto_assign(call, officer).created
    conflicts.declare_no_conflict(a, u)
    db.session.commit()
    ids = (a.id, u.id)
    outcome: list[object] = []

    def reviewer_submits():
        with app.app_context():
            mine = db.session.get(ReviewAssignment, ids[0])
            try:
                review_sheets.submit(mine, mine.reviewer, points=FULL, comments={}, overall_opinion="우수")
                db.session.commit()
                outcome.append("saved")
            except review_sheets.SheetError as exc:
                db.session.rollback()
                outcome.append(str(exc.message))
            finally:
                db.session.remove()

    with db.engine.connect() as deciding:
        deciding.execute(text("UPDATE calls SET phase = 'decided' WHERE id = :id"), {"id": call.id})
        worker = threading.Thread(target=reviewer_submits)
        worker.start()
        worker.join(timeout=1.0)
        assert worker.is_alive(), "the sheet was written while the decision held the call"
        deciding.commit()
    worker.join(timeout=10)
    assert outcome and "선정 결과가 확정되어" in outcome[0]
    assert _fresh(ReviewAssignment, a.id).sheet is None
    assert _fresh(Call, call.id).phase == "decided"
