"""The blob storage (app/core/storage.py) on both back-ends, the orphan sweep and the move to S3.

The S3 back-end runs against a real S3-compatible server: moto's standalone server, started
once per session by the ``s3_server`` fixture (tests/conftest.py).
"""
from __future__ import annotations

import hashlib
import io
import os
import time
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
from sqlalchemy import select

from app.blobs import sweep as blob_sweep
from app.core import clock, storage
from app.extensions import db
from app.models import Attachment, AuditEntry, ProposalVersion
from app.proposals.attachments import storage_key
from tests.app.builders import minimal_pdf, submitted_proposal
from tests.factories import ProposalFactory, applicant_with_consortium, closed_call, officer_for
from tests.support import sign_in

pytestmark = pytest.mark.usefixtures("isolated_dirs")

BUCKET = "gongmo-test"
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def s3(s3_server):
    client = boto3.client("s3", endpoint_url=s3_server.endpoint_url)
    try:
        client.create_bucket(Bucket=BUCKET)
    except client.exceptions.BucketAlreadyOwnedByYou:
        pass
    return s3_server


@pytest.fixture
def s3_url(s3) -> str:
    """A prefix of its own for each test, so no test sees another's objects."""
    return f"s3://{BUCKET}/t-{uuid.uuid4().hex[:12]}"


@pytest.fixture(params=["local", "s3"])
def store(request, app, isolated_dirs, monkeypatch) -> storage.Storage:
    """The app's storage, on each back-end in turn."""
    if request.param == "local":
        chosen = storage.for_config(app.config)
        assert isinstance(chosen, storage.LocalStorage)
    else:
        s3 = request.getfixturevalue("s3")
        monkeypatch.setitem(app.config, "S3_ENDPOINT_URL", s3.endpoint_url)
        chosen = storage.for_config(app.config, url=request.getfixturevalue("s3_url"))
        assert isinstance(chosen, storage.S3Storage)
    monkeypatch.setitem(app.extensions, "storage", chosen)
    return chosen


def sha_key(data: bytes) -> str:
    return storage_key(hashlib.sha256(data).hexdigest())


def read(store: storage.Storage, key: str) -> bytes:
    with store.open(key) as stream:
        return stream.read()


def test_both_back_ends_store_open_list_and_delete(store, tmp_path):
    data, other = os.urandom(200_000), b"second blob"
    source = tmp_path / "upload.bin"
    source.write_bytes(data)
    key, key2 = sha_key(data), sha_key(other)

    assert not store.exists(key)
    store.put_file(key, source)
    store.put_file(key, source)  # the same content again: nothing changes
    store.put_bytes(key2, other)
    assert source.read_bytes() == data  # the caller's file is left alone
    assert store.exists(key) and store.size(key) == len(data) and store.size(key2) == len(other)
    stream = store.open(key)
    assert stream.read(1000) == data[:1000]  # a stream, read as far as wanted
    stream.close()
    assert read(store, key) == data and b"".join(store.iter_chunks(key2)) == other

    listed = dict(store.keys())
    assert set(listed) == {key, key2}
    assert all(abs((at - clock.now()).total_seconds()) < 120 and at.utcoffset() == timedelta(0)
               for at in listed.values())
    assert [k for k, _ in store.keys(key2)] == [key2]

    store.delete(key)
    store.delete(key)  # gone already: not an error
    assert not store.exists(key) and [k for k, _ in store.keys()] == [key2]
    with pytest.raises(FileNotFoundError):
        store.open(key)
    with pytest.raises(FileNotFoundError):
        store.size(key)


def test_keys_never_climb_out_of_the_store(store):
    for bad in ("../etc/passwd", "/abs", "a//b", "ab/.incoming/x", ""):
        with pytest.raises(storage.StorageError):
            store.put_bytes(bad, b"x")


def test_storage_url_picks_the_back_end(app, tmp_path):
    assert isinstance(storage.from_url(None, default_dir=tmp_path), storage.LocalStorage)
    local = storage.from_url(f"file://{tmp_path}/blobs")
    assert isinstance(local, storage.LocalStorage) and local.root == tmp_path / "blobs"
    s3 = storage.from_url("s3://bucket/some/prefix/", endpoint_url="http://127.0.0.1:9")
    assert isinstance(s3, storage.S3Storage) and (s3.bucket, s3.prefix) == ("bucket", "some/prefix/")
    for bad in ("s3:///prefix", "ftp://host/x"):
        with pytest.raises(storage.StorageError):
            storage.from_url(bad)


# --- through the web, with STORAGE_URL=s3://… --------------------------------------------------

@pytest.fixture
def s3_app(make_app, app, s3, s3_url):
    """An app whose STORAGE_URL is the S3 server, parts of 5 MiB above 1 MiB."""
    application = make_app(STORAGE_URL=s3_url, S3_ENDPOINT_URL=s3.endpoint_url,
                           STORAGE_MULTIPART_THRESHOLD=MiB, STORAGE_MULTIPART_CHUNKSIZE=5 * MiB,
                           UPLOAD_DIR=app.config["UPLOAD_DIR"], MAIL_DIR=app.config["MAIL_DIR"])
    with application.app_context():
        yield application


def _upload(client, proposal, data: bytes, name: str):
    return client.post(f"/proposals/{proposal.id}/attachments",
                       data={"kind": "plan", "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_an_attachment_goes_to_s3_and_comes_back_through_the_app(s3_app):
    lead, consortium = applicant_with_consortium()
    proposal = ProposalFactory(consortium=consortium, created_by_id=lead.id)
    db.session.commit()
    client = sign_in(s3_app.test_client(), lead)
    data = minimal_pdf()

    assert _upload(client, proposal, data, "사업계획서.pdf").status_code == 303
    [a] = db.session.scalars(select(Attachment).where(Attachment.proposal_id == proposal.id)).all()
    store = storage.get()
    assert isinstance(store, storage.S3Storage) and read(store, a.storage_key) == data
    assert [k for k, _ in store.keys()] == [a.storage_key]
    # Nothing stays on the local disk but the (empty) spool.
    assert [p for p in Path(s3_app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()] == []

    resp = client.get(f"/proposals/{proposal.id}/attachments/{a.id}")
    assert resp.status_code == 200 and resp.data == data
    assert resp.content_length == len(data) and resp.mimetype == "application/pdf"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in resp.headers["Cache-Control"]
    assert resp.headers["Content-Disposition"].startswith("attachment;")

    store.delete(a.storage_key)  # lost from the bucket: a 404, not a 500
    assert client.get(f"/proposals/{proposal.id}/attachments/{a.id}").status_code == 404


def test_a_large_upload_goes_to_s3_in_parts(s3_app):
    lead, consortium = applicant_with_consortium()
    proposal = ProposalFactory(consortium=consortium, created_by_id=lead.id)
    db.session.commit()
    client = sign_in(s3_app.test_client(), lead)
    data = b"%PDF-1.7\n%" + os.urandom(6 * MiB) + b"\n" + minimal_pdf()

    assert _upload(client, proposal, data, "큰 파일.pdf").status_code == 303
    [a] = db.session.scalars(select(Attachment).where(Attachment.proposal_id == proposal.id)).all()
    store = storage.get()
    assert store.etag(a.storage_key).endswith("-2")  # two parts of 5 MiB and the rest
    resp = client.get(f"/proposals/{proposal.id}/attachments/{a.id}")
    assert resp.content_length == len(data) and hashlib.sha256(resp.data).hexdigest() == a.sha256


def test_the_calls_zip_streams_its_members_from_the_storage(store, client):
    call = closed_call()
    officer = officer_for(call)
    proposal = submitted_proposal(call)
    plan, big = b"%PDF-1.7 plan", os.urandom(300_000)
    for blob in (plan, big):
        store.put_bytes(sha_key(blob), blob)
    missing = hashlib.sha256(b"never stored").hexdigest()
    version = db.session.scalar(select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id))
    version.snapshot = {**version.snapshot, "attachments": [
        {"id": i + 1, "kind": "plan", "filename": name, "size": size, "sha256": sha, "detected_type": "pdf"}
        for i, (name, size, sha) in enumerate([("plan.pdf", len(plan), hashlib.sha256(plan).hexdigest()),
                                               ("big.pdf", len(big), hashlib.sha256(big).hexdigest()),
                                               ("gone.pdf", 1, missing)])]}
    db.session.commit()
    sign_in(client, officer)

    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/officer/calls/{call.id}/attachments.zip").data))
    assert archive.read(f"{proposal.receipt_no}/big.pdf") == big
    manifest = archive.read("MANIFEST.csv").decode("utf-8-sig")
    assert manifest.count(",ok") == 2 and manifest.count(",missing") == 1
    one = client.get(f"/officer/proposals/{proposal.id}/submitted-files/{hashlib.sha256(plan).hexdigest()}")
    assert one.status_code == 200 and one.data == plan and one.content_length == len(plan)
    assert client.get(f"/officer/proposals/{proposal.id}/submitted-files/{missing}").status_code == 404


# --- the orphan sweep -------------------------------------------------------------------------

def test_the_sweep_deletes_old_orphans_and_keeps_what_rows_name(store):
    lead, consortium = applicant_with_consortium()
    proposal = ProposalFactory(consortium=consortium, created_by_id=lead.id)
    attached, submitted, orphan = b"attached now", b"in a submitted version only", b"nobody's"
    for blob in (attached, submitted, orphan):
        store.put_bytes(sha_key(blob), blob)
    proposal.attachments.append(Attachment(kind="plan", filename="a.pdf", size=len(attached),
                                           sha256=hashlib.sha256(attached).hexdigest(), detected_type="pdf",
                                           storage_key=sha_key(attached), uploaded_by_id=lead.id))
    version = db.session.scalar(select(ProposalVersion).where(
        ProposalVersion.proposal_id == submitted_proposal(closed_call()).id))
    version.snapshot = {**version.snapshot, "attachments": [
        {"filename": "b.pdf", "sha256": hashlib.sha256(submitted).hexdigest(), "size": len(submitted)}]}
    db.session.commit()

    young = blob_sweep.sweep(timedelta(hours=24))
    assert (young.deleted, young.young, young.referenced) == (0, 1, 2)
    assert store.exists(sha_key(orphan))

    with clock.as_of(clock.now() + timedelta(hours=25)):
        result = blob_sweep.sweep(timedelta(hours=24))
    db.session.commit()
    assert (result.scanned, result.deleted, result.referenced) == (3, 1, 2)
    assert not store.exists(sha_key(orphan))
    assert store.exists(sha_key(attached)) and store.exists(sha_key(submitted))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "storage.swept")
                              .order_by(AuditEntry.id.desc()).limit(1))
    assert entry.data["deleted"] == 1 and entry.data["storage"] == store.url


def test_a_blob_stored_again_is_young_again(store, tmp_path):
    """An old orphan that a new upload is about to name must not look old to the sweep."""
    data = b"uploaded, removed, uploaded again"
    key = sha_key(data)
    store.put_bytes(key, data)
    if isinstance(store, storage.LocalStorage):
        old = (clock.now() - timedelta(hours=25)).timestamp()
        os.utime(store.path(key), (old, old))
    else:
        time.sleep(1.1)  # S3 keeps LastModified to the second
    before = store.last_modified(key)
    source = tmp_path / "again"
    source.write_bytes(data)
    store.put_file(key, source)
    assert store.last_modified(key) > before and read(store, key) == data
    assert blob_sweep.sweep(timedelta(hours=24)).deleted == 0 and store.exists(key)


def test_the_sweep_clears_spool_files_of_uploads_that_died(app):
    spool = storage.spool_dir()
    stale, live = spool / "tmpstale", spool / "tmplive"
    stale.write_bytes(b"half an upload")
    live.write_bytes(b"being uploaded now")
    old = (clock.now() - timedelta(hours=25)).timestamp()
    os.utime(stale, (old, old))
    assert blob_sweep.sweep(timedelta(hours=24)).spooled == 1
    assert not stale.exists() and live.exists()


def test_every_column_that_names_a_blob_is_found(app):
    found = {f"{c.table.name}.{c.name}" for c in blob_sweep.blob_columns()}
    assert {"attachments.storage_key", "objection_evidence.storage_key", "report_files.storage_key",
            "agreements.document_key", "info_sessions.slides_storage_key", "presentation_slots.slides_storage_key",
            "committee_meetings.minutes_storage_key"} <= found
    snapshots = {c.table.name for c in blob_sweep.snapshot_columns()}
    assert {"proposal_versions", "report_versions", "plan_revisions"} <= snapshots


def test_flask_storage_sweep_reports_its_counts(store, app):
    orphan = b"left behind by a rolled-back upload"
    store.put_bytes(sha_key(orphan), orphan)
    runner = app.test_cli_runner()
    kept = runner.invoke(args=["storage", "sweep"])
    assert kept.exit_code == 0 and "0 orphans deleted" in kept.output and "1 young" in kept.output
    gone = runner.invoke(args=["storage", "sweep", "--grace-hours", "0"])
    assert gone.exit_code == 0, gone.output
    assert "1 orphans deleted" in gone.output and not store.exists(sha_key(orphan))


def test_the_beat_sweeps_the_storage_daily(store):
    from app.core.tasks import SWEEP_STORAGE
    from workers import tasks
    from workers.schedule import beat_schedule

    entry = beat_schedule({})["sweep-storage"]
    assert entry["task"] == SWEEP_STORAGE and entry["schedule"] == 24 * 3600
    assert tasks.sweep_storage.name == SWEEP_STORAGE
    orphan = b"an orphan from long ago"
    store.put_bytes(sha_key(orphan), orphan)
    with clock.as_of(clock.now() + timedelta(hours=25)):
        assert tasks.sweep_storage()["deleted"] == 1  # what the worker runs, in this process
    assert not store.exists(sha_key(orphan))


# --- flask storage migrate --------------------------------------------------------------------

def test_migrate_copies_every_blob_to_s3_and_verifies_it(app, s3, s3_url, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "S3_ENDPOINT_URL", s3.endpoint_url)
    local = storage.get()
    blobs = [b"one", os.urandom(2 * MiB), b"three"]
    for blob in blobs:
        local.put_bytes(sha_key(blob), blob)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["storage", "migrate", "--to", s3_url])
    assert result.exit_code == 0, result.output
    assert "3 copied, 0 already there, 3 verified, 0 mismatched" in result.output
    target = storage.for_config(app.config, url=s3_url)
    assert all(read(target, sha_key(b)) == b for b in blobs)

    again = runner.invoke(args=["storage", "migrate", "--to", s3_url])  # a second run only verifies
    assert again.exit_code == 0 and "0 copied, 3 already there, 3 verified" in again.output


def test_migrate_refuses_to_report_success_for_a_corrupted_copy(app, s3, s3_url, monkeypatch):
    monkeypatch.setitem(app.config, "S3_ENDPOINT_URL", s3.endpoint_url)
    local = storage.get()
    good, bad = b"intact", b"what was uploaded"
    local.put_bytes(sha_key(good), good)
    target = storage.for_config(app.config, url=s3_url)
    target.put_bytes(sha_key(bad), b"something else")  # a copy gone wrong on an earlier run
    local.put_bytes(sha_key(bad), bad)

    result = app.test_cli_runner().invoke(args=["storage", "migrate", "--to", s3_url])
    assert result.exit_code == 1
    assert "1 verified, 1 mismatched" in result.output and f"MISMATCH {sha_key(bad)}" in result.output
    assert "all blobs copied and verified" not in result.output


def test_migrate_names_a_bad_target(app):
    result = app.test_cli_runner().invoke(args=["storage", "migrate", "--to", "ftp://x/y"])
    assert result.exit_code == 2 and "--to" in result.output
