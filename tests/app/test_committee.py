"""The 심의위원회 confirms the proposed selection before the officer may decide it.

Members are named per call; a meeting needs more than half of them present (a quorum) before
any vote; each proposed selection is approved by a majority of the present members who have no
conflict with it; closing the meeting writes Korean minutes as a PDF whose SHA-256 is kept.
Once a call has a committee, the decision waits for a closed meeting that approved exactly the
current selection: an override or a recomputation after the vote needs a new meeting.
"""
from __future__ import annotations

import base64
import hashlib
import re
import zlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.calls import lifecycle
from app.calls.lifecycle import LifecycleError
from app.core import clock, storage
from app.demo import ax2025
from app.extensions import db
from app.models import AuditEntry, Call, CommitteeMeeting
from app.models.calls import CallPhase
from app.selection import committee, committee_meetings, committee_minutes, decisions, results, screening, steps
from app.selection.committee import CommitteeError
from tests.app.builders import submitted_proposal, uniform_sheets
from tests.factories import OrganisationFactory, UserFactory, closed_call, officer_for, other_agency_officer
from tests.support import sign_in, visible_text


@pytest.fixture
def selection(app, clock, isolated_dirs):
    """Three screened proposals, two awards: 창원 and 구미 are the proposed selection, 여수 is not.

    구미's consortium counts 한빛대학교 as a confirmed member, so a committee member of that
    university has a conflict with 구미's proposal.
    """
    call = closed_call(awards=2, policy={**ax2025.policy(), "awards": 2})
    officer = officer_for(call, name="김담당")
    university = OrganisationFactory(name="한빛대학교", type="university")
    top = submitted_proposal(call, "창원", title="창원 AX 실증산단")
    second = submitted_proposal(call, "구미", title="구미 AX 실증산단", members=(university,))
    third = submitted_proposal(call, "여수", title="여수 AX 실증산단")
    for p in (top, second, third):
        screening.decide(p, officer, "confirmed", "")
    lifecycle.start_review(call, officer)
    results.compute(call, officer, uniform_sheets(top, "30", "S", "10", "10") + uniform_sheets(second, "27", "A", "8.5", "10")
                    + uniform_sheets(third, "20", "B", "6", "6"))
    db.session.commit()
    assert [r.proposal_id for r in committee.proposed_selection(call)] == [top.id, second.id]
    return call, officer, top, second, third, university


def _members(call, officer, n, *, conflicted_org=None):
    """n members named (the first the chair); with ``conflicted_org``, the last one works there."""
    people = []
    for i in range(n):
        org = conflicted_org if conflicted_org is not None and i == n - 1 else OrganisationFactory(type="university")
        user = UserFactory(organisation=org, name=f"위원{i + 1}")
        role = "chair" if i == 0 else "member"
        people.append(committee.add_member(call, officer, user.email, role))
    db.session.commit()
    return people


def _meeting(call, officer, present):
    committee_meetings.schedule(call, officer, clock.now() + timedelta(days=1), "한국산업단지공단 대회의실")
    meeting = committee_meetings.open_meeting(call, officer)
    committee_meetings.record_attendance(call, officer, {m.id for m in present})
    db.session.commit()  # as the views do: a refusal afterwards rolls back to here
    return meeting


def _vote_all(call, officer, voters, proposals, choice="for"):
    committee_meetings.record_votes(call, officer, {(m.id, p.id): choice for m in voters for p in proposals})


def pdf_text(data: bytes) -> str:
    """The text a reader would copy out of a ReportLab PDF: each show-text string decoded through its
    font subset's ToUnicode map (enough for the documents app/core/pdf.py writes)."""
    objects = {int(m.group(1)): m.group(2) for m in re.finditer(rb"(\d+) 0 obj\n(.*?)endobj", data, re.S)}

    def stream(body: bytes) -> bytes:
        raw = body.split(b"stream\n", 1)[1].rsplit(b"endstream", 1)[0]
        if b"ASCII85Decode" in body:
            raw = base64.a85decode(raw.strip().removesuffix(b"~>"))
        return zlib.decompress(raw) if b"FlateDecode" in body else raw

    fonts = {}
    for body in objects.values():
        for name, ref in re.findall(rb"/(F\d+\+\d+) (\d+) 0 R", body):
            font = objects[int(ref)]
            cmap_ref = re.search(rb"/ToUnicode (\d+) 0 R", font)
            if cmap_ref:
                cmap = stream(objects[int(cmap_ref.group(1))])
                fonts[name] = {int(a, 16): chr(int(b, 16)) for a, b in re.findall(rb"<([0-9A-F]{2})> <([0-9A-F]{4})>", cmap)}
    out = []
    for body in objects.values():
        if b"stream\n" not in body or b"/Length1" in body or b"/Subtype" in body:
            continue
        try:
            content = stream(body)
        except zlib.error:
            continue
        current = None
        for token in re.finditer(rb"/(F\d+(?:\+\d+)?) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj|T\*|Td|TD", content, re.S):
            if token.group(1):
                current = fonts.get(token.group(1))
            elif token.group(2) is not None and current is not None:
                raw = re.sub(rb"\\([0-7]{3}|.)", lambda m: bytes([int(m.group(1), 8)]) if m.group(1).isdigit()
                             else {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(m.group(1), m.group(1)), token.group(2))
                out.append("".join(current.get(b, "") for b in raw))
            else:
                out.append("\n")
    return "".join(out)


# --- quorum and majorities --------------------------------------------------------------------

def test_voting_is_refused_below_a_majority_of_the_members_with_the_numbers(selection):
    call, officer, top, second, *_ = selection
    people = _members(call, officer, 5)
    _meeting(call, officer, people[:2])

    with pytest.raises(CommitteeError) as refused:
        _vote_all(call, officer, people[:2], [top])
    assert "재적 위원 5명 중 2명 출석" in str(refused.value.message)
    assert "과반수 3명 이상" in str(refused.value.message)
    db.session.rollback()

    # Exactly half is no majority either: 4 members, 2 present.
    assert not committee.Quorum(4, 2).reached and committee.Quorum(4, 3).reached
    committee_meetings.record_attendance(call, officer, {m.id for m in people[:3]})
    _vote_all(call, officer, people[:3], [top, second])  # 3 of 5: now the votes are taken


def test_a_proposal_is_approved_by_a_majority_of_those_present_and_a_tie_rejects(selection):
    call, officer, top, second, *_ = selection
    people = _members(call, officer, 6)
    meeting = _meeting(call, officer, people[:4])
    a, b, c, d = people[:4]
    committee_meetings.record_votes(call, officer, {
        (a.id, top.id): "for", (b.id, top.id): "for", (c.id, top.id): "for", (d.id, top.id): "against",
        (a.id, second.id): "for", (b.id, second.id): "for", (c.id, second.id): "against", (d.id, second.id): "against",
    })
    committee_meetings.close_meeting(call, officer)
    db.session.commit()

    got = {r.proposal_id: (r.approved, r.votes_for, r.votes_against, r.voters) for r in meeting.resolutions}
    assert got == {top.id: (True, 3, 1, 4), second.id: (False, 2, 2, 4)}  # 2 of 4 present is no majority


def test_closing_needs_every_vote_of_the_present_members(selection):
    call, officer, top, second, *_ = selection
    people = _members(call, officer, 3)
    _meeting(call, officer, people[:2])
    _vote_all(call, officer, people[:2], [top])
    with pytest.raises(CommitteeError) as refused:
        committee_meetings.close_meeting(call, officer)
    assert "아직 기록되지 않은 표가 2개" in str(refused.value.message)


def test_a_conflicted_member_does_not_vote_on_that_proposal_and_is_not_counted(selection):
    call, officer, top, second, _third, university = selection
    people = _members(call, officer, 5, conflicted_org=university)
    conflicted = people[-1]
    assert committee.member_conflicts(call)[conflicted.id][0].startswith(f"{second.receipt_no}: 제척: 참여기관 한빛대학교")
    present = [people[0], people[1], people[2], conflicted]
    meeting = _meeting(call, officer, present)

    with pytest.raises(CommitteeError) as refused:
        committee_meetings.record_votes(call, officer, {(conflicted.id, second.id): "for"})
    assert "이해충돌로 이 신청서" in str(refused.value.message)
    db.session.rollback()

    # 구미: 2 for, 1 against among the 3 who may vote: carried; counting the conflicted member
    # as a voter (4) would have left it at 2 of 4, no majority.
    _vote_all(call, officer, present, [top])
    committee_meetings.record_votes(call, officer, {(people[0].id, second.id): "for", (people[1].id, second.id): "for",
                                                    (people[2].id, second.id): "against"})
    committee_meetings.close_meeting(call, officer)
    db.session.commit()
    resolution = next(r for r in meeting.resolutions if r.proposal_id == second.id)
    assert (resolution.approved, resolution.voters, resolution.conflicted) == (True, 3, 1)
    text = pdf_text(storage.get().open(committee_minutes.key(meeting)).read())
    assert "위원5 위원은" in text and "한빛대학교" in text and "표결에 참여하지 않았고" in text


def test_the_agencys_own_staff_cannot_be_named(selection):
    call, officer, *_ = selection
    colleague = UserFactory(organisation=call.programme.agency)
    with pytest.raises(CommitteeError) as refused:
        committee.add_member(call, officer, colleague.email, "member")
    assert refused.value.field == "email" and "전담기관 소속" in str(refused.value.message)


def test_members_cannot_change_while_a_meeting_is_open(selection):
    call, officer, *_ = selection
    people = _members(call, officer, 3)
    _meeting(call, officer, people)
    with pytest.raises(CommitteeError):
        committee.remove_member(call, officer, people[1].id)
    newcomer = UserFactory()
    with pytest.raises(CommitteeError):
        committee.add_member(call, officer, newcomer.email, "member")


# --- the minutes ------------------------------------------------------------------------------

def test_closing_writes_korean_minutes_whose_recorded_sha256_matches_the_file(selection):
    call, officer, top, second, *_ = selection
    people = _members(call, officer, 3)
    meeting = _meeting(call, officer, people[:2])
    _vote_all(call, officer, people[:2], [top, second])
    committee_meetings.close_meeting(call, officer)
    db.session.commit()

    data = storage.get().open(committee_minutes.key(meeting)).read()
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == meeting.minutes_sha256
    assert meeting.minutes_size == len(data)
    assert re.search(rb"/BaseFont /[A-Z]{6}\+NanumGothic", data) and b"/FontFile2" in data  # embedded subset
    text = pdf_text(data)
    for expected in ("심의위원회 회의록 (제1차)", call.title, "한국산업단지공단 대회의실", "위원1", "불참",
                     "재적 위원 3명 중 2명 출석", "가결", second.receipt_no):
        assert expected in text, expected
    closed = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "committee.meeting_closed"))
    assert closed.data["minutes_sha256"] == meeting.minutes_sha256 and closed.call_id == call.id


# --- the decision waits for the committee -----------------------------------------------------

def test_deciding_waits_for_the_committee_and_a_changed_selection_needs_a_new_vote(selection, clock):
    call, officer, top, second, third, _ = selection
    people = _members(call, officer, 3)
    db.session.commit()
    with pytest.raises(LifecycleError) as refused:
        decisions.decide(call, officer)
    assert "심의위원회가 선정안을 아직 의결하지 않았습니다" in str(refused.value)
    assert any("아직 의결하지 않았습니다" in line for line in steps.preview(call, "decide"))

    # The committee approves 창원 and 구미; then the officer swaps 구미 for 여수 with a reason.
    _meeting(call, officer, people)
    _vote_all(call, officer, people, [top, second])
    committee_meetings.close_meeting(call, officer)
    clock.shift(60)
    results.override(results.result_of(second), officer, False, "참여기관 확약서 위조 확인")
    results.override(results.result_of(third), officer, True, "차순위 신청서를 선정합니다")
    with pytest.raises(LifecycleError) as refused:
        decisions.decide(call, officer)
    assert "제1차 회의의 의결 뒤에 선정안이 바뀌었습니다" in str(refused.value)

    # The second meeting rejects 여수: still refused, now saying so.
    clock.shift(60)
    _meeting(call, officer, people)
    committee_meetings.record_votes(call, officer, {(m.id, top.id): "for" for m in people}
                                    | {(m.id, third.id): "against" for m in people})
    committee_meetings.close_meeting(call, officer)
    with pytest.raises(LifecycleError) as refused:
        decisions.decide(call, officer)
    assert "제2차 회의에서 선정안 2건 중 1건이 부결되었습니다" in str(refused.value)

    # Back to 구미 (an override again) and a third meeting approving both: decided.
    clock.shift(60)
    results.override(results.result_of(third), officer, False, "심의위원회 부결에 따라 선정 취소")
    results.override(results.result_of(second), officer, True, "확약서 원본 확인으로 재선정")
    clock.shift(60)
    _meeting(call, officer, people)
    _vote_all(call, officer, people, [top, second])
    committee_meetings.close_meeting(call, officer)
    assert any("제3차 회의" in line and "모두 가결" in line for line in steps.preview(call, "decide"))
    decisions.decide(call, officer)
    assert call.phase == CallPhase.DECIDED


def test_a_recomputation_after_the_vote_needs_a_new_vote(selection, clock):
    call, officer, top, second, third, _ = selection
    people = _members(call, officer, 3)
    _meeting(call, officer, people)
    _vote_all(call, officer, people, [top, second])
    committee_meetings.close_meeting(call, officer)
    clock.shift(60)
    results.compute(call, officer, uniform_sheets(top, "30", "S", "10", "10") + uniform_sheets(second, "27", "A", "8.5", "10")
                    + uniform_sheets(third, "20", "B", "6", "6"))
    assert "의결 뒤에 선정안이 바뀌었습니다" in decisions.decide_blocker(call)


def test_a_call_without_a_committee_decides_as_before_and_says_so(selection):
    call, officer, *_ = selection
    assert any("심의위원회가 구성되지 않았습니다" in line for line in steps.preview(call, "decide"))
    decisions.decide(call, officer)
    assert call.phase == CallPhase.DECIDED


# --- the officer's page -----------------------------------------------------------------------

def test_the_officer_runs_the_meeting_on_the_committee_page_and_downloads_the_minutes(selection, client):
    call, officer, top, second, _third, university = selection
    people = [UserFactory(name=f"심의{i}", organisation=university if i == 3 else OrganisationFactory())
              for i in range(1, 4)]
    db.session.commit()
    sign_in(client, officer)
    base = f"/officer/calls/{call.id}/committee"

    assert client.post(f"{base}/members", data={"email": people[0].email, "role": "chair"}).status_code == 303
    refused = client.post(f"{base}/members", data={"email": people[1].email, "role": "chair"})
    assert refused.status_code == 422 and "위원장은 한 명입니다" in refused.get_data(as_text=True)
    for p in people[1:]:
        assert client.post(f"{base}/members", data={"email": p.email, "role": "member"}).status_code == 303
    page = visible_text(client.get(base).get_data(as_text=True))
    assert "제척: 참여기관 한빛대학교" in page and "이 신청서 표결에서 제외" in page

    assert client.post(f"{base}/meeting", data={"scheduled_at": "2030-01-10T14:00", "place": "세종 회의실"}).status_code == 303
    assert client.post(f"{base}/meeting/open", data={}).status_code == 303
    meeting = committee.current_meeting(call)
    ids = [a.member_id for a in meeting.attendance]
    refused = client.post(f"{base}/meeting/votes", data={f"vote-{ids[0]}-{top.id}": "for"})
    assert refused.status_code == 422 and "재적 위원 3명 중 0명 출석" in refused.get_data(as_text=True)

    assert client.post(f"{base}/meeting/attendance", data={"present": ids}).status_code == 303
    page = client.get(base).get_data(as_text=True)
    assert f'name="vote-{ids[2]}-{second.id}"' not in page and "이해충돌: 표결 제외" in page
    grid = {f"vote-{m}-{p.id}": "for" for m in ids for p in (top, second) if (m, p.id) != (ids[2], second.id)}
    assert client.post(f"{base}/meeting/votes", data=grid).status_code == 303
    refused = client.post(f"{base}/meeting/close", data={})
    assert refused.status_code == 422 and "확인란에 표시하십시오" in refused.get_data(as_text=True)
    assert client.post(f"{base}/meeting/close", data={"confirm": "y"}).status_code == 303

    db.session.expire_all()
    closed = db.session.scalar(select(CommitteeMeeting).where(CommitteeMeeting.call_id == call.id))
    download = client.get(f"{base}/minutes/1")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert hashlib.sha256(download.data).hexdigest() == closed.minutes_sha256
    page = visible_text(client.get(base).get_data(as_text=True))
    assert "가결" in page and "모두 가결했습니다" in page
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.call_id == call.id)))
    assert {"committee.member_added", "committee.meeting_scheduled", "committee.meeting_opened",
            "committee.attendance", "committee.votes", "committee.meeting_closed"} <= actions
    attendance = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "committee.attendance"))
    assert attendance.data["changes"] == {str(i): [False, True] for i in ids}


def test_another_agencys_officer_sees_no_committee(selection, client):
    call, *_ = selection
    stranger = other_agency_officer()
    db.session.commit()
    sign_in(client, stranger)
    assert client.get(f"/officer/calls/{call.id}/committee").status_code == 404
    assert client.post(f"/officer/calls/{call.id}/committee/members",
                       data={"email": "x@example.kr", "role": "member"}).status_code == 404
    assert db.session.get(Call, call.id).phase == CallPhase.IN_REVIEW
