"""Sealing personal data at rest (bank details): AES-256-GCM with a context bound in.

``seal(text, context)`` encrypts with a fresh 96-bit nonce and binds ``context`` (e.g.
``"bank:42"``, the row it belongs to) as associated data, so a sealed value copied into another
row, or taken from another installation, does not open: ``unseal`` answers None, never a wrong
plain text. A copy of the database alone reads nothing.

The key is ``DATA_KEY`` when the operator sets one (kept apart from the SECRET_KEY, so a
leaked session key does not also open the data), otherwise one derived from the SECRET_KEY with
HKDF. Rotation only ever adds keys that open: every value sealed under ``DATA_KEY_FALLBACKS``,
the SECRET_KEY or ``SECRET_KEY_FALLBACKS`` still opens, and the next write seals it anew under
the current key.

``cryptography`` is imported on first use: its Rust extension carries its own OpenSSL (~6 MiB
resident), and most web requests open no sealed value.
"""
from __future__ import annotations

import base64
import os

from flask import current_app

VERSION = "g1"
_NONCE_BYTES = 12
# A different label per source: a DATA_KEY that happens to equal the SECRET_KEY still gives
# another key, and these keys never equal the ones app/accounts/totp.py derives.
_LABEL_DATA_KEY = b"gongmo data sealing v1: DATA_KEY"
_LABEL_SECRET_KEY = b"gongmo data sealing v1: SECRET_KEY"


def _derive(material: str | bytes, label: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    raw = material.encode() if isinstance(material, str) else material
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(raw)


def _keys() -> list[bytes]:
    """The sealing key first, then every key that still opens older values."""
    cfg = current_app.config
    keys = [_derive(k, _LABEL_DATA_KEY) for k in (cfg.get("DATA_KEY"), *(cfg.get("DATA_KEY_FALLBACKS") or ())) if k]
    keys += [_derive(k, _LABEL_SECRET_KEY)
             for k in (cfg.get("SECRET_KEY"), *(cfg.get("SECRET_KEY_FALLBACKS") or ())) if k]
    if not keys:
        raise RuntimeError("no DATA_KEY or SECRET_KEY to seal with")
    return keys


def seal(text: str, context: str) -> str:
    """``text`` encrypted under the current key, bound to ``context``; ASCII, for a text column."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(_NONCE_BYTES)
    body = AESGCM(_keys()[0]).encrypt(nonce, text.encode("utf-8"), context.encode("utf-8"))
    return f"{VERSION}:" + base64.urlsafe_b64encode(nonce + body).decode("ascii")


def unseal(sealed: str | None, context: str) -> str | None:
    """The plain text, or None when no key of this installation sealed it for this context."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    version, _, payload = (sealed or "").partition(":")
    if version != VERSION:
        return None
    try:
        packed = base64.urlsafe_b64decode(payload.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None
    if len(packed) < _NONCE_BYTES + 16:
        return None
    nonce, body = packed[:_NONCE_BYTES], packed[_NONCE_BYTES:]
    for key in _keys():
        try:
            return AESGCM(key).decrypt(nonce, body, context.encode("utf-8")).decode("utf-8")
        except InvalidTag:
            continue
    return None

