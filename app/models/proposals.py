"""Proposals (신청서), their sections, attachments and frozen versions."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.calls import Call, IndustrialComplex
from app.models.consortia import Consortium
from app.models.types import UTCDateTime
from app.core.clock import now

BUDGET_SOURCES = ("national", "local", "private_cash", "private_inkind")


class ProposalStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class Proposal(db.Model):
    __tablename__ = "proposals"
    __table_args__ = (UniqueConstraint("call_id", "consortium_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    consortium_id: Mapped[int] = mapped_column(ForeignKey("consortia.id"), index=True)
    complex_id: Mapped[int | None] = mapped_column(ForeignKey("industrial_complexes.id"))
    title: Mapped[str] = mapped_column(String(300), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    strategic_industries: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(16), default=ProposalStatus.DRAFT)
    receipt_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    call: Mapped[Call] = relationship()
    consortium: Mapped[Consortium] = relationship()
    complex: Mapped[IndustrialComplex | None] = relationship()
    infra_items: Mapped[list["InfraItem"]] = relationship(
        cascade="all, delete-orphan", order_by="InfraItem.position"
    )
    poc_plans: Mapped[list["PocPlan"]] = relationship(
        cascade="all, delete-orphan", order_by="PocPlan.position"
    )
    texts: Mapped[list["ProposalText"]] = relationship(
        cascade="all, delete-orphan", order_by="ProposalText.section_key"
    )
    budget_lines: Mapped[list["BudgetLine"]] = relationship(
        cascade="all, delete-orphan", order_by="BudgetLine.year, BudgetLine.source"
    )
    attachments: Mapped[list["Attachment"]] = relationship(
        cascade="all, delete-orphan", order_by="Attachment.id"
    )
    versions: Mapped[list["ProposalVersion"]] = relationship(
        cascade="all, delete-orphan", order_by="ProposalVersion.number"
    )

    def text(self, section_key: str) -> str:
        """The answer to one of the call's text sections ("" while unanswered)."""
        for row in self.texts:
            if row.section_key == section_key:
                return row.body
        return ""

    def budget_amount(self, year: int, source: str) -> int:
        for line in self.budget_lines:
            if line.year == year and line.source == source:
                return line.amount
        return 0

    def total_by_source(self, source: str) -> int:
        return sum(l.amount for l in self.budget_lines if l.source == source)

    @property
    def total_budget(self) -> int:
        return sum(l.amount for l in self.budget_lines)


class ProposalText(db.Model):
    """The answer to one text section of the call (CallSection of kind text)."""

    __tablename__ = "proposal_texts"
    __table_args__ = (UniqueConstraint("proposal_id", "section_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    section_key: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text, default="")


class InfraItem(db.Model):
    __tablename__ = "infra_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    type_key: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    budget: Mapped[int] = mapped_column(BigInteger, default=0)
    position: Mapped[int] = mapped_column(Integer, default=0)


class PocPlan(db.Model):
    __tablename__ = "poc_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    tenant_firm: Mapped[str] = mapped_column(String(200), default="")
    problem: Mapped[str] = mapped_column(Text, default="")
    ai_solution: Mapped[str] = mapped_column(Text, default="")
    budget: Mapped[int] = mapped_column(BigInteger, default=0)
    position: Mapped[int] = mapped_column(Integer, default=0)

    kpis: Mapped[list["Kpi"]] = relationship(cascade="all, delete-orphan", order_by="Kpi.position")

    @property
    def is_complete(self) -> bool:
        return bool(
            self.tenant_firm.strip() and self.problem.strip() and self.ai_solution.strip()
            and self.budget > 0 and any(k.is_complete for k in self.kpis)
        )


class Kpi(db.Model):
    __tablename__ = "poc_kpis"

    id: Mapped[int] = mapped_column(primary_key=True)
    poc_plan_id: Mapped[int] = mapped_column(ForeignKey("poc_plans.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(32), default="")
    baseline: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    target: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    position: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def is_complete(self) -> bool:
        return bool(self.name.strip()) and self.baseline is not None and self.target is not None


class BudgetLine(db.Model):
    __tablename__ = "budget_lines"
    __table_args__ = (UniqueConstraint("proposal_id", "year", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger, default=0)  # won


class Attachment(db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # a RequiredAttachment key, or "other"
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    detected_type: Mapped[str] = mapped_column(String(16))  # pdf, hwp, hwpx, docx, xlsx, pptx
    storage_key: Mapped[str] = mapped_column(String(100))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class ProposalVersion(db.Model):
    """A submitted proposal, frozen: never updated, only added to."""

    __tablename__ = "proposal_versions"
    __table_args__ = (UniqueConstraint("proposal_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    receipt_no: Mapped[str] = mapped_column(String(40))
    snapshot: Mapped[dict] = mapped_column(JSON)
    # The rules the version passed at submission (validation.rules_fingerprint) and its
    # national total: screening lists a thousand versions without opening their snapshots.
    rules_fingerprint: Mapped[str | None] = mapped_column(String(64))
    national_total: Mapped[int | None] = mapped_column(BigInteger)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
