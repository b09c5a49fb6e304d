"""A call's submitted attachments as one ZIP, for its officers, with a manifest of SHA-256 sums.

The archive is written as it is sent: ``stream`` yields the ZIP's bytes file by file (zipfile
on a sink that cannot seek, so every entry carries a data descriptor), never the whole archive
in memory. Each file is hashed while it is read and compared with the sum stored at upload;
a file that differs or is missing is logged and marked in ``MANIFEST.csv``, the archive's
last entry, so the officer sees it without the download failing half-way.
"""
from __future__ import annotations

import csv
import hashlib
import io
import logging
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.core import clock
from app.core.storage import Storage
from app.extensions import db
from app.models.calls import Call
from app.models.proposals import Proposal, ProposalStatus, ProposalVersion
from app.proposals import snapshot
from app.proposals.attachments import storage_key

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
# Snapshots are read this many at a time and let go (see screening.queue for why).
BATCH = 100
MANIFEST = "MANIFEST.csv"
MANIFEST_HEADER = ["receipt_no", "version", "path", "kind", "size", "sha256", "sha256_read", "status"]


@dataclass(frozen=True)
class Entry:
    receipt_no: str
    version: int
    path: str  # inside the archive: <receipt no>/사업계획서.pdf
    kind: str
    size: int
    sha256: str
    submitted_at: datetime


@dataclass(frozen=True)
class Head:
    number: int
    submitted_at: datetime


def version_heads(proposal_ids: Iterable[int]) -> dict[int, Head]:
    """Each proposal's latest submitted version number and time, in one query, no snapshot read."""
    ids = list(proposal_ids)
    if not ids:
        return {}
    newest = (select(ProposalVersion.proposal_id, func.max(ProposalVersion.number).label("n"))
              .where(ProposalVersion.proposal_id.in_(ids)).group_by(ProposalVersion.proposal_id).subquery())
    rows = db.session.execute(
        select(ProposalVersion.proposal_id, ProposalVersion.number, ProposalVersion.submitted_at).join(
            newest, (ProposalVersion.proposal_id == newest.c.proposal_id) & (ProposalVersion.number == newest.c.n)))
    return {r.proposal_id: Head(r.number, r.submitted_at) for r in rows}


def submitted_file(proposal: Proposal, sha256: str) -> dict | None:
    """One file of the proposal's latest submitted version, by its sum (what screening judges)."""
    version = snapshot.latest_version(proposal)
    files = (version.snapshot or {}).get("attachments", []) if version else []
    return next((f for f in files if f.get("sha256") == sha256), None)


def blob_key(sha256: str) -> str | None:
    """The storage key of a submitted file, or None for a sum that cannot be one."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        return None
    return storage_key(sha256)


def _safe_name(filename: str) -> str:
    # Names were checked at upload, but an archive path must never climb out of its folder.
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".")
    return name or "attachment"


def entries(call: Call) -> list[Entry]:
    """The files of every submitted proposal's latest version, by receipt number."""
    ids = list(db.session.scalars(
        select(Proposal.id).where(Proposal.call_id == call.id, Proposal.status == ProposalStatus.SUBMITTED)
        .order_by(Proposal.receipt_no, Proposal.id)))
    out: list[Entry] = []
    for start in range(0, len(ids), BATCH):
        versions = snapshot.latest_versions(ids[start:start + BATCH])
        for pid in ids[start:start + BATCH]:
            version = versions.get(pid)
            if version is None:
                continue
            taken: set[str] = set()
            for f in (version.snapshot or {}).get("attachments", []):
                name = _safe_name(f.get("filename") or "")
                stem, dot, ext = name.rpartition(".")
                n = 2
                while name.lower() in taken:  # two uploads with one name: keep both
                    name = f"{stem} ({n}).{ext}" if dot else f"{ext} ({n})"
                    n += 1
                taken.add(name.lower())
                out.append(Entry(version.receipt_no, version.number, f"{version.receipt_no}/{name}",
                                 f.get("kind", ""), int(f.get("size") or 0), f.get("sha256", ""),
                                 version.submitted_at))
        for version in versions.values():
            db.session.expunge(version)
    return out


class _Sink(io.RawIOBase):
    """Where zipfile writes: the bytes wait here until the generator hands them on."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._pos = 0

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        self._chunks.append(bytes(b))
        self._pos += len(b)
        return len(b)

    def tell(self) -> int:
        return self._pos

    @property
    def pending(self) -> int:
        return sum(len(c) for c in self._chunks)

    def take(self) -> bytes:
        out, self._chunks = b"".join(self._chunks), []
        return out


def _zip_time(at: datetime) -> tuple:
    return clock.to_kst(at).timetuple()[:6]


def stream(items: list[Entry], store: Storage) -> Iterator[bytes]:
    """The ZIP's bytes, a chunk at a time; the manifest goes last, with what reading found.

    Each member is read from ``store`` as a stream while it is compressed, never whole.
    """
    sink = _Sink()
    manifest: list[list] = []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for e in items:
            key = blob_key(e.sha256)
            try:
                src = store.open(key) if key else None
            except FileNotFoundError:
                src = None
            if src is None:
                log.error("attachment bundle: %s missing (blob %s)", e.path, e.sha256[:12])
                manifest.append([e.receipt_no, e.version, e.path, e.kind, e.size, e.sha256, "", "missing"])
                continue
            info = zipfile.ZipInfo(e.path, _zip_time(e.submitted_at))
            info.compress_type = zipfile.ZIP_DEFLATED
            digest = hashlib.sha256()
            with src, zf.open(info, "w", force_zip64=e.size > 2**31) as dest:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    dest.write(chunk)
                    if sink.pending >= CHUNK:
                        yield sink.take()
            read = digest.hexdigest()
            status = "ok" if read == e.sha256 else "mismatch"
            if status != "ok":
                log.error("attachment bundle: %s read %s, stored %s", e.path, read[:12], e.sha256[:12])
            manifest.append([e.receipt_no, e.version, e.path, e.kind, e.size, e.sha256, read, status])
            yield sink.take()
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(MANIFEST_HEADER)
        writer.writerows(manifest)
        # With a BOM, so that a spreadsheet opens the Korean names as UTF-8.
        zf.writestr(zipfile.ZipInfo(MANIFEST, _zip_time(clock.now())), "\ufeff" + text.getvalue(),
                    compress_type=zipfile.ZIP_DEFLATED)
    yield sink.take()
