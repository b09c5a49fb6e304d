"""Storing, listing and removing a proposal's attachments.

Files are streamed to a local spool file once, hashed on the way, checked by content, and
kept in the storage (app/core/storage.py: ``UPLOAD_DIR`` or an S3 bucket) by their sha256
(``ab/cd/abcd…``), outside the web root. The name the applicant sees is only a label: it
never becomes a path or a key.

Blobs are never deleted with their row: a submitted version lists the sha256 of the
files it was submitted with, and those must stay available to the evaluation.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attachment, Proposal
from app import audit
from app.core import clock, storage
from app.core.errors import ProposalsError
from app.calls import deadline
from app.proposals import filetypes
from app.proposals.validation import human_bytes, localised

CHUNK = 64 * 1024
OTHER = "other"
MAX_NAME_BYTES = 200  # leaves room under the usual 255-byte file-name limit when saved again
_FORBIDDEN = set('<>:"/\\|?*')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


class AttachmentError(ProposalsError):
    """A refused upload; ``status`` is 413 for sizes, 400 otherwise."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def safe_filename(original: str | None) -> str:
    """A display name that keeps Hangul but can never be a path or hide its extension.

    werkzeug's ``secure_filename`` drops every non-ASCII letter, which turns
    "사업계획서.pdf" into "pdf".
    """
    name = unicodedata.normalize("NFC", original or "")  # macOS sends decomposed Hangul
    name = re.split(r"[/\\]", name)[-1]
    name = re.sub(r"\s+", " ", name)  # tabs and line breaks become spaces before control characters go
    # Control and format characters (incl. right-to-left overrides) can disguise an extension.
    name = "".join("_" if ch in _FORBIDDEN else ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = name.strip(" .")
    stem, ext = os.path.splitext(name)
    if len(ext) > 10 or " " in ext:
        stem, ext = name, ""
    stem = stem.strip(" .")
    if not stem:
        stem = "attachment"
    if stem.upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    while len((stem + ext).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem.rstrip(" .") + ext


def storage_key(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"




def kind_choices(call) -> list[tuple[str, str]]:
    return [(k.key, localised(k)) for k in call.attachment_kinds] + [(OTHER, _("기타"))]


def kind_label(call, key: str) -> str:
    return dict(kind_choices(call)).get(key, key)


def grouped(proposal: Proposal) -> list[tuple[str, str, bool, list[Attachment]]]:
    """(kind, label, required, files) for every kind the call asks for, then "other"."""
    required = {k.key: k.required for k in proposal.call.attachment_kinds}
    return [(key, label, required.get(key, False), [a for a in proposal.attachments if a.kind == key])
            for key, label in kind_choices(proposal.call)]


def total_size(proposal: Proposal) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(Attachment.size), 0)).where(Attachment.proposal_id == proposal.id)
    ) or 0


def live_keys(proposal: Proposal) -> set[tuple[int, str]]:
    """(id, sha256) of the files attached now: a version links a file only while the same one is
    still attached, since an id alone could have been reused."""
    rows = db.session.execute(select(Attachment.id, Attachment.sha256).where(Attachment.proposal_id == proposal.id))
    return {(a_id, sha) for a_id, sha in rows}


def keep_blob(tmp: str, sha256: str) -> str:
    """Store a checked upload under its content-addressed key (once per content); the key.

    Called before the row that names the key is committed, so a committed row never names a
    blob that is not there; a blob whose row is then rolled back is left to the orphan sweep.
    """
    key = storage_key(sha256)
    storage.get().put_file(key, tmp)
    return key


def store(proposal: Proposal, user, kind: str, stream: BinaryIO, filename: str | None) -> Attachment:
    """Check, store and record one uploaded file; raises ClosedError or AttachmentError."""
    deadline.ensure_writable(proposal)
    call = proposal.call
    if kind not in {k.key for k in call.attachment_kinds} | {OTHER}:
        raise AttachmentError(_("첨부서류 종류를 목록에서 고르십시오."))
    name = safe_filename(filename)

    room = call.max_proposal_bytes - total_size(proposal)
    tmp, size, sha256 = _spool(stream, call.max_attachment_bytes, room)
    try:
        if size == 0:
            raise AttachmentError(_("빈 파일은 올릴 수 없습니다."))
        try:
            detected = filetypes.detect(tmp, name)
        except filetypes.FileTypeError as exc:
            raise AttachmentError(exc.message) from None
        # Two uploads at once must not both fit in the room that only one had.
        _lock(proposal)
        if total_size(proposal) + size > call.max_proposal_bytes:
            raise AttachmentError(_too_much_for_proposal(call), 413)
        key = keep_blob(tmp, sha256)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)

    attachment = Attachment(kind=kind, filename=name, size=size, sha256=sha256, detected_type=detected,
                            storage_key=key, uploaded_by_id=user.id)
    proposal.attachments.append(attachment)
    # A file is part of the proposal: a change after submission must say "resubmit".
    proposal.updated_at = clock.now()
    audit.record(user, "attachment.uploaded", attachment, proposal_id=proposal.id, kind=kind,
                 filename=name, size=size, sha256=sha256, type=detected)
    return attachment


def delete(proposal: Proposal, user, attachment: Attachment) -> None:
    deadline.ensure_writable(proposal)
    if attachment.proposal_id != proposal.id:
        raise AttachmentError(_("이 신청서의 첨부파일이 아닙니다."))
    audit.record(user, "attachment.deleted", attachment, proposal_id=proposal.id, kind=attachment.kind,
                 filename=attachment.filename, size=attachment.size, sha256=attachment.sha256)
    proposal.attachments.remove(attachment)
    proposal.updated_at = clock.now()
    db.session.flush()


def _lock(proposal: Proposal) -> None:
    db.session.execute(select(Proposal.id).where(Proposal.id == proposal.id).with_for_update())


def _too_much_for_proposal(call) -> str:
    return _("첨부파일 총용량이 신청서당 한도(%(limit)s)를 넘게 됩니다. 다른 파일을 삭제한 뒤 올리십시오.",
             limit=human_bytes(call.max_proposal_bytes))


def _spool(stream: BinaryIO, per_file: int, room: int) -> tuple[str, int, str]:
    """Copy the upload to a local temporary file, hashing as it goes.

    Stops as soon as a limit is passed, so an oversize file is never read to its end.
    """
    tmp_dir = storage.spool_dir()
    digest = hashlib.sha256()
    size = 0
    fd, tmp = tempfile.mkstemp(dir=tmp_dir)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > per_file:
                    raise AttachmentError(_("파일 하나의 크기는 %(limit)s 이하여야 합니다.", limit=human_bytes(per_file)), 413)
                if size > room:
                    raise AttachmentError(_too_much_for_proposal_room(room), 413)
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())  # the row that points at it may be committed right after
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp, size, digest.hexdigest()


def _too_much_for_proposal_room(room: int) -> str:
    return _("첨부파일 총용량 한도를 넘습니다. 남은 용량은 %(room)s입니다. 다른 파일을 삭제한 뒤 올리십시오.",
             room=human_bytes(max(room, 0)))
