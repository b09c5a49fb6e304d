"""Officer console: the submitted files, one at a time from screening or all of a call as a ZIP."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort
from flask_login import current_user, login_required

from app import audit
from app.core import storage
from app.extensions import db
from app.selection import bundle
from app.web.documents import send_document
from app.web.loaders import call_for_officer, proposal_for_officer
from app.web.officer import bp


@bp.route("/proposals/<int:proposal_id>/submitted-files/<sha256>")
@login_required
def submitted_file(proposal_id: int, sha256: str):
    proposal = proposal_for_officer(proposal_id)
    item = bundle.submitted_file(proposal, sha256)
    if item is None or len(sha256) != 64:
        abort(404)
    return send_document(bundle.blob_key(sha256),
                         item.get("filename") or "attachment", item.get("detected_type"),
                         f"submitted file {sha256[:12]}")


@bp.route("/calls/<int:call_id>/attachments.zip")
@login_required
def attachments_zip(call_id: int):
    call = call_for_officer(call_id)
    items = bundle.entries(call)
    # Recorded before the first byte leaves: a download cut off half-way was still asked for.
    audit.record(current_user, "call.attachments_downloaded", call, files=len(items),
                 bytes=sum(e.size for e in items))
    db.session.commit()
    filename = f"{call.code}-attachments.zip"
    # The generator needs no request context: it is handed the entries and the storage.
    resp = Response(bundle.stream(items, storage.get()), mimetype="application/zip")
    resp.headers["Content-Disposition"] = f"attachment; filename={filename}; filename*=UTF-8''{quote(filename)}"
    resp.headers["Cache-Control"] = "private, no-store"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp
