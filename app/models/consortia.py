"""Consortia of performing institutions (수행기관 컨소시엄)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.organisations import Organisation
from app.models.types import UTCDateTime
from app.services.clock import now

MEMBER_ROLES = ("lead", "local_government", "tenant_firm", "ai_supplier", "university", "research_institute")


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
        return {m.organisation_id for m in self.members}


class ConsortiumMember(db.Model):
    __tablename__ = "consortium_members"
    __table_args__ = (UniqueConstraint("consortium_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consortium_id: Mapped[int] = mapped_column(ForeignKey("consortia.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))

    consortium: Mapped[Consortium] = relationship(back_populates="members")
    organisation: Mapped[Organisation] = relationship()
