"""Programmes, industrial complexes and calls for proposals."""
from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime
from app.core import clock


class CallPhase(StrEnum):
    """What the officer has done (``Call.phase``); the visible status also depends on the clock."""

    DRAFT = "draft"
    PUBLISHED = "published"
    IN_REVIEW = "in_review"
    DECIDED = "decided"
    ANNOUNCED = "announced"


class CallStatus(StrEnum):
    """What ``Call.status()`` says: the phase, with "published" read against the clock."""

    DRAFT = "draft"
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"
    IN_REVIEW = "in_review"
    DECIDED = "decided"
    ANNOUNCED = "announced"


class IndustrialComplex(db.Model):
    __tablename__ = "industrial_complexes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    region: Mapped[str] = mapped_column(String(64))
    designated_year: Mapped[int | None] = mapped_column(Integer)


class Programme(db.Model):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Labels, not logic: the ministry was renamed in 2025 and other ministries will come.
    ministry: Mapped[str] = mapped_column(String(100))
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    # The ministry by identity, for the conflict rules (its staff never review); None until an
    # administrator links it.
    ministry_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))

    agency = relationship("Organisation", foreign_keys=[agency_id])
    ministry_org = relationship("Organisation", foreign_keys=[ministry_org_id])


class CallComplex(db.Model):
    __tablename__ = "call_complexes"

    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    complex_id: Mapped[int] = mapped_column(ForeignKey("industrial_complexes.id"), primary_key=True)


class InfraType(db.Model):
    """A support type a call offers for its itemised section (인프라 유형 and the like)."""

    __tablename__ = "call_infra_types"
    __table_args__ = (UniqueConstraint("call_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(32))
    label_ko: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)


class SectionKind(StrEnum):
    """What a configurable page of the proposal asks for; the overview, the budget table and the
    attachments are every call's and are not rows."""

    ITEMS = "items"  # itemised build-out, each item a support type of the call, a text and a budget
    PLANS = "plans"  # plans with a firm, a problem, a solution, a budget and KPIs
    TEXT = "text"  # one long text


# A section's key is the last part of its page's address (/proposals/<id>/<key>): it may not
# shadow the proposal's other pages nor the fixed sections every call has.
SECTION_KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
RESERVED_SECTION_KEYS = frozenset({
    "overview", "budget", "attachments", "submit", "versions", "version", "withdraw", "receipt", "diff", "result",
    "results", "challenges", "presentation", "print", "pdf", "members", "consortium", "hub",
})


class CallSection(db.Model):
    """A page of the call's proposal form, in the call's own words.

    Whatever a programme asks applicants to write is configured here, not in code: one call asks
    for a master plan and an alliance, another for a growth strategy and living conditions."""

    __tablename__ = "call_sections"
    __table_args__ = (UniqueConstraint("call_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(32))  # in the page's address and in answers
    kind: Mapped[str] = mapped_column(String(16))
    label_ko: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    guide_ko: Mapped[str] = mapped_column(Text, default="")
    guide_en: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    def label(self, locale: str = "ko") -> str:
        return self.label_en if locale == "en" and self.label_en else self.label_ko

    def guide(self, locale: str = "ko") -> str:
        return self.guide_en if locale == "en" and self.guide_en else self.guide_ko


class RequiredAttachment(db.Model):
    __tablename__ = "call_attachment_kinds"
    __table_args__ = (UniqueConstraint("call_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(32))
    label_ko: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Call(db.Model):
    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description_md: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    info_session_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    awards: Mapped[int] = mapped_column(Integer)
    per_award_cap: Mapped[int] = mapped_column(BigInteger)  # national won per award
    total_cap: Mapped[int] = mapped_column(BigInteger)  # national won in total
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)
    min_local_ratio: Mapped[Decimal] = mapped_column(Numeric(6, 4), default=Decimal("0"))
    max_attachment_bytes: Mapped[int] = mapped_column(BigInteger, default=20 * 1024 * 1024)
    max_proposal_bytes: Mapped[int] = mapped_column(BigInteger, default=200 * 1024 * 1024)
    reviewers_per_proposal: Mapped[int] = mapped_column(Integer, default=5)
    review_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The rubric and policy in the scoring contract's own form (shared/spec/scoring.md).
    rubric: Mapped[dict] = mapped_column(JSON, default=dict)
    policy: Mapped[dict] = mapped_column(JSON, default=dict)
    phase: Mapped[str] = mapped_column(String(16), default=CallPhase.DRAFT)
    next_receipt_seq: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    programme: Mapped[Programme] = relationship()
    complexes: Mapped[list[IndustrialComplex]] = relationship(
        secondary="call_complexes", order_by="IndustrialComplex.designated_year, IndustrialComplex.id"
    )
    infra_types: Mapped[list[InfraType]] = relationship(
        order_by="InfraType.position", cascade="all, delete-orphan"
    )
    attachment_kinds: Mapped[list[RequiredAttachment]] = relationship(
        order_by="RequiredAttachment.position", cascade="all, delete-orphan"
    )
    # The selection procedure (app/models/stages.py): 요건검토, then the evaluation stages.
    stages: Mapped[list["EvaluationStage"]] = relationship(  # noqa: F821 - app.models.stages
        order_by="EvaluationStage.position", cascade="all, delete-orphan", back_populates="call"
    )
    final_score: Mapped[str] = mapped_column(String(16), default="last")
    # The reviewers' pledge (서약) for this call; empty: the standard text (app/review/conflicts.py).
    pledge_text: Mapped[str] = mapped_column(Text, default="")
    sections: Mapped[list[CallSection]] = relationship(
        order_by="CallSection.position", cascade="all, delete-orphan"
    )
    # What the proposal's site choice is called in this call (대상 산업단지, 조성 입지 …); empty: the
    # portal's own words.
    site_label_ko: Mapped[str] = mapped_column(String(100), default="")
    site_label_en: Mapped[str] = mapped_column(String(100), default="")
    # Organisation types that may lead a consortium in this call (ORG_TYPES); empty: any.
    lead_org_types: Mapped[list] = mapped_column(JSON, default=list)

    def status(self, at: datetime | None = None) -> CallStatus:
        if self.phase != CallPhase.PUBLISHED:
            return CallStatus(self.phase)
        at = at or clock.now()
        if at < self.opens_at:
            return CallStatus.UPCOMING
        if at < self.closes_at:
            return CallStatus.OPEN
        return CallStatus.CLOSED

    def is_open(self, at: datetime | None = None) -> bool:
        return self.status(at) == CallStatus.OPEN

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

    def section(self, key: str) -> CallSection | None:
        return next((s for s in self.sections if s.key == key), None)

    def section_of_kind(self, kind: str) -> CallSection | None:
        """The call's items or plans page (at most one of each: they fill the proposal's lists)."""
        return next((s for s in self.sections if s.kind == kind), None)

    def infra_label(self, key: str, locale: str = "ko") -> str:
        for t in self.infra_types:
            if t.key == key:
                return t.label_en if locale == "en" else t.label_ko
        return key
