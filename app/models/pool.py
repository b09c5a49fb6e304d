"""The reviewer pool (평가위원 후보단): profiles, expertise codes, declared ties and sanctions.

A profile belongs to one account and lasts across calls; a call's own panel is still
``ReviewerPoolEntry`` (app/models/review.py), which an accepted invitation creates. The
affiliation is an organisation *by identity* (its row, found by 사업자등록번호), so the
conflict rules never compare names anyone typed. What the conflict rules read besides the
affiliation is declared here: relatives, joint projects and publications with their partner
organisations, and the sanctions officers record.
"""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.organisations import Organisation, User
from app.models.types import UTCDateTime
from app.core.clock import now


class ExpertiseCode(db.Model):
    """One entry of the configured technology classification (by default 산업기술분류)."""

    __tablename__ = "expertise_codes"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name_ko: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    # The code one level up; None for a top-level field (대분류).
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("expertise_codes.code"), index=True)
    level: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)


class ReviewerProfile(db.Model):
    """What a candidate reviewer is, knows and has declared; one per account."""

    __tablename__ = "reviewer_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    # The affiliation by identity; None only for someone whose organisation is not registered yet,
    # in which case ``affiliation_name`` is shown and no identity rule can fire on it.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    affiliation_name: Mapped[str] = mapped_column(String(200), default="")
    department: Mapped[str] = mapped_column(String(100), default="")
    position: Mapped[str] = mapped_column(String(100), default="")
    # Copied from the organisation when there is one (an ORG_TYPES key and a region), so the pool
    # filters on one table; kept as given otherwise.
    org_type: Mapped[str] = mapped_column(String(32), default="other", index=True)
    region: Mapped[str] = mapped_column(String(64), default="", index=True)
    # Free keywords, comma-separated as people type them ("디지털트윈, 스마트팩토리").
    keywords: Mapped[str] = mapped_column(Text, default="")
    career_years: Mapped[int] = mapped_column(Integer, default=0)
    available: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    unavailable_until: Mapped[date | None] = mapped_column(Date)
    # Bank details for honoraria, sealed (app/core/sealing.py); only the finance role reads them.
    bank_sealed: Mapped[str | None] = mapped_column(Text)
    # The profile's weighted matching terms (app/matching), refreshed when the profile changes.
    terms: Mapped[dict | None] = mapped_column(JSON)
    terms_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    expertise: Mapped[list["ReviewerExpertise"]] = relationship(
        cascade="all, delete-orphan", order_by="ReviewerExpertise.code")
    records: Mapped[list["ReviewerRecord"]] = relationship(
        cascade="all, delete-orphan", order_by="(ReviewerRecord.year.desc(), ReviewerRecord.id)")
    relatives: Mapped[list["ReviewerRelative"]] = relationship(
        cascade="all, delete-orphan", order_by="ReviewerRelative.id")

    @property
    def codes(self) -> list[str]:
        return [e.code for e in self.expertise]

    @property
    def affiliation(self) -> str:
        return self.organisation.name if self.organisation is not None else self.affiliation_name

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in (self.keywords or "").replace("\n", ",").split(",") if k.strip()]


class ReviewerExpertise(db.Model):
    __tablename__ = "reviewer_expertise"

    profile_id: Mapped[int] = mapped_column(ForeignKey("reviewer_profiles.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(ForeignKey("expertise_codes.code"), primary_key=True, index=True)


class RecordKind(StrEnum):
    PROJECT = "project"  # 과제 수행
    PUBLICATION = "publication"  # 논문·저서 (co-authorship)


class ReviewerRecord(db.Model):
    """A recent project or publication, with the organisations it was done with.

    ``organisation_ids`` are the partners by identity: a joint project or co-authorship with a
    consortium's member organisation in the last three years excludes the reviewer (제척).
    """

    __tablename__ = "reviewer_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("reviewer_profiles.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default=RecordKind.PROJECT)
    title: Mapped[str] = mapped_column(String(300))
    year: Mapped[int] = mapped_column(Integer)
    organisation_ids: Mapped[list] = mapped_column(JSON, default=list)
    # The partners as written, for display (and for partners not registered in the portal).
    organisations_text: Mapped[str] = mapped_column(String(500), default="")


class ReviewerRelative(db.Model):
    """A relative the reviewer declares (친족), with the organisation they work for."""

    __tablename__ = "reviewer_relatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("reviewer_profiles.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    relation: Mapped[str] = mapped_column(String(50), default="")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)

    organisation: Mapped[Organisation | None] = relationship()


class Sanction(db.Model):
    """A person sanctioned under evaluation law (e.g. for an unfair evaluation); officers keep the list.

    A sanction excludes the person from every panel from ``starts_on`` until ``ends_on``
    (three years by default, ``SANCTION_YEARS``); lifting one early keeps the row with the reason.
    """

    __tablename__ = "reviewer_sanctions"
    __table_args__ = (UniqueConstraint("user_id", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date, index=True)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def in_force(self, on: date) -> bool:
        return self.lifted_at is None and self.starts_on <= on < self.ends_on
