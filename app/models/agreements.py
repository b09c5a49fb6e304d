"""협약: a selected proposal's plan revision and the agreement its parties sign.

After the announcement the officer opens an ``Agreement`` per selected proposal, listing the
changes the reviewers asked for. The consortium revises its plan (the live proposal, unlocked
for it) and submits the revision, frozen as a ``PlanRevision``; the officer accepts it or returns
it. From the accepted revision the agreement document is generated (its SHA-256 kept) and each
party signs it in turn, the agency last. The last signature makes the project
(``app.models.projects``).
"""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import now
from app.extensions import db
from app.models.calls import Call
from app.models.organisations import Organisation, User
from app.models.proposals import Proposal
from app.models.types import UTCDateTime


class AgreementStatus(StrEnum):
    REVISING = "revising"  # the consortium revises its plan (also after a return)
    REVISION_SUBMITTED = "revision_submitted"  # the officer reads the revision
    DRAFTING = "drafting"  # revision accepted: the officer sets period and special conditions
    SIGNING = "signing"  # the document is issued; parties sign in order
    SIGNED = "signed"  # every party signed; the project exists


class RevisionDecision(StrEnum):
    PENDING = ""
    ACCEPTED = "accepted"
    RETURNED = "returned"


class Agreement(db.Model):
    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(24), default=AgreementStatus.REVISING)
    # What the officer asks the consortium to change, from the reviewers' opinions.
    required_changes: Mapped[str] = mapped_column(Text, default="")
    revision_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    special_conditions: Mapped[str] = mapped_column(Text, default="")
    # The issued document: what every signature is bound to.
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    document_key: Mapped[str | None] = mapped_column(String(100))
    document_size: Mapped[int | None] = mapped_column(BigInteger)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sign_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the clock told the officer that signing is overdue (once).
    overdue_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    call: Mapped[Call] = relationship()
    proposal: Mapped[Proposal] = relationship()
    revisions: Mapped[list["PlanRevision"]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="PlanRevision.number")
    signatures: Mapped[list["AgreementSignature"]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="AgreementSignature.position")

    @property
    def accepted_revision(self) -> "PlanRevision | None":
        """The plan the agreement is made of: the one revision the officer accepted."""
        return next((r for r in self.revisions if r.decision == RevisionDecision.ACCEPTED), None)

    @property
    def latest_revision(self) -> "PlanRevision | None":
        return self.revisions[-1] if self.revisions else None

    @property
    def next_signature(self) -> "AgreementSignature | None":
        return next((s for s in self.signatures if s.signed_at is None), None)


class PlanRevision(db.Model):
    """A revised plan as submitted, frozen like a proposal version (same snapshot form)."""

    __tablename__ = "plan_revisions"
    __table_args__ = (UniqueConstraint("agreement_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")  # the consortium's account of what changed
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(16), default=RevisionDecision.PENDING)
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    agreement: Mapped[Agreement] = relationship(back_populates="revisions")
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])


class AgreementSignature(db.Model):
    """One party's place in the signing order and, once signed, who signed which document when."""

    __tablename__ = "agreement_signatures"
    __table_args__ = (UniqueConstraint("agreement_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    party: Mapped[str] = mapped_column(String(32))  # a consortium MemberRole, or "agency"
    position: Mapped[int] = mapped_column(Integer)
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signer_name: Mapped[str] = mapped_column(String(100), default="")
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    # Whether the signer confirmed with a one-time code as well as the password.
    with_totp: Mapped[bool | None] = mapped_column(default=None)

    agreement: Mapped[Agreement] = relationship(back_populates="signatures")
    organisation: Mapped[Organisation] = relationship()
    signer: Mapped[User | None] = relationship()
