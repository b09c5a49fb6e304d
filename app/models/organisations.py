"""Organisations and the people who belong to them."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime
from app.core.clock import now

ORG_TYPES = (
    "local_government",
    # 광역지방자치단체 (특별·광역시, 도): some calls let only these lead (Call.lead_org_types).
    "metropolitan_government",
    "public_agency",
    "tenant_company",
    "ai_supplier",
    "university",
    "research_institute",
    "other",
)


class Role(StrEnum):
    """What a person may do in the portal (``UserRole.role``); one person may hold several."""

    APPLICANT = "applicant"
    REVIEWER = "reviewer"
    OFFICER = "officer"
    ADMIN = "admin"
    # Pays honoraria: the only role that reads reviewers' bank details.
    FINANCE = "finance"


ROLES = tuple(Role)


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(64), default="")
    # 사업자등록번호, digits only; validated with its check digit before it gets here.
    brn: Mapped[str] = mapped_column(String(10), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    users: Mapped[list["User"]] = relationship(back_populates="organisation")

    @property
    def brn_display(self) -> str:
        return f"{self.brn[:3]}-{self.brn[3:5]}-{self.brn[5:]}"


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    department: Mapped[str] = mapped_column(String(100), default="")
    locale: Mapped[str] = mapped_column(String(5), default="ko")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set once the owner of the mailbox proves it (the verification link with the password, a
    # reset link, an accepted invitation); until then the account cannot log in. None unless
    # set: an account created by a code path that forgot to decide is not trusted.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped on password change so outstanding reset links stop working.
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # Someone who joins an existing organisation by its (public) business registration number
    # acts for it only once a confirmed colleague or an administrator confirms them.
    organisation_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=now)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # Second factor (app/accounts/totp.py): the secret sealed with the SECRET_KEY, set from the
    # start of enrolment; the factor is on only once a code confirmed it. The last accepted
    # time step refuses a code seen twice.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_counter: Mapped[int | None] = mapped_column(Integer)

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> set[str]:
        return {r.role for r in self.role_rows}

    @property
    def acting_organisation_id(self) -> int | None:
        """The organisation the user may act for: none while their membership awaits confirmation."""
        return self.organisation_id if self.organisation_confirmed_at is not None else None

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    def grant(self, role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        if role not in self.roles:
            self.role_rows.append(UserRole(role=role))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    # The token of the server-side session this object was loaded for (app/accounts/sessions.py);
    # a plain attribute, never stored.
    session_token = None

    def get_id(self) -> str:
        # What Flask-Login keeps in the cookie: the session's token, never the account's id, so the
        # cookie is worth nothing once the session row is ended (logout, password, deactivation).
        if not self.session_token:
            raise RuntimeError("no server-side session: start one with app.accounts.sessions.start()")
        return self.session_token



