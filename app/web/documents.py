"""Handing a stored document (an attachment, a piece of evidence) to the browser, one safe way.

Always as a download, never inline: a document must not run in the portal's origin, whatever it
contains; ``nosniff`` keeps the browser to the type found by content on upload; ``no-store``
keeps a consortium's files out of shared caches. A blob missing on disk is logged and is a 404.
"""
from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, send_file

from app.proposals import filetypes


def send_document(path: Path, filename: str, detected_type: str | None, what: str):
    if not path.is_file():
        current_app.logger.error("%s: blob %s missing", what, path.name)
        abort(404)
    mimetype = filetypes.mimetype(detected_type) if detected_type else "application/octet-stream"
    resp = send_file(path, mimetype=mimetype, as_attachment=True, download_name=filename or "attachment",
                     conditional=False, etag=False, max_age=0)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
