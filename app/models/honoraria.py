"""평가수당: the rate of each evaluation stage, each reviewer's attendance, and the closed payment batch.

The officer sets a rate per stage (per proposal for a 서면평가; per half-day or day for a 발표 or
현장평가, with an optional travel allowance) and records who came for how long; a 서면평가's count
is the reviewer's submitted sheets, which the officer confirms. Finance closes a stage's batch:
each reviewer's amounts are then frozen in ``HonorariumPayment`` (name, affiliation, gross, taxes,
net, travel), so a statement never changes after payment, whatever is edited later. The
arithmetic is ``app.review.honoraria``; every amount is an integer number of won.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import now
from app.extensions import db
from app.models.organisations import User
from app.models.stages import EvaluationStage
from app.models.types import UTCDateTime


class RateBasis(StrEnum):
    PROPOSAL = "proposal"  # 서면평가: per proposal reviewed (a submitted sheet)
    HALF_DAY = "half_day"  # 발표·현장평가: per half-day session
    DAY = "day"  # 발표·현장평가: per day


class HonorariumRate(db.Model):
    __tablename__ = "honorarium_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("evaluation_stages.id", ondelete="CASCADE"), unique=True)
    basis: Mapped[str] = mapped_column(String(16))
    amount_won: Mapped[int] = mapped_column(BigInteger)
    # Paid once per reviewer who travelled to the stage, beside the honorarium and never taxed.
    travel_won: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    stage: Mapped[EvaluationStage] = relationship()


class HonorariumAttendance(db.Model):
    """What the officer confirmed for one reviewer in one stage: sessions (proposals, half-days or
    days, by the rate's basis) and whether they travelled."""

    __tablename__ = "honorarium_attendance"
    __table_args__ = (UniqueConstraint("stage_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("evaluation_stages.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    sessions: Mapped[int] = mapped_column(Integer, default=0)
    travel: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])


class HonorariumBatch(db.Model):
    """A stage's payment, closed by finance: exists only once closed, and never reopens."""

    __tablename__ = "honorarium_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("evaluation_stages.id", ondelete="CASCADE"), unique=True)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The tax settings the amounts were computed with (rates as strings), for the record.
    settings: Mapped[dict] = mapped_column(JSON, default=dict)

    stage: Mapped[EvaluationStage] = relationship()
    payments: Mapped[list["HonorariumPayment"]] = relationship(
        back_populates="batch", cascade="all, delete-orphan", order_by="HonorariumPayment.id")


class HonorariumPayment(db.Model):
    """One reviewer's item in a closed batch, as paid: nothing here is recomputed."""

    __tablename__ = "honorarium_payments"
    __table_args__ = (UniqueConstraint("batch_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("honorarium_batches.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    affiliation: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(String(200))
    basis: Mapped[str] = mapped_column(String(16))
    sessions: Mapped[int] = mapped_column(Integer)
    rate_won: Mapped[int] = mapped_column(BigInteger)
    gross: Mapped[int] = mapped_column(BigInteger)
    income_tax: Mapped[int] = mapped_column(BigInteger)
    local_tax: Mapped[int] = mapped_column(BigInteger)
    net: Mapped[int] = mapped_column(BigInteger)
    travel_won: Mapped[int] = mapped_column(BigInteger, default=0)
    payable: Mapped[int] = mapped_column(BigInteger)

    batch: Mapped[HonorariumBatch] = relationship(back_populates="payments")
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])
