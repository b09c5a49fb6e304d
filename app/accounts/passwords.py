"""argon2id hashing and the password rules."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

_default = PasswordHasher()
# Tests hash hundreds of passwords; a cheap profile keeps them fast and is never used elsewhere.
_cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

MIN_LENGTH = 10


def _hasher() -> PasswordHasher:
    if has_app_context() and current_app.config.get("TESTING"):
        return _cheap
    return _default


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)


def strength_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Reasons a password is refused, as message ids for gettext (empty when acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append("too_short")
    classes = sum(bool(any(f(c) for c in password)) for f in (str.islower, str.isupper, str.isdigit,
                                                                 lambda c: not c.isalnum()))
    if classes < 3:
        problems.append("too_simple")
    local = email.split("@")[0].lower()
    if local and len(local) >= 4 and local in password.lower():
        problems.append("contains_email")
    return problems
