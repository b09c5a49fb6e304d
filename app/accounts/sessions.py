"""Server-side sessions: the cookie names a row here, and ending the row ends the cookie.

Flask's session cookie is only signed, so a copy of it (or one forged with a leaked
SECRET_KEY) would otherwise stay good for as long as the account. Each login starts a
row holding the SHA-256 of a random token; the cookie carries the token. Logging out
ends that row, a password change ends the others, a reset or a deactivation ends them
all, and nothing ever starts a row again except a new login.

Functions leave the commit to their caller.
"""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select, update

from app.extensions import db
from app.models import User
from app.models.sessions import UserSession
from app.core.clock import now


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User, client: str | None = "") -> str:
    """A new session for ``user``; returns the token for the cookie and binds it to ``user``."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=_digest(token), client=(client or "")[:64]))
    db.session.flush()
    user.session_token = token
    return token


def load(token: str | None) -> User | None:
    """The user of a live session, or None (unknown, ended, inactive or unverified account)."""
    if not token or not isinstance(token, str) or len(token) > 128:
        return None
    user = db.session.scalar(
        select(User).join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == _digest(token), UserSession.revoked_at.is_(None))
    )
    if user is None or not user.active or user.email_verified_at is None:
        return None
    user.session_token = token
    return user


def end(token: str | None) -> None:
    """End one session (logging out)."""
    if token:
        db.session.execute(update(UserSession).where(UserSession.token_hash == _digest(token),
                                                     UserSession.revoked_at.is_(None)).values(revoked_at=now()))


def end_all(user: User, *, keep: str | None = None) -> int:
    """End every live session of ``user`` but ``keep``'s; returns how many were ended."""
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    if keep:
        query = query.where(UserSession.token_hash != _digest(keep))
    return db.session.execute(query.values(revoked_at=now())).rowcount or 0


def live_count(user: User) -> int:
    return len(db.session.scalars(select(UserSession.id).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None))).all())
