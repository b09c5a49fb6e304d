"""Handing a stored document (an attachment, a piece of evidence) to the browser, one safe way.

Always as a download, never inline: a document must not run in the portal's origin, whatever it
contains; ``nosniff`` keeps the browser to the type found by content on upload; ``no-store``
keeps a consortium's files out of shared caches. The bytes are streamed from the storage
(app/core/storage.py) through the app, after the caller's permission check: a bucket is never
reachable from the browser. A blob missing in the storage is logged and is a 404.
"""
from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, send_file

from app.core import storage
from app.proposals import filetypes


def _headers(resp):
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def send_document(key: str | None, filename: str, detected_type: str | None, what: str):
    """Stream the blob under ``key`` as a download; 404 when there is none."""
    store = storage.get()
    try:
        if not key:
            raise FileNotFoundError(key)
        size = store.size(key)
        stream = store.open(key)
    except FileNotFoundError:
        current_app.logger.error("%s: blob %s missing", what, (key or "").rsplit("/", 1)[-1])
        abort(404)
    mimetype = filetypes.mimetype(detected_type) if detected_type else "application/octet-stream"
    resp = send_file(stream, mimetype=mimetype, as_attachment=True, download_name=filename or "attachment",
                     conditional=False, etag=False, max_age=0)
    resp.content_length = size
    return _headers(resp)


def send_local_file(path: Path, filename: str, detected_type: str | None):
    """A file made for this response on the local disk (an export), not a stored blob."""
    mimetype = filetypes.mimetype(detected_type) if detected_type else "application/octet-stream"
    return _headers(send_file(path, mimetype=mimetype, as_attachment=True, download_name=filename,
                              conditional=False, etag=False, max_age=0))
