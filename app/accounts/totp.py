"""The optional second factor: time-based one-time codes (RFC 6238) from an authenticator app.

Officers, reviewers and administrators may turn it on; applicants are not offered it.
The shared secret is kept sealed with the application's SECRET_KEY, so a copy of the
database alone does not let anybody compute codes. Each accepted code moves the user's
last time step forward, so one code opens one door once.

Functions that change state record it in the audit log and leave the commit to the caller.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from flask import current_app
from markupsafe import Markup
from pyotp.utils import strings_equal

from app.extensions import db
from app.models import User
from app.models.organisations import Role
from app import audit
from app.core.clock import now
from app.core.errors import AccountsError

ISSUER = "Gongmo"
OFFERED_TO = (Role.OFFICER, Role.REVIEWER, Role.ADMIN)
DIGITS = 6
# Time steps accepted either side of the server's: phones' clocks drift.
DRIFT_STEPS = 1


class CodeRefused(AccountsError):
    """The code does not open this door; ``reason`` is "wrong", "reused" or "unreadable"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class NotPending(AccountsError):
    """Confirming an enrolment that was never started (or is already done)."""


# --- who and what ---------------------------------------------------------------------------

def is_offered_to(user: User) -> bool:
    return user.has_role(*OFFERED_TO)


def is_enabled(user: User) -> bool:
    return user.totp_enabled_at is not None and user.totp_secret is not None


def is_pending(user: User) -> bool:
    """An enrolment started whose first code has not come back yet."""
    return user.totp_enabled_at is None and user.totp_secret is not None


def may_manage(user: User) -> bool:
    """Whoever was offered it, and whoever has it on (a former officer can still switch it off)."""
    return is_offered_to(user) or is_enabled(user)


# --- the sealed secret ----------------------------------------------------------------------
# Encrypt-then-MAC with HMAC-SHA256 as the only primitive (the standard library has no
# cipher): the key stream is HMAC(key, nonce || block number), the tag covers the user id
# so a sealed secret copied to another row does not open. Keys derive from the SECRET_KEY;
# SECRET_KEY_FALLBACKS still open secrets sealed before a key rotation.

_SEAL_VERSION = b"v1"
_NONCE_BYTES = 16


def _keys(secret_key: str | bytes) -> tuple[bytes, bytes]:
    root = secret_key.encode() if isinstance(secret_key, str) else secret_key
    enc = hmac.new(root, b"gongmo totp-secret encryption", hashlib.sha256).digest()
    mac = hmac.new(root, b"gongmo totp-secret authentication", hashlib.sha256).digest()
    return enc, mac


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (hmac.new(key, nonce + i.to_bytes(4, "big"), hashlib.sha256).digest()
              for i in range((length + 31) // 32))
    return b"".join(blocks)[:length]


def _tag(key: bytes, user_id: int, nonce: bytes, body: bytes) -> bytes:
    return hmac.new(key, _SEAL_VERSION + str(user_id).encode() + b":" + nonce + body, hashlib.sha256).digest()


def seal(secret: str, user_id: int) -> str:
    enc, mac = _keys(current_app.config["SECRET_KEY"])
    nonce = secrets.token_bytes(_NONCE_BYTES)
    plain = secret.encode("ascii")
    body = bytes(a ^ b for a, b in zip(plain, _keystream(enc, nonce, len(plain))))
    packed = nonce + body + _tag(mac, user_id, nonce, body)
    return _SEAL_VERSION.decode() + ":" + base64.urlsafe_b64encode(packed).decode("ascii")


def unseal(sealed: str, user_id: int) -> str | None:
    """The secret, or None when no key of this installation sealed it."""
    version, _, payload = sealed.partition(":")
    if version.encode() != _SEAL_VERSION:
        return None
    try:
        packed = base64.urlsafe_b64decode(payload.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None
    if len(packed) <= _NONCE_BYTES + 32:
        return None
    nonce, body, tag = packed[:_NONCE_BYTES], packed[_NONCE_BYTES:-32], packed[-32:]
    candidates = [current_app.config["SECRET_KEY"], *(current_app.config.get("SECRET_KEY_FALLBACKS") or ())]
    for candidate in candidates:
        enc, mac = _keys(candidate)
        if hmac.compare_digest(tag, _tag(mac, user_id, nonce, body)):
            plain = bytes(a ^ b for a, b in zip(body, _keystream(enc, nonce, len(body))))
            return plain.decode("ascii")
    return None


def _secret_of(user: User) -> str | None:
    return unseal(user.totp_secret, user.id) if user.totp_secret else None


# --- enrolment ------------------------------------------------------------------------------

def start_enrolment(user: User) -> None:
    """A fresh secret for the user to scan; the factor is not on until a code confirms it."""
    if is_enabled(user):
        raise ValueError("the second factor is already on; switch it off first")
    user.totp_secret = seal(pyotp.random_base32(), user.id)
    user.totp_enabled_at = None
    user.totp_last_counter = None
    audit.record(user, "user.totp_setup_started", user)


def enrolment_secret(user: User) -> str | None:
    """The secret of an enrolment under way, to show once more; None otherwise."""
    return _secret_of(user) if is_pending(user) else None


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """The base32 secret in groups of four, as people type it from the screen."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(uri: str, title: str) -> Markup:
    """The URI as an inline SVG QR code: drawn here, no image service, no script."""
    import segno  # only on the enrolment page: not every web worker carries it

    svg = segno.make(uri, error="m").svg_inline(scale=4, title=title, svgclass="qr", lineclass=None,
                                                light="#fff", dark="#000")
    return Markup(svg)  # nosec B704 # segno escapes the title and writes no other text of ours


def confirm_enrolment(user: User, code: str) -> None:
    """Turn the factor on with a first good code; that code cannot be used again to log in."""
    if not is_pending(user):
        raise NotPending()
    _lock_row(user)
    moment = now()
    counter = _accept(user, code, moment, purpose="enable")
    user.totp_enabled_at = moment
    user.totp_last_counter = counter
    audit.record(user, "user.totp_enabled", user)


def disable(user: User, code: str) -> None:
    """Switch the factor off; the caller has checked the password."""
    if not is_enabled(user):
        raise NotPending()
    _lock_row(user)
    _accept(user, code, now(), purpose="disable")
    _forget(user)
    audit.record(user, "user.totp_disabled", user)


def remove(user: User, actor: User | None = None, **context) -> bool:
    """Switch the factor off for someone who lost the phone (an administrator's act); False if it was off."""
    if user.totp_secret is None:
        return False
    _forget(user)
    audit.record(actor, "user.totp_disabled", user, by_administrator=True, **context)
    return True


def _forget(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_counter = None


def _lock_row(user: User) -> None:
    # Two requests with the same code at the same moment: the second waits and then sees it used.
    db.session.refresh(user, with_for_update=True)


# --- checking a code ------------------------------------------------------------------------

def normalise_code(code: str | None) -> str:
    return "".join((code or "").split())


def _matching_counters(secret: str, code: str, moment: datetime) -> list[int]:
    totp = pyotp.TOTP(secret, digits=DIGITS)
    current = totp.timecode(moment)
    window = range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1)
    return [c for c in window if strings_equal(totp.generate_otp(c), code)]


def verify(user: User, code: str, moment: datetime) -> int:
    """The time step the code belongs to, after the replay check; raises CodeRefused.

    Nothing is recorded here: the caller decides what a refusal costs.
    """
    secret = _secret_of(user)
    if secret is None:
        raise CodeRefused("unreadable")
    code = normalise_code(code)
    if len(code) != DIGITS or not code.isdigit():
        raise CodeRefused("wrong")
    matches = _matching_counters(secret, code, moment)
    last = user.totp_last_counter
    fresh = [c for c in matches if last is None or c > last]
    if fresh:
        return fresh[0]
    raise CodeRefused("reused" if matches else "wrong")


def use(user: User, code: str, moment: datetime) -> None:
    """Accept a login code and remember its time step; raises CodeRefused."""
    user.totp_last_counter = verify(user, code, moment)


def _accept(user: User, code: str, moment: datetime, *, purpose: str) -> int:
    try:
        counter = verify(user, code, moment)
    except CodeRefused as refusal:
        audit.record(user, "user.totp_failed", user, purpose=purpose, reason=refusal.reason)
        raise
    user.totp_last_counter = counter
    return counter
