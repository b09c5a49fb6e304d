"""발표평가 as an event: schedule, slots in receipt order, publication with calendar mails,
the applicant's confirmation and slides, attendance and no-shows, the chair's 종합의견."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.calls import lifecycle
from app.core import clock as app_clock
from app.extensions import db
from app.models import AuditEntry, Notification, PresentationSchedule, PresentationSlot, ReviewAssignment, User
from app.models.stages import EvaluationStage, StageResult
from app.review import presentation, presentation_day
from app.selection import decisions, results, screening
from tests.app.builders import applicant_of, minimal_pdf, submitted_proposal, uniform_sheets
from tests.factories import (
    OrganisationFactory, ProposalFactory, UserFactory, applicant_with_consortium, closed_call, confirmed_member,
    officer_for,
)
from tests.support import read_mails, sign_in, visible_text

START = app_clock.kst(2025, 7, 20, 10, 0)  # the day of the presentations, in Seoul
RUBRIC = {"criteria": [{"key": "talk", "label": "발표", "label_en": "Talk", "max_points": "100", "kind": "points"}],
          "total_points": "100"}


@dataclass
class World:
    call: object
    officer: User
    stage: EvaluationStage
    proposals: list
    leads: list
    chair: User
    member: User


def presentation_world(receipts=("0003", "0001", "0002")) -> World:
    """A closed call whose 서면평가 is confirmed and shortlisted everyone to a 발표평가 with two reviewers."""
    call = closed_call()
    officer = officer_for(call)
    written = call.stages[1]
    stage = EvaluationStage(position=2, kind="presentation", panel_size=2, rubric=RUBRIC, policy={"pass_mark": "70"},
                            shortlist_rule="all", shortlist_value=0)
    call.stages.append(stage)
    proposals, leads = [], []
    for i, receipt in enumerate(receipts):
        lead, consortium = applicant_with_consortium()
        proposals.append(ProposalFactory(submitted=True, call=call, consortium=consortium, created_by_id=lead.id,
                                         title=f"발표 신청서 {receipt}", receipt_no=f"{call.code}-{receipt}"))
        leads.append(lead)
    db.session.flush()
    for rank, p in enumerate(proposals, 1):
        db.session.add(StageResult(stage_id=written.id, proposal_id=p.id, rank=rank, total=80, passed=True,
                                   advanced=True, breakdown={}))
    written.confirmed_at = app_clock.now()
    chair = UserFactory(roles=["reviewer"], organisation=OrganisationFactory(type="university"), name="김위원장")
    member = UserFactory(roles=["reviewer"], organisation=OrganisationFactory(type="university"), name="이위원")
    for reviewer in (chair, member):
        for p in proposals:
            db.session.add(ReviewAssignment(call_id=call.id, proposal_id=p.id, reviewer_id=reviewer.id,
                                            stage_id=stage.id, coi_status="declared", pledge_at=app_clock.now()))
    db.session.commit()
    return World(call, officer, stage, proposals, leads, chair, member)


def _wall(value: datetime) -> str:
    return app_clock.to_kst(value).strftime("%Y-%m-%dT%H:%M")


def schedule_form(w: World, **over) -> dict:
    data = {"starts_at": _wall(START), "room": "한국산업단지공단 본사 대회의실", "video_url": "",
            "slot_minutes": "30", "break_minutes": "10",
            "presenter_rule": "주관기관 사업책임자가 발표, 질의응답 포함 3인 이내 참석",
            "slides_due_at": _wall(START - timedelta(days=2)), "no_show_rule": "exclude", "chair_id": str(w.chair.id)}
    data.update(over)
    return data


def _url(w: World, tail: str = "") -> str:
    return f"/officer/calls/{w.call.id}/presentation/{w.stage.id}{tail}"


def scheduled(w: World, client, **over) -> PresentationSchedule:
    sign_in(client, w.officer)
    assert client.post(_url(w), data=schedule_form(w, **over)).status_code == 303
    assert client.post(_url(w, "/slots")).status_code == 303
    return presentation.schedule_of(w.stage)


def published(w: World, client, **over) -> PresentationSchedule:
    schedule = scheduled(w, client, **over)
    assert client.post(_url(w, "/publish"), data={"confirm": "y"}).status_code == 303
    db.session.refresh(schedule)
    return schedule


# --- schedule and slots -------------------------------------------------------------------

def test_slots_follow_the_schedule_in_receipt_number_order(app, client, clock, mailbox):
    w = presentation_world()
    schedule = scheduled(w, client)
    got = [(s.proposal.receipt_no[-4:], app_clock.to_kst(s.starts_at).strftime("%m-%d %H:%M"),
            app_clock.to_kst(s.ends_at).strftime("%H:%M")) for s in schedule.slots]
    # 30 minutes each, 10 minutes' break between them, from 10:00 KST on the day.
    assert got == [("0001", "07-20 10:00", "10:30"), ("0002", "07-20 10:40", "11:10"), ("0003", "07-20 11:20", "11:50")]
    assert schedule.starts_at == datetime(2025, 7, 20, 1, 0, tzinfo=timezone.utc)
    page = visible_text(client.get(_url(w)).get_data(as_text=True))
    assert "2025-07-20 10:40 KST" in page and "발표 신청서 0002" in page
    # Not published: the consortium sees nothing yet, and nobody was told.
    sign_in(client, w.leads[1])
    assert "공개된 발표평가 일정이 없습니다" in client.get(
        f"/my/proposals/{w.proposals[1].id}/presentation").get_data(as_text=True)
    assert read_mails(mailbox) == []


def test_changing_the_schedule_before_publication_replaces_the_slots(app, client, clock, mailbox):
    w = presentation_world()
    scheduled(w, client)
    assert client.post(_url(w), data=schedule_form(w, slot_minutes="20", break_minutes="5")).status_code == 303
    db.session.expire_all()

    def times():
        return [app_clock.to_kst(s.starts_at).strftime("%H:%M")
                for s in db.session.scalars(select(PresentationSlot).order_by(PresentationSlot.position))]

    assert times() == ["10:00", "10:25", "10:50"]  # the draft slots follow the saved schedule
    assert client.post(_url(w, "/slots")).status_code == 303  # generating again replaces them, no duplicates
    db.session.expire_all()
    slots = db.session.scalars(select(PresentationSlot).order_by(PresentationSlot.position)).all()
    assert len(slots) == 3
    assert [app_clock.to_kst(s.starts_at).strftime("%H:%M") for s in slots] == ["10:00", "10:25", "10:50"]
    assert all(s.sequence == 0 for s in slots) and read_mails(mailbox) == []


def test_a_bad_schedule_is_refused_beside_each_field_and_saves_nothing(app, client, clock):
    w = presentation_world()
    sign_in(client, w.officer)
    resp = client.post(_url(w), data=schedule_form(
        w, room="", video_url="ftp://x", slot_minutes="0", slides_due_at=_wall(START + timedelta(hours=1)),
        chair_id=str(w.officer.id)))
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    for message in ("화상회의 링크는 http:// 또는 https://로 시작하는 주소여야 합니다.", "5분에서 240분 사이로 입력하십시오.",
                    "발표자료 제출 마감은 발표평가 시작 전이어야 합니다.",
                    "위원장은 이 단계에 배정된 평가위원 가운데에서 고르십시오."):
        assert message in page
    assert db.session.scalar(select(PresentationSchedule)) is None
    resp = client.post(_url(w), data=schedule_form(w, room="", video_url=""))
    assert "발표 장소나 화상회의 링크 가운데 하나는 입력하십시오." in resp.get_data(as_text=True)
    assert db.session.scalar(select(PresentationSchedule)) is None
    # No slots without a saved schedule; publication needs slots.
    assert client.post(_url(w, "/publish"), data={"confirm": "y"}).status_code == 422


def test_a_written_stage_has_no_presentation_page(app, client, clock):
    w = presentation_world()
    sign_in(client, w.officer)
    assert client.get(f"/officer/calls/{w.call.id}/presentation/{w.call.stages[1].id}").status_code == 404
    resp = client.get(f"/officer/calls/{w.call.id}/presentation")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(_url(w))


# --- publication ----------------------------------------------------------------------------

def _ics(mail) -> Calendar:
    parts = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1 and parts[0].get_filename() == "invite.ics"
    return Calendar.from_ical(parts[0].get_payload(decode=True))


def test_publication_mails_every_contact_and_reviewer_a_calendar_event(app, client, clock, mailbox):
    w = presentation_world()
    colleague = UserFactory(organisation=w.leads[0].organisation)  # a second contact of the first consortium
    db.session.commit()
    scheduled(w, client)
    resp = client.post(_url(w, "/publish"), data={})
    assert resp.status_code == 422 and "공개하려면 확인란을 선택하십시오." in resp.get_data(as_text=True)
    assert read_mails(mailbox) == []
    assert client.post(_url(w, "/publish"), data={"confirm": "y"}).status_code == 303

    first = w.proposals[1]  # receipt 0001: the first slot, 10:00 KST
    for person in (w.leads[1], ):
        (mail,) = read_mails(mailbox, to=person.email)
        assert mail["Subject"] == f"[공모] 발표평가 일정 안내: {w.call.title}"
        assert "주관기관 사업책임자가 발표" in mail.get_body(("plain",)).get_content()
        (event,) = _ics(mail).walk("VEVENT")
        start = event.decoded("dtstart")
        assert start == datetime(2025, 7, 20, 1, 0, tzinfo=timezone.utc)  # the same instant in UTC
        assert start.utcoffset() == timedelta(hours=9) and str(start.tzinfo) == "Asia/Seoul"
        assert event.decoded("dtend") - start == timedelta(minutes=30)
        assert str(event["location"]) == "한국산업단지공단 본사 대회의실"
        assert first.receipt_no in str(event["summary"])
    assert len(read_mails(mailbox, to=colleague.email)) == 1 and len(read_mails(mailbox, to=w.leads[0].email)) == 1
    for reviewer in (w.chair, w.member):
        (mail,) = read_mails(mailbox, to=reviewer.email)
        events = sorted(_ics(mail).walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
        assert [app_clock.to_kst(e.decoded("dtstart")).strftime("%H:%M") for e in events] == ["10:00", "10:40", "11:20"]
    notices = db.session.scalars(select(Notification).where(Notification.user_id == w.leads[1].id)).all()
    assert [n.text_in("ko") for n in notices] == [f"[{w.call.title}] 발표평가 일정이 공개되었습니다: 2025-07-20 10:00 KST"]
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "presentation.published")) is not None
    # Published once: a second publication is refused.
    resp = client.post(_url(w, "/publish"), data={"confirm": "y"})
    assert resp.status_code == 422 and "이미 공개된 일정입니다." in resp.get_data(as_text=True)
    # The reviewers find the schedule on their review list.
    sign_in(client, w.member)
    assert "발표평가 일정 및 종합의견" in client.get("/review/").get_data(as_text=True)
    page = visible_text(client.get("/review/presentations").get_data(as_text=True))
    assert "발표 신청서 0001" in page and "김위원장" in page


def test_a_change_after_publication_is_a_rescheduling_with_a_notice(app, client, clock, mailbox):
    w = presentation_world()
    published(w, client)
    sign_in(client, w.leads[1])
    assert client.post(f"/my/proposals/{w.proposals[1].id}/presentation/confirm").status_code == 303
    sign_in(client, w.officer)
    later = START + timedelta(hours=4)
    assert client.post(_url(w), data=schedule_form(w, starts_at=_wall(later))).status_code == 303
    db.session.expire_all()
    slot = db.session.scalar(select(PresentationSlot).where(PresentationSlot.proposal_id == w.proposals[1].id))
    assert slot.starts_at == later and slot.sequence == 1
    assert slot.confirmed_at is None  # agreed to another time: asked again
    mails = read_mails(mailbox, to=w.leads[1].email)
    assert [m["Subject"] for m in mails] == [f"[공모] 발표평가 일정 안내: {w.call.title}",
                                             f"[공모] 발표평가 일정 변경: {w.call.title}"]
    (event,) = _ics(mails[-1]).walk("VEVENT")
    (old,) = _ics(mails[0]).walk("VEVENT")
    assert str(event["uid"]) == str(old["uid"]) and int(event["sequence"]) == 1
    assert event.decoded("dtstart") == later
    assert len(read_mails(mailbox, to=w.member.email)) == 2
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "presentation.slot_rescheduled",
                                                       AuditEntry.object_id == slot.id))
    assert entry.data["changes"]["starts_at"][1].startswith("2025-07-20 05:00")


# --- the consortium's side ------------------------------------------------------------------

def test_the_applicant_confirms_its_own_slot_and_cannot_reach_anothers(app, client, clock, mailbox):
    w = presentation_world()
    published(w, client)
    own, other = w.proposals[1], w.proposals[2]
    sign_in(client, w.leads[1])
    page = visible_text(client.get(f"/proposals/{own.id}").get_data(as_text=True))
    assert "발표평가 일정" in page and "2025-07-20 10:00 KST" in page
    page = visible_text(client.get(f"/my/proposals/{own.id}/presentation").get_data(as_text=True))
    assert "2025-07-20 10:00 KST" in page and "한국산업단지공단 본사 대회의실" in page and "미확인" in page
    assert client.post(f"/my/proposals/{own.id}/presentation/confirm").status_code == 303
    assert client.get(f"/my/proposals/{other.id}/presentation").status_code == 404
    assert client.post(f"/my/proposals/{other.id}/presentation/confirm").status_code == 404
    db.session.expire_all()
    slots = {s.proposal_id: s for s in db.session.scalars(select(PresentationSlot))}
    assert slots[own.id].confirmed_at is not None and slots[own.id].confirmed_by_id == w.leads[1].id
    assert slots[other.id].confirmed_at is None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "presentation.slot_confirmed")) is not None
    # A member organisation that is not the lead sees the slot but does not speak for the proposal.
    member = UserFactory(organisation=OrganisationFactory())
    own.consortium.members.append(confirmed_member(member.organisation, "university"))
    db.session.commit()
    sign_in(client, member)
    assert client.get(f"/my/proposals/{own.id}/presentation").status_code == 200
    assert client.post(f"/my/proposals/{own.id}/presentation/confirm").status_code == 403


def test_slides_are_taken_until_the_cut_off_and_refused_after(app, client, clock, mailbox):
    w = presentation_world()
    schedule = published(w, client)
    own = w.proposals[0]
    url = f"/my/proposals/{own.id}/presentation"
    sign_in(client, w.leads[0])
    resp = client.post(url, data={"slides": (io.BytesIO(b"MZ\x90\x00not a document"), "발표.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 422
    resp = client.post(url, data={"slides": (io.BytesIO(minimal_pdf()), "발표자료.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 303
    slot = db.session.scalar(select(PresentationSlot).where(PresentationSlot.proposal_id == own.id))
    assert slot.slides_filename == "발표자료.pdf" and slot.slides_type == "pdf" and len(slot.slides_sha256) == 64
    download = client.get(f"{url}/slides")
    assert download.status_code == 200 and download.data == minimal_pdf()
    sign_in(client, w.officer)
    assert client.get(f"/officer/presentation/slots/{slot.id}/slides").data == minimal_pdf()

    clock.move_to(schedule.slides_due_at + timedelta(minutes=1))
    sign_in(client, w.leads[0])
    resp = client.post(url, data={"slides": (io.BytesIO(minimal_pdf() + b"%late"), "늦은자료.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 422
    assert "발표자료 제출 마감(2025-07-18 10:00 KST)이 지나 올릴 수 없습니다." in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PresentationSlot, slot.id).slides_filename == "발표자료.pdf"


# --- attendance and no-shows ----------------------------------------------------------------

def test_an_absent_consortium_is_a_no_show_under_the_exclude_rule(app, client, clock, mailbox):
    w = presentation_world()
    schedule = published(w, client)
    slots = {s.proposal_id: s for s in schedule.slots}
    absent, present = slots[w.proposals[0].id], slots[w.proposals[1].id]
    assert presentation_day.no_shows(w.stage) == {}
    assert client.post(f"/officer/presentation/slots/{absent.id}/attendance", data={"attendance": "absent"}).status_code == 303
    assert client.post(f"/officer/presentation/slots/{present.id}/attendance", data={"attendance": "present"}).status_code == 303
    db.session.expire_all()
    out = presentation_day.no_shows(w.stage)
    assert list(out) == [w.proposals[0].id] and "발표평가 불참" in out[w.proposals[0].id]
    page = visible_text(client.get(_url(w)).get_data(as_text=True))
    assert out[w.proposals[0].id] in page
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "presentation.attendance",
                                                       AuditEntry.object_id == absent.id))
    assert entry.data["changes"] == {"attendance": ["pending", "absent"]}
    # Scored on the documents instead: nobody is out.
    assert client.post(_url(w), data=schedule_form(w, no_show_rule="evaluate_documents")).status_code == 303
    db.session.expire_all()
    assert presentation_day.no_shows(w.stage) == {}
    # Only the call's officers record attendance.
    sign_in(client, w.leads[0])
    assert client.post(f"/officer/presentation/slots/{absent.id}/attendance", data={"attendance": "present"}).status_code == 404


# --- the chair's 종합의견 --------------------------------------------------------------------------

def test_only_the_chair_writes_the_opinion_on_a_proposal_without_conflict(app, client, clock, mailbox):
    w = presentation_world()
    schedule = published(w, client)
    slots = {s.proposal_id: s for s in schedule.slots}
    slot = slots[w.proposals[1].id]
    field = f"s{slot.id}-opinion"
    sign_in(client, w.member)
    assert client.post(f"/review/presentations/slots/{slot.id}/opinion", data={field: "남의 의견"}).status_code == 403
    sign_in(client, w.chair)
    page = client.get("/review/presentations").get_data(as_text=True)
    assert page.count("종합의견 저장") == 3
    assert client.post(f"/review/presentations/slots/{slot.id}/opinion", data={field: "  "}).status_code == 422
    opinion = "실증 계획이 구체적이고 질의응답이 충실하였음. 위원 합의로 우수."
    assert client.post(f"/review/presentations/slots/{slot.id}/opinion", data={field: opinion}).status_code == 303
    db.session.expire_all()
    saved = db.session.get(PresentationSlot, slot.id)
    assert saved.opinion == opinion and saved.opinion_by_id == w.chair.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "presentation.opinion"))
    assert entry.data["changes"]["opinion"] == ["", opinion]
    # The chair recused from another proposal: no opinion on it.
    seat = db.session.scalar(select(ReviewAssignment).where(ReviewAssignment.reviewer_id == w.chair.id,
                                                            ReviewAssignment.proposal_id == w.proposals[2].id))
    seat.coi_status = "recused"
    db.session.commit()
    conflicted = slots[w.proposals[2].id]
    resp = client.post(f"/review/presentations/slots/{conflicted.id}/opinion",
                       data={f"s{conflicted.id}-opinion": "의견"})
    assert resp.status_code == 422
    assert "이해충돌이 없다고 서약하고 평가하는 신청서에만 종합의견을 작성할 수 있습니다." in resp.get_data(as_text=True)
    assert db.session.get(PresentationSlot, conflicted.id).opinion == ""
    assert [s.opinion for s in presentation_day.opinions_of(w.proposals[1])] == [opinion]


def test_the_opinion_shows_with_the_result(app, client, clock):
    call = closed_call()
    officer = officer_for(call)
    p = submitted_proposal(call, "창원")
    applicant = applicant_of(p)
    screening.decide(p, officer, "confirmed", "")
    lifecycle.start_review(call, officer)
    results.compute(call, officer, uniform_sheets(p, "20", "15", "6", "6"))
    decisions.decide(call, officer)
    decisions.announce(call, officer)
    # The chair's opinion of a presentation stage held for this proposal.
    stage = EvaluationStage(position=2, kind="presentation", panel_size=1, rubric=RUBRIC, policy={})
    call.stages.append(stage)
    db.session.flush()
    chair = UserFactory(roles=["reviewer"], organisation=OrganisationFactory(type="university"), name="박위원장")
    schedule = PresentationSchedule(stage_id=stage.id, starts_at=START, room="대회의실", slot_minutes=30,
                                    break_minutes=0, slides_due_at=START, chair_id=chair.id, published_at=START)
    schedule.slots.append(PresentationSlot(proposal_id=p.id, position=0, starts_at=START,
                                           ends_at=START + timedelta(minutes=30), opinion="발표가 명확함. 합의 의견.",
                                           opinion_by_id=chair.id, opinion_at=START))
    db.session.add(schedule)
    result = results.result_of(p)
    db.session.commit()
    sign_in(client, applicant)
    page = visible_text(client.get(f"/my/proposals/{p.id}/result").get_data(as_text=True))
    assert "발표평가 위원장 종합의견" in page and "발표가 명확함. 합의 의견." in page
    sign_in(client, officer)
    page = visible_text(client.get(f"/officer/results/{result.id}").get_data(as_text=True))
    assert "발표평가 위원장 종합의견" in page and "발표가 명확함. 합의 의견." in page and "박위원장" in page


@pytest.mark.parametrize("rule", ["exclude", "evaluate_documents"])
def test_no_shows_is_empty_before_publication(app, client, clock, rule):
    w = presentation_world()
    schedule = scheduled(w, client, no_show_rule=rule)
    schedule.slots[0].attendance = "absent"
    db.session.commit()
    assert presentation_day.no_shows(w.stage) == {}
