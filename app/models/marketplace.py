"""Around the call: firms' needs (수요), suppliers' capabilities (공급 역량), alliances and their
research groups (연구회) that curate needs into task candidates (과제 후보), and the message
threads between firms and suppliers.

Needs and capabilities belong to an organisation and are seen by everyone signed in (public) or
only by the organisations of one alliance (``alliance_id`` set). A task candidate gathers needs
and the suppliers attached to them; a consortium may be started from it.
"""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import now
from app.extensions import db
from app.models.calls import IndustrialComplex
from app.models.consortia import Consortium
from app.models.organisations import Organisation, User
from app.models.types import UTCDateTime


class Visibility(StrEnum):
    PUBLIC = "public"  # everyone signed in
    ALLIANCE = "alliance"  # the organisations of ``alliance_id`` only


class ListingState(StrEnum):
    OPEN = "open"
    MATCHED = "matched"
    CLOSED = "closed"


class Alliance(db.Model):
    """An alliance (얼라이언스), e.g. 경남 산업 DX 융합얼라이언스, and the organisations in it."""

    __tablename__ = "alliances"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    region: Mapped[str] = mapped_column(String(64), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    members: Mapped[list["AllianceMember"]] = relationship(cascade="all, delete-orphan",
                                                           order_by="AllianceMember.id")
    groups: Mapped[list["ResearchGroup"]] = relationship(back_populates="alliance", cascade="all, delete-orphan",
                                                         order_by="ResearchGroup.id")


class AllianceMember(db.Model):
    __tablename__ = "alliance_members"
    __table_args__ = (UniqueConstraint("alliance_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliances.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    organisation: Mapped[Organisation] = relationship()


class ResearchGroup(db.Model):
    """A research group (연구회) of an alliance, for one industry, run by its coordinator."""

    __tablename__ = "research_groups"
    __table_args__ = (UniqueConstraint("alliance_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliances.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(100), default="")
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    alliance: Mapped[Alliance] = relationship(back_populates="groups")
    coordinator: Mapped[User | None] = relationship()
    members: Mapped[list["GroupMember"]] = relationship(cascade="all, delete-orphan", order_by="GroupMember.id")


class GroupMember(db.Model):
    __tablename__ = "research_group_members"
    __table_args__ = (UniqueConstraint("group_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("research_groups.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    organisation: Mapped[Organisation] = relationship()


class Need(db.Model):
    """A tenant firm's need (수요): the problem of one process it wants solved with AI/DX."""

    __tablename__ = "needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    complex_id: Mapped[int | None] = mapped_column(ForeignKey("industrial_complexes.id"))
    region: Mapped[str] = mapped_column(String(64), default="")
    industry: Mapped[str] = mapped_column(String(100), default="")
    process: Mapped[str] = mapped_column(String(200), default="")  # 공정, e.g. 사출성형
    problem: Mapped[str] = mapped_column(Text, default="")
    data_available: Mapped[str] = mapped_column(Text, default="")  # 보유 데이터
    budget_min: Mapped[int | None] = mapped_column(BigInteger)  # won
    budget_max: Mapped[int | None] = mapped_column(BigInteger)  # won
    desired_start: Mapped[date | None] = mapped_column(Date)
    visibility: Mapped[str] = mapped_column(String(16), default=Visibility.PUBLIC)
    alliance_id: Mapped[int | None] = mapped_column(ForeignKey("alliances.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=ListingState.OPEN)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    organisation: Mapped[Organisation] = relationship()
    complex: Mapped[IndustrialComplex | None] = relationship()


class Capability(db.Model):
    """An AI/SW supplier's capability (공급 역량): its solutions, references, industries and regions."""

    __tablename__ = "capabilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    solutions: Mapped[str] = mapped_column(Text, default="")
    reference_sites: Mapped[str] = mapped_column(Text, default="")
    industries: Mapped[str] = mapped_column(String(300), default="")  # comma-separated
    regions: Mapped[str] = mapped_column(String(300), default="")  # comma-separated
    visibility: Mapped[str] = mapped_column(String(16), default=Visibility.PUBLIC)
    alliance_id: Mapped[int | None] = mapped_column(ForeignKey("alliances.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=ListingState.OPEN)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    organisation: Mapped[Organisation] = relationship()


class TaskState(StrEnum):
    OPEN = "open"
    STARTED = "started"  # a consortium was started from it
    CLOSED = "closed"


class TaskCandidate(db.Model):
    """A task candidate (과제 후보) a research group curated from needs, with suppliers attached."""

    __tablename__ = "task_candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("research_groups.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default=TaskState.OPEN)
    consortium_id: Mapped[int | None] = mapped_column(ForeignKey("consortia.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    group: Mapped[ResearchGroup] = relationship()
    consortium: Mapped[Consortium | None] = relationship()
    needs: Mapped[list["TaskNeed"]] = relationship(cascade="all, delete-orphan", order_by="TaskNeed.id")
    suppliers: Mapped[list["TaskSupplier"]] = relationship(cascade="all, delete-orphan", order_by="TaskSupplier.id")


class TaskNeed(db.Model):
    __tablename__ = "task_needs"
    __table_args__ = (UniqueConstraint("task_id", "need_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task_candidates.id", ondelete="CASCADE"), index=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)

    need: Mapped[Need] = relationship()


class TaskSupplier(db.Model):
    __tablename__ = "task_suppliers"
    __table_args__ = (UniqueConstraint("task_id", "capability_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task_candidates.id", ondelete="CASCADE"), index=True)
    capability_id: Mapped[int] = mapped_column(ForeignKey("capabilities.id", ondelete="CASCADE"), index=True)

    capability: Mapped[Capability] = relationship()


class MessageThread(db.Model):
    """A conversation between two organisations about a need or a capability (both sides see it)."""

    __tablename__ = "message_threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id", ondelete="SET NULL"), index=True)
    capability_id: Mapped[int | None] = mapped_column(ForeignKey("capabilities.id", ondelete="SET NULL"), index=True)
    from_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    to_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    need: Mapped[Need | None] = relationship()
    capability: Mapped[Capability | None] = relationship()
    from_org: Mapped[Organisation] = relationship(foreign_keys=[from_org_id])
    to_org: Mapped[Organisation] = relationship(foreign_keys=[to_org_id])
    messages: Mapped[list["Message"]] = relationship(cascade="all, delete-orphan", order_by="Message.id")


class Message(db.Model):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("message_threads.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    author: Mapped[User] = relationship()
