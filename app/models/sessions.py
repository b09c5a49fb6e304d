"""Server-side sign-in state: the sessions a cookie names, and the login throttle."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime
from app.core.clock import now


class UserSession(db.Model):
    """One login. The cookie carries a random token; only its SHA-256 is stored here, so
    neither a copy of the database nor a forged cookie opens a session, and ending the row
    ends every copy of the cookie."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The client address at login, for the audit trail of a stolen cookie.
    client: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginThrottle(db.Model):
    """Failed sign-ins per typed address and client (``client == "*"``: from anywhere).

    Keyed by the address as typed rather than by account, so an address nobody has is
    slowed down exactly like one that exists and the answers cannot tell them apart.
    """

    __tablename__ = "login_throttles"
    __table_args__ = (UniqueConstraint("email", "client"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    client: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
