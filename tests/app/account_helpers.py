"""Helpers for tests that register through the form: following the verification mail."""
from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage
from tests.factories import PASSWORD


def verification_path(email: str) -> str:
    """The path of the newest verification link mailed to ``email`` (as queued in the outbox)."""
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_email == email.lower(),
                                    OutboxMessage.template == "email_verification")
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None, f"no verification mail to {email}"
    return urlsplit(message.context["verify_url"]).path


def verify_by_mail(client, email: str, password: str = PASSWORD):
    """Open the mailed link and type the registration's password, as the owner of the mailbox would."""
    return client.post(verification_path(email), data={"password": password})
