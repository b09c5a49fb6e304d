"""Screening links to the submitted version and its files; a call's files as one streamed ZIP."""
from __future__ import annotations

import csv
import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, ProposalVersion
from tests.app.builders import applicant_of, submitted_proposal
from tests.factories import closed_call, officer_for
from tests.support import sign_in


def _store(app, content: bytes, *, as_sha: str | None = None) -> str:
    sha = as_sha or hashlib.sha256(content).hexdigest()
    path = Path(app.config["UPLOAD_DIR"]) / sha[:2] / sha[2:4] / sha
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return sha


def _give_files(proposal, files: list[tuple[str, str, bytes | None, str]]):
    """files: (kind, filename, stored content or None for a missing blob, sha256 recorded)."""
    version = db.session.scalar(select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id))
    version.snapshot = {**version.snapshot, "attachments": [
        {"id": i + 1, "kind": kind, "kind_label_ko": "사업계획서", "kind_label_en": "Plan", "filename": name,
         "size": len(content or b""), "sha256": sha, "detected_type": "pdf"}
        for i, (kind, name, content, sha) in enumerate(files)]}
    return version


@pytest.fixture
def world(app):
    call = closed_call()
    officer = officer_for(call)
    a = submitted_proposal(call, title="창원 AX 실증산단")
    b = submitted_proposal(call, title="구미 AX 실증산단")
    big = os.urandom(300_000)  # several chunks: the archive leaves in pieces
    plan, budget = b"%PDF-1.7 plan", b"%PDF-1.7 budget"
    _give_files(a, [("plan", "사업계획서.pdf", plan, _store(app, plan)),
                    ("budget", "예산서.pdf", budget, _store(app, budget)),
                    ("other", "사업계획서.pdf", big, _store(app, big))])
    tampered = hashlib.sha256(b"what was uploaded").hexdigest()
    _store(app, b"something else", as_sha=tampered)
    missing = hashlib.sha256(b"never stored").hexdigest()
    _give_files(b, [("plan", "../사업계획서.pdf", b"what was uploaded", tampered),
                    ("budget", "예산서.pdf", None, missing)])
    db.session.commit()
    return dict(call=call, officer=officer, a=a, b=b, big=big, plan=plan, tampered=tampered, missing=missing)


def test_the_screening_pages_name_the_version_and_link_its_files(client, world):
    a, officer = world["a"], world["officer"]
    sign_in(client, officer)
    html = client.get(f"/officer/calls/{world['call'].id}/screening").get_data(as_text=True)
    assert f"/proposals/{a.id}/versions/1" in html and "제출본 v1" in html
    assert f"/officer/calls/{world['call'].id}/attachments.zip" in html
    html = client.get(f"/officer/proposals/{a.id}/screening").get_data(as_text=True)
    version = db.session.scalar(select(ProposalVersion).where(ProposalVersion.proposal_id == a.id))
    assert "제출본 v1 (" in html and " KST)" in html and f"/proposals/{a.id}/versions/1" in html
    sha = hashlib.sha256(world["plan"]).hexdigest()
    assert f"/officer/proposals/{a.id}/submitted-files/{sha}" in html and "사업계획서.pdf" in html
    resp = client.get(f"/officer/proposals/{a.id}/submitted-files/{sha}")
    assert resp.status_code == 200 and resp.data == world["plan"]
    assert resp.headers["Content-Disposition"].startswith("attachment;") and "no-store" in resp.headers["Cache-Control"]
    # A sum that is not in this proposal's submitted version: not found, even if the blob exists elsewhere.
    assert client.get(f"/officer/proposals/{world['b'].id}/submitted-files/{sha}").status_code == 404
    assert version.number == 1


def test_the_zip_streams_every_file_by_receipt_number_with_a_verified_manifest(client, world, caplog):
    call, a, b = world["call"], world["a"], world["b"]
    sign_in(client, world["officer"])
    resp = client.get(f"/officer/calls/{call.id}/attachments.zip")
    assert resp.status_code == 200 and resp.mimetype == "application/zip" and resp.is_streamed
    assert f"{call.code}-attachments.zip" in resp.headers["Content-Disposition"]
    chunks = list(resp.response)
    assert len(chunks) > 3  # written as it is sent, not built whole first
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.testzip() is None
    names = archive.namelist()
    assert names == [f"{a.receipt_no}/사업계획서.pdf", f"{a.receipt_no}/예산서.pdf", f"{a.receipt_no}/사업계획서 (2).pdf",
                     f"{b.receipt_no}/사업계획서.pdf", "MANIFEST.csv"]
    assert archive.read(f"{a.receipt_no}/사업계획서 (2).pdf") == world["big"]
    rows = list(csv.DictReader(io.StringIO(archive.read("MANIFEST.csv").decode("utf-8-sig"))))
    by_path = {r["path"]: r for r in rows}
    assert by_path[f"{a.receipt_no}/사업계획서.pdf"]["status"] == "ok"
    assert by_path[f"{a.receipt_no}/사업계획서.pdf"]["sha256"] == hashlib.sha256(world["plan"]).hexdigest()
    # The file read differs from the sum stored at upload: listed, and logged.
    bad = by_path[f"{b.receipt_no}/사업계획서.pdf"]
    assert bad["status"] == "mismatch" and bad["sha256"] == world["tampered"]
    assert bad["sha256_read"] == hashlib.sha256(b"something else").hexdigest()
    assert by_path[f"{b.receipt_no}/예산서.pdf"]["status"] == "missing"
    assert any("read" in r.getMessage() and "stored" in r.getMessage() for r in caplog.records)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "call.attachments_downloaded"))
    assert entry.actor_id == world["officer"].id and entry.call_id == call.id and entry.data["files"] == 5


def test_only_the_calls_officers_get_the_zip(client, world):
    call = world["call"]
    other_officer = officer_for(closed_call())
    db.session.commit()
    sign_in(client, other_officer)
    assert client.get(f"/officer/calls/{call.id}/attachments.zip").status_code == 404
    sha = hashlib.sha256(world["plan"]).hexdigest()
    assert client.get(f"/officer/proposals/{world['a'].id}/submitted-files/{sha}").status_code == 404
    sign_in(client, applicant_of(world["a"]))
    assert client.get(f"/officer/calls/{call.id}/attachments.zip").status_code in (403, 404)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "call.attachments_downloaded")) is None
