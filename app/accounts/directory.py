"""Finding people and organisations by what they type: an e-mail address, a registration number."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import Organisation, User
from app.models.organisations import ORG_TYPES
from app.accounts import brn

# Deliberately loose: the mail server is the judge of an address; this only catches typos.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def normalise_email(email: str | None) -> str:
    return (email or "").strip().lower()


def is_plausible_email(email: str) -> bool:
    return len(email) <= 254 and bool(_EMAIL.match(email))


def find_user_by_email(email: str | None) -> User | None:
    address = normalise_email(email)
    if not address:
        return None
    return db.session.scalar(select(User).where(User.email == address))


def find_organisation_by_brn(number: str | None) -> Organisation | None:
    digits = brn.normalise(number or "")
    if not brn.is_valid(digits):
        return None
    return db.session.scalar(select(Organisation).where(Organisation.brn == digits))


def organisation_details_missing(org_name: str | None, org_type: str | None) -> list[str]:
    """Which details a new organisation still lacks (region is optional in the model, not here)."""
    missing = []
    if not (org_name or "").strip():
        missing.append("name")
    if org_type not in ORG_TYPES:
        missing.append("type")
    return missing
