"""The minutes (회의록) of a closed 심의위원회 meeting: a Korean PDF, stored and hashed.

Written once, when the meeting closes, from what was recorded: the call, the date and place,
the members present and absent, the quorum, each proposed selection with every member's vote
and the resolution, and who sat out which vote for a conflict of interest. The minutes are an
official document in Korean whatever the officer's language. The blob is kept under
the storage (app/core/storage.py) by its SHA-256 like attachments (app/proposals/attachments.py), and the hash is
recorded on the meeting so a copy can be checked against it.
"""
from __future__ import annotations

import hashlib

from sqlalchemy import select

from app.core import clock, storage
from app.core.pdf import KoreanDocument
from app.extensions import db
from app.models import Call, Proposal
from app.models.committee import CommitteeMeeting, CommitteeRole, VoteChoice
from app.proposals.attachments import storage_key
from app.selection import committee

ROLE = {CommitteeRole.CHAIR: "위원장", CommitteeRole.MEMBER: "위원"}
CHOICE = {VoteChoice.FOR: "찬성", VoteChoice.AGAINST: "반대"}


def _kst(value) -> str:
    return clock.to_kst(value).strftime("%Y-%m-%d %H:%M") + " KST" if value else "-"


def render(call: Call, meeting: CommitteeMeeting) -> bytes:
    attendance = meeting.attendance
    present = [a.member for a in attendance if a.present]
    q = committee.quorum(meeting)
    proposals = {p.id: p for p in db.session.scalars(
        select(Proposal).where(Proposal.id.in_([r.proposal_id for r in meeting.resolutions])))}
    clash = committee.conflicts(call, present, list(proposals.values()))
    votes = {(v.member_id, v.proposal_id): v.choice for v in meeting.votes}

    doc = KoreanDocument(f"심의위원회 회의록 (제{meeting.number}차)", subject=f"{call.code} {call.title}",
                         author="공모 포털")
    doc.heading("1. 회의 개요")
    doc.table([
        ["공모", f"{call.title} ({call.code})"],
        ["회의", f"제{meeting.number}차 심의위원회"],
        ["일시", f"예정 {_kst(meeting.scheduled_at)} / 개회 {_kst(meeting.opened_at)} / 폐회 {_kst(meeting.closed_at)}"],
        ["장소", meeting.place],
    ], header=False, widths=[0.18, 0.82])

    doc.heading("2. 위원 출석")
    rows = [["구분", "성명", "소속", "출석"]]
    for a in attendance:
        org = a.member.user.organisation.name if a.member.user.organisation else "-"
        rows.append([ROLE.get(a.member.role, a.member.role), a.member.user.name, org, "출석" if a.present else "불참"])
    doc.table(rows, widths=[0.15, 0.25, 0.45, 0.15])
    doc.paragraph(f"재적 위원 {q.members}명 중 {q.present}명 출석. 의결정족수(재적 과반수 {q.needed}명 출석)를 "
                  f"{'충족하였습니다' if q.reached else '충족하지 못하였습니다'}.")

    doc.heading("3. 안건: 선정안 의결")
    doc.paragraph("선정안은 평가 결과에 따라 선정으로 산출된 신청서입니다. 각 선정안은 출석 위원 가운데 그 신청서와 "
                  "이해관계가 없는 위원의 과반수 찬성으로 가결합니다.")
    rows = [["접수번호", "신청서", "찬성", "반대", "표결 위원", "이해충돌 제외", "의결"]]
    for r in meeting.resolutions:
        p = proposals[r.proposal_id]
        rows.append([p.receipt_no or "-", p.title, r.votes_for, r.votes_against, r.voters, r.conflicted,
                     "가결" if r.approved else "부결"])
    doc.table(rows, widths=[0.19, 0.29, 0.08, 0.08, 0.11, 0.13, 0.12])

    doc.heading("4. 위원별 표결")
    for r in meeting.resolutions:
        p = proposals[r.proposal_id]
        parts = []
        for m in present:
            if (m.id, p.id) in clash:
                parts.append(f"{m.user.name}: 표결 제외 (이해충돌)")
            else:
                parts.append(f"{m.user.name}: {CHOICE.get(votes.get((m.id, p.id)), '-')}")
        doc.paragraph(f"{p.receipt_no or '-'} {p.title} — " + ", ".join(parts))

    doc.heading("5. 이해충돌")
    if clash:
        names = {m.id: m.user.name for m in present}
        for (member_id, proposal_id), reason in sorted(clash.items()):
            p = proposals[proposal_id]
            doc.paragraph(f"{names[member_id]} 위원은 {p.receipt_no or '-'} {p.title}에 대하여 {reason}에 해당하여 "
                          f"표결에 참여하지 않았고, 그 안건의 의결정족수 계산에서 제외하였습니다.")
    else:
        doc.paragraph("출석 위원 가운데 선정안과 이해관계가 있는 위원은 없었습니다.")

    approved = sum(1 for r in meeting.resolutions if r.approved)
    doc.heading("6. 의결 결과")
    doc.paragraph(f"선정안 {len(meeting.resolutions)}건 가운데 {approved}건 가결, "
                  f"{len(meeting.resolutions) - approved}건 부결.")
    return doc.render()


def write(call: Call, meeting: CommitteeMeeting) -> None:
    """Render the minutes, store the blob by its SHA-256 and record the hash on the meeting."""
    data = render(call, meeting)
    sha256 = hashlib.sha256(data).hexdigest()
    key = storage_key(sha256)
    storage.get().put_bytes(key, data)  # before the meeting row that names it is committed
    meeting.minutes_storage_key = key
    meeting.minutes_sha256 = sha256
    meeting.minutes_size = len(data)


def key(meeting: CommitteeMeeting) -> str | None:
    return meeting.minutes_storage_key or None


def filename(call: Call, meeting: CommitteeMeeting) -> str:
    return f"심의위원회_회의록_{call.code}_제{meeting.number}차.pdf"
