"""Keeping an uploaded document that is not one of a proposal's attachments (a 발표평가's slides,
an objection's evidence).

The same rules as attachments (``attachments.store``): spooled to a local file once and hashed on
the way, refused past ``limit`` without reading on, checked by content (``filetypes``), and kept
in the storage (app/core/storage.py) by its sha256. The caller records the returned facts on its own row.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import gettext as _

from app.proposals import attachments, filetypes
from app.proposals.attachments import AttachmentError


@dataclass(frozen=True)
class StoredFile:
    filename: str
    size: int
    sha256: str
    detected_type: str
    storage_key: str


def keep(stream: BinaryIO, filename: str | None, limit: int, types: tuple[str, ...] = ()) -> StoredFile:
    """Store the upload; raises AttachmentError (with the reason to show) for anything refused.

    ``types`` narrows the accepted kinds (e.g. ``("pdf", "pptx")`` for slides); nothing is kept otherwise.
    """
    name = attachments.safe_filename(filename)
    tmp, size, sha256 = attachments._spool(stream, limit, limit)
    try:
        if size == 0:
            raise AttachmentError(_("빈 파일은 올릴 수 없습니다."))
        try:
            detected = filetypes.detect(tmp, name)
        except filetypes.FileTypeError as exc:
            raise AttachmentError(f"{name}: {exc.message}") from None
        if types and detected not in types:
            raise AttachmentError(_("%(name)s: %(types)s 파일만 올릴 수 있습니다.", name=name,
                                    types=", ".join(filetypes.TYPES[t].label for t in types)))
        key = attachments.keep_blob(tmp, sha256)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return StoredFile(name, size, sha256, detected, key)
