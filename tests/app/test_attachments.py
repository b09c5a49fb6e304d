"""Uploading, checking, storing, downloading and deleting attachments."""
from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attachment, AuditEntry, ConsortiumMember, Proposal
from app.proposals import attachments as files
from app.core import clock
from tests.app.builders import complete_proposal, docx_bytes, hwp_bytes, minimal_pdf, xlsx_bytes
from tests.factories import OrganisationFactory, ProposalFactory, UserFactory, applicant_with_consortium
from tests.support import sign_in

pytestmark = pytest.mark.usefixtures("isolated_dirs")


@pytest.fixture
def draft(app):
    lead, consortium = applicant_with_consortium()
    proposal = ProposalFactory(consortium=consortium, created_by_id=lead.id)
    db.session.commit()
    return lead, proposal


def post_file(client, proposal, data: bytes, name: str, kind: str = "plan"):
    return client.post(f"/proposals/{proposal.id}/attachments",
                       data={"kind": kind, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def stored(proposal) -> list[Attachment]:
    db.session.expire_all()
    return db.session.scalars(select(Attachment).where(Attachment.proposal_id == proposal.id)).all()


def blobs(app) -> list[Path]:
    return [p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()]


def hwpx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/hwp+zip")
        z.writestr("Contents/content.hpf", "<opf:package/>")
        z.writestr("Contents/section0.xml", "<hs:sec>본문</hs:sec>")
    return buf.getvalue()


def pptx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("ppt/presentation.xml", "<p:presentation/>")
    return buf.getvalue()


def test_upload_stores_by_content_and_records_the_file(client, draft, app):
    lead, proposal = draft
    data = minimal_pdf()
    resp = post_file(sign_in(client, lead), proposal, data, "사업계획서 최종.pdf")
    assert resp.status_code == 303

    [a] = stored(proposal)
    sha = hashlib.sha256(data).hexdigest()
    assert (a.kind, a.filename, a.size, a.sha256, a.detected_type) == ("plan", "사업계획서 최종.pdf", len(data), sha, "pdf")
    assert a.storage_key == f"{sha[:2]}/{sha[2:4]}/{sha}" and a.uploaded_by_id == lead.id
    assert blobs(app) == [Path(app.config["UPLOAD_DIR"]) / a.storage_key]
    assert (Path(app.config["UPLOAD_DIR"]) / a.storage_key).read_bytes() == data
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)) == "attachment.uploaded"
    assert "사업계획서 최종.pdf" in client.get(f"/proposals/{proposal.id}/attachments").get_data(as_text=True)


@pytest.mark.parametrize("make, name, detected", [
    (docx_bytes, "계획서.docx", "docx"),
    (xlsx_bytes, "예산표.xlsx", "xlsx"),
    (pptx_bytes, "발표자료.pptx", "pptx"),
    (hwpx_bytes, "협약서.hwpx", "hwpx"),
    (hwp_bytes, "확약서.hwp", "hwp"),
])
def test_accepted_document_types_are_detected_by_content(client, draft, make, name, detected):
    lead, proposal = draft
    assert post_file(sign_in(client, lead), proposal, make(), name, kind="other").status_code == 303
    assert [a.detected_type for a in stored(proposal)] == [detected]


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr("word/media/zeros.bin", b"\0" * (20 * 1024 * 1024))
    return buf.getvalue()


def _corrupt_docx() -> bytes:
    data = bytearray(docx_bytes("손상" * 200))
    data[60:70] = b"\xff" * 10  # inside the compressed document.xml: the CRC no longer matches
    return bytes(data)


def _plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    return buf.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
EXE = b"MZ\x90\x00" + b"\0" * 200
OLE_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024  # an old .doc: OLE2 without the HWP signature


@pytest.mark.parametrize("data, name, message", [
    (EXE, "사업계획서.pdf", "실제 내용은 EXE 파일입니다"),
    (PNG, "사업계획서.pdf", "실제 내용은 PNG 파일입니다"),
    (b"just text", "사업계획서.pdf", "형식이 아닙니다"),
    (docx_bytes(), "사업계획서.pdf", "파일 확장자(.pdf)가 실제 파일 형식(DOCX)과 다릅니다"),
    (minimal_pdf(), "사업계획서.docx", "파일 확장자(.docx)가 실제 파일 형식(PDF)과 다릅니다"),
    (minimal_pdf(), "사업계획서.exe", "파일 확장자(.exe)"),
    (OLE_DOC, "계획서.hwp", "HWP) 문서의 서명이 없습니다"),
    (OLE_DOC, "계획서.doc", "OLE 형식 문서"),
    (OLE_DOC, "암호.docx", "암호가 걸린 문서"),
    (_zip_bomb(), "폭탄.docx", "압축 폭탄"),
    (_corrupt_docx(), "손상.docx", "손상된 파일"),
    (b"PK\x03\x04" + b"\0" * 100, "잘림.docx", "손상된 파일"),
    (_plain_zip(), "묶음.zip", "압축(ZIP) 파일은 올릴 수 없습니다"),
])
def test_refused_files_leave_nothing_behind(client, draft, app, data, name, message):
    lead, proposal = draft
    resp = post_file(sign_in(client, lead), proposal, data, name)
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)
    assert stored(proposal) == [] and blobs(app) == []


def test_oversize_file_is_refused_with_413(client, draft, app):
    lead, proposal = draft
    proposal.call.max_attachment_bytes = 1024
    db.session.commit()
    resp = post_file(sign_in(client, lead), proposal, minimal_pdf() + b"%" * 2048, "큰 파일.pdf")
    assert resp.status_code == 413 and "1KB 이하" in resp.get_data(as_text=True)
    assert stored(proposal) == [] and blobs(app) == []


def test_proposal_total_is_limited(client, draft, app):
    lead, proposal = draft
    proposal.call.max_proposal_bytes = len(minimal_pdf()) * 2 - 1
    db.session.commit()
    sign_in(client, lead)
    assert post_file(client, proposal, minimal_pdf(), "첫째.pdf").status_code == 303
    resp = post_file(client, proposal, minimal_pdf(), "둘째.pdf")
    assert resp.status_code == 413 and "총용량" in resp.get_data(as_text=True)
    assert [a.filename for a in stored(proposal)] == ["첫째.pdf"]


def test_size_is_checked_while_streaming(draft):
    lead, proposal = draft
    proposal.call.max_attachment_bytes = 100_000

    class Endless(io.RawIOBase):
        read_total = 0

        def read(self, n=-1):
            self.read_total += n
            return b"%PDF-" + b"0" * (n - 5)

    stream = Endless()
    with pytest.raises(files.AttachmentError) as refused:
        files.store(proposal, lead, "plan", stream, "무한.pdf")
    assert refused.value.status == 413
    assert stream.read_total <= 100_000 + files.CHUNK


def test_unknown_kind_is_refused(client, draft):
    lead, proposal = draft
    resp = post_file(sign_in(client, lead), proposal, minimal_pdf(), "a.pdf", kind="hack")
    assert resp.status_code == 422 and "목록에 있는 서류 종류" in resp.get_data(as_text=True)
    assert stored(proposal) == []


@pytest.mark.parametrize("original, shown", [
    ("사업계획서.pdf", "사업계획서.pdf"),
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\홍길동\\지방비 확약서.hwp", "지방비 확약서.hwp"),
    (unicodedata.normalize("NFD", "협약서.pdf"), "협약서.pdf"),  # as macOS sends it
    ("계획\u202eexe.pdf", "계획exe.pdf"),  # a right-to-left override would show "계획fdp.exe"
    ("탭\t과\n줄바꿈.pdf", "탭 과 줄바꿈.pdf"),
    ('a<b>:"c"|?*.pdf', "a_b___c____.pdf"),
    ("CON.pdf", "_CON.pdf"),
    ("...", "attachment"),
    ("", "attachment"),
])
def test_display_names_keep_hangul_but_never_become_paths(original, shown):
    assert files.safe_filename(original) == shown


def test_long_names_are_cut_to_a_safe_length_keeping_the_extension():
    name = files.safe_filename("가" * 300 + ".pdf")
    assert name.endswith(".pdf") and len(name.encode()) <= files.MAX_NAME_BYTES and name.startswith("가가")


def test_download_is_an_attachment_with_a_utf8_name(client, draft):
    lead, proposal = draft
    data = minimal_pdf()
    sign_in(client, lead)
    post_file(client, proposal, data, "사업계획서 최종.pdf")
    [a] = stored(proposal)

    resp = client.get(f"/proposals/{proposal.id}/attachments/{a.id}")
    assert resp.status_code == 200 and resp.data == data
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('사업계획서 최종.pdf')}" in disposition
    assert resp.headers["Content-Type"] == "application/pdf"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_downloads_follow_who_may_view(client, draft):
    lead, proposal = draft
    sign_in(client, lead)
    post_file(client, proposal, minimal_pdf(), "a.pdf")
    [a] = stored(proposal)
    url = f"/proposals/{proposal.id}/attachments/{a.id}"

    member_org = OrganisationFactory()
    proposal.consortium.members.append(ConsortiumMember(organisation=member_org, role="university",
                                                         confirmed_at=clock.now()))
    member = UserFactory(organisation=member_org)
    outsider, other_consortium = applicant_with_consortium()
    other = ProposalFactory(consortium=other_consortium, created_by_id=outsider.id, call=proposal.call)
    officer = UserFactory(roles=["officer"], organisation=proposal.call.programme.agency)
    db.session.commit()

    assert sign_in(client, member).get(url).status_code == 200
    assert sign_in(client, officer).get(url).status_code == 200
    assert sign_in(client, outsider).get(url).status_code == 404
    # Nor through the outsider's own proposal's address.
    assert client.get(f"/proposals/{other.id}/attachments/{a.id}").status_code == 404
    assert client.get(f"/proposals/{proposal.id}/attachments").status_code == 404

    sign_in(client, member)  # members read; only the lead organisation changes files
    assert post_file(client, proposal, minimal_pdf(), "b.pdf").status_code == 403
    assert client.post(f"{url}/delete").status_code == 403
    assert [x.filename for x in stored(proposal)] == ["a.pdf"]


def test_delete_removes_the_row_but_keeps_the_blob(client, draft, app):
    lead, proposal = draft
    sign_in(client, lead)
    post_file(client, proposal, minimal_pdf(), "a.pdf")
    [a] = stored(proposal)
    resp = client.post(f"/proposals/{proposal.id}/attachments/{a.id}/delete")
    assert resp.status_code == 303
    assert stored(proposal) == []
    assert len(blobs(app)) == 1  # a submitted version may still list it
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)) == "attachment.deleted"


def test_same_content_is_stored_once(client, draft, app):
    lead, proposal = draft
    sign_in(client, lead)
    post_file(client, proposal, minimal_pdf(), "a.pdf")
    post_file(client, proposal, minimal_pdf(), "사본.pdf", kind="other")
    assert db.session.scalar(select(func.count(Attachment.id))) == 2
    assert len(blobs(app)) == 1


def test_snapshot_lists_what_was_submitted_even_after_deletion(client, app):
    lead, consortium = applicant_with_consortium()
    p = complete_proposal(user=lead, consortium=consortium)
    sign_in(client, lead)
    assert client.post(f"/proposals/{p.id}/submit", data={"confirm": "y"}).status_code == 303
    p = db.session.get(Proposal, p.id)
    first_id, first_sha = p.attachments[0].id, p.attachments[0].sha256
    assert client.post(f"/proposals/{p.id}/attachments/{first_id}/delete").status_code == 303
    html = client.get(f"/proposals/{p.id}/versions/1").get_data(as_text=True)
    assert first_sha in html
