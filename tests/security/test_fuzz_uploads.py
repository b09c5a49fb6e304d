"""Hostile uploads: only a real document of an accepted type is stored, under a safe name.

Bodies are written by hand (multipart), so a file name can carry raw bytes, CR/LF, NUL
or an RFC 5987 ``filename*`` the browser would never send. The call's per-file limit is
set small so oversize files stay cheap.
"""
from __future__ import annotations

import io
import unicodedata
import zipfile
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from app.models import Attachment, Proposal
from app.proposals import attachments as files
from app.proposals import filetypes
from tests.app.builders import docx_bytes, hwp_bytes, minimal_pdf, xlsx_bytes
from tests.factories import CallFactory, ProposalFactory, applicant_with_consortium
from tests.security.conftest import table_digest
from tests.security.fuzzing import FUZZ, shows_a_message
from tests.support import sign_in

LIMIT = 64 * 1024


@lru_cache
def zip_bomb() -> bytes:
    """A "docx" whose document expands 50 MB from ~50 KB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * 50_000_000)
    return buf.getvalue()


def encrypted_flag_zip() -> bytes:
    """A docx whose members claim to be encrypted."""
    data = bytearray(docx_bytes())
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        start = 0
        while (i := data.find(sig, start)) >= 0:
            flag_at = i + (6 if sig == b"PK\x03\x04" else 8)
            data[flag_at] |= 0x01
            start = i + 4
    return bytes(data)


def nested_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("inner.zip", docx_bytes())
    return buf.getvalue()


# (content, extension it really is, or None when it is no acceptable document).
# Built once: an xlsx carries its creation time, and hypothesis needs the same bytes every run.
@lru_cache
def _real() -> list[tuple[bytes, str]]:
    return [(minimal_pdf(), ".pdf"), (docx_bytes(), ".docx"), (xlsx_bytes(), ".xlsx"), (hwp_bytes(), ".hwp")]


JUNK = [
    b"", b"\0", b"MZ\x90\x00" + b"\0" * 200, b"\x7fELF\x02\x01\x01" + b"\0" * 100, b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
    b"<html><script>alert(1)</script></html>", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    b"%PDF-", b"%PDF-1.7\n<html><script>alert(1)</script>", b"PK\x03\x04", b"PK\x05\x06" + b"\0" * 18,
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,  # OLE2 without the HWP signature
]


@st.composite
def contents(draw):
    """(bytes, the extension of the real type it is, or None)."""
    kind = draw(st.integers(-2, 7))
    if kind <= 0:
        return draw(st.sampled_from(_real()))
    if kind == 1:  # cut short anywhere: never a whole document
        data, ext = draw(st.sampled_from([r for r in _real() if r[1] != ".hwp"]))
        cut = draw(st.integers(1, len(data) - 1))
        truncated = data[:cut]
        # A PDF ends with its %%EOF line; cut after it, only the final newline is lost.
        whole = ext == ".pdf" and truncated.rstrip(b"\r\n").endswith(b"%%EOF")
        return truncated, (ext if whole else None)
    if kind == 2:
        return draw(st.binary(max_size=2048)), None
    if kind == 3:
        return draw(st.sampled_from(JUNK)), None
    if kind == 4:
        return draw(st.sampled_from([zip_bomb(), encrypted_flag_zip(), nested_zip()])), None
    if kind == 5:  # over the per-file limit, though it starts like a PDF
        return b"%PDF-1.4\n" + b"0" * LIMIT, None
    if kind == 6:  # bytes flipped inside a real zip document
        data, ext = draw(st.sampled_from([r for r in _real() if r[1] in (".docx", ".xlsx")]))
        i = draw(st.integers(30, len(data) - 30))
        return data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:], "maybe"
    data = draw(st.binary(min_size=1, max_size=64)) + minimal_pdf()  # junk before the header
    return data, ("maybe" if data.startswith(b"%PDF-") else None)


HOSTILE_NAMES = [
    "../../etc/passwd", "..\\..\\windows\\win.ini", "/etc/shadow", "C:\\boot.ini", "a\x00.pdf", "a.pdf\x00.exe",
    "a\r\nContent-Type: text/html\r\n\r\n.pdf", "x\nSet-Cookie: a=b.pdf", "A" * 1000 + ".pdf", "가" * 300 + ".pdf",
    unicodedata.normalize("NFD", "사업계획서.pdf"), "\u1109\u1161\u110b\u1165\u11b8.pdf", "계획\u202eexe.pdf",
    "fdp.\u202eexe", "\u200b.pdf", "", ".", "..", "...", " ", ".pdf", "CON.pdf", "nul.docx", "a.pdf.exe", "a.exe.pdf",
    "a.PDF", "a.pdf ", "a.pdf.", '"><script>alert(1)</script>.pdf', "%2e%2e%2fetc.pdf", "a;b=c.pdf", "a\"b.pdf",
    "\ud800.pdf", "😀" * 60 + ".docx", "a." + "x" * 20,
]
NAME = st.one_of(
    st.sampled_from(HOSTILE_NAMES),
    st.tuples(st.text(max_size=40), st.sampled_from(["", ".pdf", ".docx", ".xlsx", ".hwp", ".hwpx", ".exe", ".zip",
                                                     ".PdF", ".pdf.zip"])).map("".join),
)


def multipart(fields: list[tuple[str, str]], file_parts: list[tuple[str, str, bytes, bool]]) -> tuple[bytes, str]:
    """(body, content type); a file part's name goes raw into filename="…" or encoded into filename*."""
    boundary = "----gongmo-fuzz-7f3a9c"
    out = bytearray()
    for name, value in fields:
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += value.encode("utf-8", "surrogatepass") + b"\r\n"
    for field, filename, data, starred in file_parts:
        raw = filename.encode("utf-8", "surrogatepass")
        if starred:
            disposition = b"filename*=UTF-8''" + quote_from_bytes(raw, safe="").encode()
        else:
            disposition = b'filename="' + raw + b'"'
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '.encode() + disposition
        out += b"\r\nContent-Type: application/octet-stream\r\n\r\n" + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def uploading(app, isolated_dirs):
    call = CallFactory()
    call.max_attachment_bytes = LIMIT
    owner, consortium = applicant_with_consortium()
    proposal = ProposalFactory(call=call, consortium=consortium, created_by_id=owner.id)
    db.session.commit()
    return SimpleNamespace(owner=owner, proposal_id=proposal.id, upload_dir=Path(app.config["UPLOAD_DIR"]))


def _blobs(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def _safe_name(name: str) -> bool:
    return (
        name
        and "/" not in name and "\\" not in name
        and not any(unicodedata.category(ch).startswith("C") for ch in name)
        and name == unicodedata.normalize("NFC", name)
        and name.strip(" .") == name
        and name not in (".", "..")
        and len(name.encode("utf-8")) <= 255
    )


def _attachments(proposal_id: int) -> list[Attachment]:
    db.session.expire_all()
    return list(db.session.scalars(select(Attachment).where(Attachment.proposal_id == proposal_id)))


def _expect(content_type, filename: str, kind: str, starred: bool) -> bool | None:
    """True: must be accepted; False: must be refused; None: either.

    Either: a damaged zip member, or a name no browser sends (raw CR, LF or quote inside
    ``filename="…"`` end the header early; a lone surrogate is not UTF-8).
    """
    if content_type is None or kind != "plan":
        return False
    if content_type == "maybe" or any("\ud800" <= ch <= "\udfff" for ch in filename):
        return None
    if not starred and any(ch in filename for ch in '\r\n"'):
        return None
    stored_ext = filetypes.extension(files.safe_filename(filename))
    return stored_ext == content_type


@FUZZ
@given(content=contents(), filename=NAME, kind=st.sampled_from(["plan", "plan", "plan", "other_thing", "", "\u202e"]),
       starred=st.booleans(), extra_file=st.booleans(), own_extension=st.booleans())
def test_uploads(app, uploading, content, filename, kind, starred, extra_file, own_extension):
    data, real_type = content
    if own_extension and real_type in filetypes.ACCEPTED_EXTENSIONS:
        filename += real_type  # the hostile name, ending as the document really is
    client = sign_in(app.test_client(), uploading.owner)
    parts = [("file", filename, data, starred)]
    if extra_file:  # a second file under the same name: only the first may count
        parts.append(("file", "second.pdf", b"MZ" + b"\0" * 100, False))
    body, content_type = multipart([("kind", kind)], parts)
    before_rows, before_blobs, before = _attachments(uploading.proposal_id), _blobs(uploading.upload_dir), table_digest()

    resp = client.post(f"/proposals/{uploading.proposal_id}/attachments", data=body, content_type=content_type)

    assert resp.status_code < 500
    event(f"HTTP {resp.status_code}")
    rows = _attachments(uploading.proposal_id)
    incoming = uploading.upload_dir / ".incoming"
    assert not (incoming.exists() and any(incoming.iterdir())), "a temporary file was left behind"
    expected = _expect(real_type, filename, kind, starred)
    if resp.status_code == 303:
        assert expected is not False, f"accepted {data[:40]!r} as {filename!r} ({kind!r})"
        (new,) = [a for a in rows if a.id not in {b.id for b in before_rows}]
        assert new.detected_type in filetypes.TYPES
        assert _safe_name(new.filename), f"stored name {new.filename!r}"
        assert filetypes.extension(new.filename) in filetypes.TYPES[new.detected_type].extensions
        blob = (uploading.upload_dir / new.storage_key).resolve()
        assert blob.is_relative_to(uploading.upload_dir.resolve()) and blob.read_bytes() == data
        download = client.get(f"/proposals/{uploading.proposal_id}/attachments/{new.id}")
        assert download.status_code == 200 and download.data == data
        disposition = download.headers["Content-Disposition"]
        assert disposition.startswith("attachment") and "\r" not in disposition and "\n" not in disposition
        # Back to the empty proposal for the next example.
        proposal = db.session.get(Proposal, uploading.proposal_id)
        files.delete(proposal, uploading.owner, db.session.get(Attachment, new.id))
        db.session.commit()
    else:
        assert expected is not True, f"refused a real {real_type} named {filename!r}: {resp.status_code}"
        assert resp.status_code in (400, 413, 422), resp.status_code
        assert shows_a_message(resp)
        assert [a.id for a in rows] == [a.id for a in before_rows]
        assert _blobs(uploading.upload_dir) == before_blobs, "a refused file was stored"
        assert table_digest() == before


@pytest.mark.parametrize("data, name", [
    (b"%PDF-1.4\n" + b"0" * LIMIT, "big.pdf"),
    (zip_bomb(), "bomb.docx"),
    (b"", "empty.pdf"),
    (minimal_pdf()[:-20], "cut.pdf"),
    (docx_bytes()[:-30], "cut.docx"),
    (minimal_pdf(), "real.docx"),
    (docx_bytes(), "real.pdf"),
    (b"MZ" + b"\0" * 100, "setup.pdf"),
])
def test_known_bad_files_are_refused_with_a_reason(app, uploading, data, name):
    client = sign_in(app.test_client(), uploading.owner)
    body, content_type = multipart([("kind", "plan")], [("file", name, data, False)])
    before = table_digest()
    resp = client.post(f"/proposals/{uploading.proposal_id}/attachments", data=body, content_type=content_type)
    assert resp.status_code in (400, 413, 422) and shows_a_message(resp)
    assert table_digest() == before


def test_a_real_document_under_a_hostile_name_is_stored_under_a_safe_one(app, uploading):
    client = sign_in(app.test_client(), uploading.owner)
    body, content_type = multipart([("kind", "plan")],
                                   [("file", "../../etc/\u202e사업계획서\r\n.pdf", minimal_pdf(), True)])
    resp = client.post(f"/proposals/{uploading.proposal_id}/attachments", data=body, content_type=content_type)
    assert resp.status_code == 303
    (stored,) = _attachments(uploading.proposal_id)
    assert stored.filename == "사업계획서 .pdf" or (_safe_name(stored.filename) and stored.filename.endswith(".pdf"))
    assert _safe_name(stored.filename)
