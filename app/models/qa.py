"""A call's public Q&A board (질의응답), its FAQ and who follows the call."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.calls import Call
from app.models.organisations import User
from app.models.types import UTCDateTime
from app.core.clock import now


class QuestionVisibility(StrEnum):
    """public: on the board for everyone; private: only the asker and the call's officers."""

    PUBLIC = "public"
    PRIVATE = "private"


class QuestionState(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class CallQuestion(db.Model):
    """A question about a call and, once given, the officers' answer."""

    __tablename__ = "call_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    asker_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(16), default=QuestionVisibility.PUBLIC)
    state: Mapped[str] = mapped_column(String(16), default=QuestionState.OPEN, index=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the answer was changed after it was first given: the board says "수정됨".
    answer_edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    call: Mapped[Call] = relationship()
    asker: Mapped[User] = relationship(foreign_keys=[asker_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    @property
    def is_private(self) -> bool:
        return self.visibility == QuestionVisibility.PRIVATE


class FaqEntry(db.Model):
    """One entry of a call's FAQ, in the officers' order.

    It holds its own question text: the officer may reword the asker's (and must, for a private
    question, whose words were never meant for the public) and the FAQ never shows the original.
    """

    __tablename__ = "call_faq_entries"
    __table_args__ = (UniqueConstraint("question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("call_questions.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class CallFollow(db.Model):
    """A user who wants to hear of the call's new public answers (the programme subscription's
    counterpart for one call)."""

    __tablename__ = "call_follows"
    __table_args__ = (UniqueConstraint("user_id", "call_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
