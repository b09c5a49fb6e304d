"""Tokens of the read API (/api/v1/): other systems of an agency read its calls' evaluation data."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime
from app.core.clock import now


class ApiScope(StrEnum):
    """What a token may read, beyond what the API shows everyone."""

    PROPOSALS = "proposals:read"  # metadata and status, never the applicants' texts or files
    SCREENING = "screening:read"  # 요건검토 outcomes
    SCORES = "scores:read"  # each evaluation stage's results
    DECISIONS = "decisions:read"  # the final ranking and selection
    PROJECTS = "projects:read"  # the awarded projects' KPIs and budget execution


class ApiToken(db.Model):
    """A bearer token an officer issued for the agency's calls (or one programme's).

    Only the SHA-256 of the secret is kept: the secret is shown once, when it is issued, and a
    copy of the database opens nothing. The prefix (the secret's first characters) lets the
    officer tell tokens apart on the list."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # None: every programme of the agency.
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"))
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    owner = relationship("User", foreign_keys=[owner_id])
    agency = relationship("Organisation", foreign_keys=[agency_id])
    programme = relationship("Programme")
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])

    def allows(self, scope: str) -> bool:
        return scope in (self.scopes or ())

    def usable(self, at: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or at < self.expires_at)
