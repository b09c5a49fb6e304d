"""Consortia of performing institutions (수행기관 컨소시엄)."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.organisations import Organisation
from app.models.types import UTCDateTime
from app.core.clock import now


class MemberRole(StrEnum):
    """What an organisation does in a consortium (``ConsortiumMember.role``)."""

    LEAD = "lead"
    LOCAL_GOVERNMENT = "local_government"
    TENANT_FIRM = "tenant_firm"
    AI_SUPPLIER = "ai_supplier"
    UNIVERSITY = "university"
    RESEARCH_INSTITUTE = "research_institute"


MEMBER_ROLES = tuple(MemberRole)


class MemberStatus(StrEnum):
    """Where a listed organisation's answer stands (``ConsortiumMember.status``)."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


class Consortium(db.Model):
    __tablename__ = "consortia"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    lead_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    lead_org: Mapped[Organisation] = relationship()
    members: Mapped[list["ConsortiumMember"]] = relationship(
        back_populates="consortium", cascade="all, delete-orphan", order_by="ConsortiumMember.id"
    )

    def member_org_ids(self) -> set[int]:
        """Every organisation listed, whatever its answer: a listed one is not listed twice."""
        return {m.organisation_id for m in self.members}

    @property
    def confirmed_members(self) -> list["ConsortiumMember"]:
        """The members that count: for access, conflicts of interest, matching funds and submission."""
        return [m for m in self.members if m.confirmed]

    def confirmed_org_ids(self) -> set[int]:
        return {m.organisation_id for m in self.confirmed_members}


class ConsortiumMember(db.Model):
    """An organisation listed in a consortium.

    A business registration number is public, so the lead's listing is only an
    invitation: the member counts once a confirmed person of that organisation accepts
    (``confirmed_at``). A new row is therefore pending unless whoever creates it says
    otherwise; the lead's own row is confirmed by its creator.
    """

    __tablename__ = "consortium_members"
    __table_args__ = (UniqueConstraint("consortium_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consortium_id: Mapped[int] = mapped_column(ForeignKey("consortia.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    consortium: Mapped[Consortium] = relationship(back_populates="members")
    organisation: Mapped[Organisation] = relationship()

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def status(self) -> MemberStatus:
        if self.confirmed_at is not None:
            return MemberStatus.CONFIRMED
        return MemberStatus.DECLINED if self.declined_at is not None else MemberStatus.PENDING
