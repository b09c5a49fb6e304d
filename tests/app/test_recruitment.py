"""Inviting a panel in rounds: the mailed link, accept, decline with a reason, the deadline, the next
round, the automatic fill and the polite 'not needed', single-use tokens, and the officer's funnel."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.models import AuditEntry, OutboxMessage, ReviewerPoolEntry
from app.models.panels import InvitationStatus, PanelInvitation, Recruitment
from app.notifications import reminders
from app.review import recommend, recruitment, stage_scope
from tests.app.test_recommend import TWIN, candidate, proposal
from tests.factories import closed_call, officer_for
from tests.support import link_path, read_mails, sign_in, visible_text


class Panel:
    def __init__(self, n: int = 8, seats: int = 2, factor: int = 2, share: str = "0"):
        self.call = closed_call()
        self.officer = officer_for(self.call)
        self.proposal = proposal(self.call, TWIN)
        # Equal matches: the panel ranking follows the order they were made.
        self.people = [candidate("디지털트윈, 스마트팩토리", affiliation_name="") for _ in range(n)]
        self.stage = stage_scope.current_stage(self.call)
        recommend.compute(self.stage)
        self.r = recruitment.start(self.stage, self.officer, seats=seats, invite_factor=factor, response_days=5,
                                   industry_share=share)
        db.session.commit()

    def invitation(self, person) -> PanelInvitation | None:
        return db.session.scalar(select(PanelInvitation).where(PanelInvitation.user_id == person.user_id))

    def statuses(self) -> dict[int, str]:
        db.session.expire_all()
        return {i.user_id: i.status for i in db.session.scalars(select(PanelInvitation))}


TWIN_CALL = "2025년 AX 실증산단 구축사업 공모"


def path_of(mailbox, person) -> str:
    """The answer link's path, as the candidate finds it in the mail."""
    (mail,) = read_mails(mailbox, to=person.user.email, subject=f"[공모] {TWIN_CALL} 평가위원 위촉 요청")
    return link_path(mail, r"https?://\S+/review/invitations/\S+")


def test_round_one_invites_factor_times_seats_in_rank_order_by_mail(app, mailbox):
    w = Panel(n=8, seats=2, factor=2)
    assert {i.user_id for i in w.r.invitations} == {p.user_id for p in w.people[:4]}
    assert all(i.round == 1 and i.respond_by == i.invited_at + timedelta(days=5) for i in w.r.invitations)
    assert w.people[0].user.email in {m["To"] for m in read_mails(mailbox)}
    # Only the hash is kept: the mailed token is not in the database.
    token = path_of(mailbox, w.people[0]).rsplit("/", 1)[1]
    assert w.invitation(w.people[0]).token_hash == recruitment.token_hash(token) != token
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "panel.round_invited")) is not None


def test_the_link_works_without_a_login_and_shows_only_the_call_stage_dates_and_honorarium(app, client, mailbox):
    w = Panel()
    page = client.get(path_of(mailbox, w.people[0]))
    html = visible_text(page.get_data(as_text=True))
    assert page.status_code == 200 and TWIN_CALL in html and "서면평가" in html and "응답 기한" in html
    assert w.proposal.title not in html and w.proposal.consortium.name not in html
    assert client.get("/review/invitations/not-a-token").status_code == 404


def test_accepting_joins_the_calls_pool_with_the_profiles_affiliation(app, client, mailbox):
    w = Panel()
    first = w.people[0]
    resp = client.post(path_of(mailbox, first) + "/accept")
    assert resp.status_code == 303
    assert w.statuses()[first.user_id] == InvitationStatus.ACCEPTED
    entry = db.session.scalar(select(ReviewerPoolEntry).where(ReviewerPoolEntry.user_id == first.user_id))
    assert entry is not None and entry.organisation_name == first.organisation.name and entry.department == "산업공학과"
    assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.template == "reviewer_invited",
                                                            OutboxMessage.user_id == first.user_id))


def test_the_panel_fills_then_open_invitations_are_not_needed_and_told_and_the_officer_is_told(app, client, mailbox):
    w = Panel(seats=2, factor=2)
    for person in w.people[:2]:
        assert client.post(path_of(mailbox, person) + "/accept").status_code == 303
    statuses = w.statuses()
    assert [statuses[p.user_id] for p in w.people[:4]] == ["accepted", "accepted", "not_needed", "not_needed"]
    db.session.refresh(w.r)
    assert w.r.closed_reason == "full" and w.r.closed_at is not None
    assert read_mails(mailbox, to=w.people[3].user.email, subject=f"[공모] {TWIN_CALL} 평가위원 구성 완료 안내")
    assert read_mails(mailbox, to=w.officer.email, subject=f"[공모] {TWIN_CALL} 평가위원 구성 완료")
    # Nothing moves any more on the clock.
    assert reminders.run(at=clock.now() + timedelta(days=30))["panel_rounds"] == 0


def test_a_link_answers_once_and_not_after_its_deadline(app, client, mailbox, clock):
    w = Panel(n=8, seats=3, factor=2)
    first, second = w.people[0], w.people[1]
    assert client.post(path_of(mailbox, first) + "/accept").status_code == 303
    again = client.post(path_of(mailbox, first) + "/decline", data={"reason": "마음이 바뀌었습니다"})
    assert again.status_code == 422 and "한 번만" in again.get_data(as_text=True)
    assert w.statuses()[first.user_id] == InvitationStatus.ACCEPTED

    clock.shift(timedelta(days=5, minutes=1))  # past the deadline, before the beat has run
    late = client.post(path_of(mailbox, second) + "/accept")
    assert late.status_code == 409 and "응답 기한이 지났습니다" in late.get_data(as_text=True)
    assert w.statuses()[second.user_id] == InvitationStatus.INVITED
    assert db.session.scalar(select(ReviewerPoolEntry.id).where(ReviewerPoolEntry.user_id == second.user_id)) is None


def test_a_decline_needs_a_reason_which_is_kept_and_shown_to_the_officer(app, client, mailbox):
    w = Panel()
    path = path_of(mailbox, w.people[0])
    empty = client.post(path + "/decline", data={"reason": "  "})
    assert empty.status_code == 422 and w.statuses()[w.people[0].user_id] == InvitationStatus.INVITED
    assert client.post(path + "/decline", data={"reason": "해외 출장 중입니다"}).status_code == 303
    invitation = w.invitation(w.people[0])
    assert invitation.status == InvitationStatus.DECLINED and invitation.decline_reason == "해외 출장 중입니다"
    sign_in(client, w.officer)
    html = client.get(f"/officer/calls/{w.call.id}/panel").get_data(as_text=True)
    assert "해외 출장 중입니다" in html and 'id="funnel-declined">1<' in html and 'id="funnel-sent">4<' in html


def test_at_the_deadline_silence_expires_and_the_next_round_invites_the_next_ranked(app, client, mailbox, clock):
    w = Panel(n=8, seats=2, factor=2)
    assert client.post(path_of(mailbox, w.people[0]) + "/accept").status_code == 303
    deadline = w.invitation(w.people[1]).respond_by

    assert reminders.run(at=deadline - timedelta(minutes=1))["panel_rounds"] == 0
    done = reminders.run(at=deadline)
    statuses = w.statuses()
    assert [statuses[p.user_id] for p in w.people[1:4]] == ["expired"] * 3
    # One seat free: factor 2 × 1 seat, the next two of the ranking, in round 2.
    round2 = [i for i in db.session.scalars(select(PanelInvitation).where(PanelInvitation.round == 2))]
    assert {i.user_id for i in round2} == {p.user_id for p in w.people[4:6]}
    assert done["panel_rounds"] == 3 + 2
    assert reminders.run(at=deadline)["panel_rounds"] == 0  # idempotent: the same tick again does nothing
    sign_in(client, w.officer)
    html = client.get(f"/officer/calls/{w.call.id}/panel").get_data(as_text=True)
    assert 'id="funnel-expired">3<' in html and 'id="seats-filled">1/2<' in html


def test_when_everyone_of_a_round_declines_the_next_round_does_not_wait(app, client, mailbox):
    w = Panel(n=5, seats=1, factor=2)
    for person in w.people[:2]:
        client.post(path_of(mailbox, person) + "/decline", data={"reason": "일정이 맞지 않습니다"})
    statuses = w.statuses()
    assert statuses[w.people[2].user_id] == statuses[w.people[3].user_id] == InvitationStatus.INVITED


def test_when_candidates_run_out_the_recruitment_closes_and_the_officer_is_told(app, client, mailbox):
    w = Panel(n=3, seats=2, factor=1)
    for person in w.people[:2]:
        client.post(path_of(mailbox, person) + "/decline", data={"reason": "사정이 있습니다"})
    assert w.statuses()[w.people[2].user_id] == InvitationStatus.INVITED  # round 2: the last one
    client.post(path_of(mailbox, w.people[2]) + "/accept")
    db.session.refresh(w.r)
    assert w.r.closed_reason == "exhausted"
    assert read_mails(mailbox, to=w.officer.email, subject=f"[공모] {TWIN_CALL} 평가위원 후보 부족")


def test_the_officer_starts_recruitment_from_the_page_and_bad_numbers_change_nothing(app, client, mailbox):
    call = closed_call()
    proposal(call, TWIN)
    people = [candidate("디지털트윈") for _ in range(4)]
    sign_in(client, officer_for(call))
    url = f"/officer/calls/{call.id}/panel"
    refused = client.post(url + "/recruit", data={"seats": "3", "invite_factor": "3", "response_days": "5",
                                                  "industry_share": "0.3"})
    assert refused.status_code == 422 and "먼저 평가위원 추천을 계산하십시오" in refused.get_data(as_text=True)
    client.post(url + "/recommend")
    bad = client.post(url + "/recruit", data={"seats": "0", "invite_factor": "3", "response_days": "5",
                                              "industry_share": "1.5"})
    assert bad.status_code == 422 and db.session.scalar(select(Recruitment.id)) is None
    page = client.get(url).get_data(as_text=True)
    assert 'name="seats"' in page and 'value="7"' in page  # panel of 5 plus the reserve of 2
    ok = client.post(url + "/recruit", data={"seats": "1", "invite_factor": "3", "response_days": "5",
                                             "industry_share": "0"})
    assert ok.status_code == 303
    assert len(read_mails(mailbox, subject=f"[공모] {TWIN_CALL} 평가위원 위촉 요청")) == 3
    assert 'id="funnel-open">3<' in client.get(url).get_data(as_text=True)
    assert people[3].user.email not in {m["To"] for m in read_mails(mailbox)}


def test_the_invited_round_keeps_the_industry_share(app):
    call = closed_call()
    officer = officer_for(call)
    proposal(call, TWIN)
    academics = [candidate("디지털트윈, 스마트팩토리, 공정최적화") for _ in range(6)]
    firm = candidate("스마트팩토리", org_type="tenant_company")
    stage = stage_scope.current_stage(call)
    recommend.compute(stage)
    r = recruitment.start(stage, officer, seats=1, invite_factor=3, response_days=5, industry_share="0.3")
    assert {i.user_id for i in r.invitations} == {academics[0].user_id, academics[1].user_id, firm.user_id}
