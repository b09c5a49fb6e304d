"""The 심의위원회 (selection committee) that confirms a call's proposed selection.

SPEC §6 (시행령 §28): at most 20 members, quorum a majority of the members, each proposed
selection decided by a majority of those present, with minutes. A call has a committee once
its officer names a member (a removed member keeps the row, so the call never stops having
one); from then the decision waits for a closed meeting that approved exactly the selection.
A meeting fixes its members when it opens (one attendance row each); its minutes are a PDF
stored by SHA-256 like attachments, the hash kept here.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.organisations import User
from app.models.types import UTCDateTime
from app.core.clock import now


class CommitteeRole(StrEnum):
    CHAIR = "chair"  # 위원장
    MEMBER = "member"  # 위원


class VoteChoice(StrEnum):
    FOR = "for"  # 찬성
    AGAINST = "against"  # 반대


class CommitteeMember(db.Model):
    __tablename__ = "committee_members"
    __table_args__ = (UniqueConstraint("call_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(16), default=CommitteeRole.MEMBER)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # A removed member stays on record for the meetings they sat in; adding them again clears these.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def active(self) -> bool:
        return self.removed_at is None


class CommitteeMeeting(db.Model):
    __tablename__ = "committee_meetings"
    __table_args__ = (UniqueConstraint("call_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 제N차 회의
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The minutes (회의록), generated on closing: a PDF blob kept in the storage by its sha256.
    minutes_storage_key: Mapped[str | None] = mapped_column(String(100))
    minutes_sha256: Mapped[str | None] = mapped_column(String(64))
    minutes_size: Mapped[int | None] = mapped_column(BigInteger)

    attendance: Mapped[list["CommitteeAttendance"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="CommitteeAttendance.member_id")
    votes: Mapped[list["CommitteeVote"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="CommitteeVote.id")
    resolutions: Mapped[list["CommitteeResolution"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="CommitteeResolution.id")

    @property
    def state(self) -> str:
        if self.closed_at is not None:
            return "closed"
        return "open" if self.opened_at is not None else "scheduled"


class CommitteeAttendance(db.Model):
    __tablename__ = "committee_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("committee_meetings.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id", ondelete="CASCADE"))
    present: Mapped[bool] = mapped_column(Boolean, default=False)

    meeting: Mapped[CommitteeMeeting] = relationship(back_populates="attendance")
    member: Mapped[CommitteeMember] = relationship()


class CommitteeVote(db.Model):
    """One present member's vote on one proposed selection, as the officer recorded it in the room."""

    __tablename__ = "committee_votes"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("committee_meetings.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id", ondelete="CASCADE"))
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    choice: Mapped[str] = mapped_column(String(16))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    meeting: Mapped[CommitteeMeeting] = relationship(back_populates="votes")


class CommitteeResolution(db.Model):
    """The meeting's resolution on one proposed selection, counted when the meeting closed.

    ``voters`` are the present members without a conflict on the proposal; ``conflicted``
    the present members who did not vote on it for a conflict of interest.
    """

    __tablename__ = "committee_resolutions"
    __table_args__ = (UniqueConstraint("meeting_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("committee_meetings.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    approved: Mapped[bool] = mapped_column(Boolean)
    votes_for: Mapped[int] = mapped_column(Integer)
    votes_against: Mapped[int] = mapped_column(Integer)
    voters: Mapped[int] = mapped_column(Integer)
    conflicted: Mapped[int] = mapped_column(Integer)

    meeting: Mapped[CommitteeMeeting] = relationship(back_populates="resolutions")
    proposal = relationship("Proposal")
