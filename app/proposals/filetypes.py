"""What an uploaded document really is, read from its bytes; its name must agree.

Reviewers open these files on government PCs, so a renamed executable or a zip
bomb must never be stored as if it were a proposal document. Detection uses the
content only; the extension is then checked against what the content says.
"""
from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from app.core.errors import ProposalsError

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
PDF_MAGIC = b"%PDF-"
HWP_SIGNATURE = b"HWP Document File"  # first bytes of the FileHeader stream, never compressed

# A document expands a few times when unzipped; a bomb, thousands of times.
ZIP_MAX_RATIO = 200
ZIP_MAX_UNCOMPRESSED = 512 * 1024 * 1024
ZIP_MAX_MEMBERS = 10_000


@dataclass(frozen=True)
class DocType:
    key: str
    label: str
    extensions: tuple[str, ...]
    mimetype: str


TYPES = {
    t.key: t for t in (
        DocType("pdf", "PDF", (".pdf",), "application/pdf"),
        DocType("hwp", "HWP", (".hwp",), "application/x-hwp"),
        DocType("hwpx", "HWPX", (".hwpx",), "application/hwp+zip"),
        DocType("docx", "DOCX", (".docx",),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        DocType("xlsx", "XLSX", (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        DocType("pptx", "PPTX", (".pptx",),
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    )
}
ACCEPTED_EXTENSIONS = tuple(ext for t in TYPES.values() for ext in t.extensions)

# Names for common files that are not documents, so the refusal says what the file is.
_OTHER_SIGNATURES = (
    (b"MZ", "EXE"),
    (b"\x7fELF", "ELF"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"Rar!", "RAR"),
    (b"7z\xbc\xaf\x27\x1c", "7Z"),
)


class FileTypeError(ProposalsError, ValueError):
    pass


def extension(filename: str) -> str:
    suffix = Path(filename).suffix
    return suffix.lower()


def mimetype(key: str) -> str:
    t = TYPES.get(key)
    return t.mimetype if t else "application/octet-stream"


def accepted_list() -> str:
    return ", ".join(t.label for t in TYPES.values())


def detect(path: str | Path, filename: str) -> str:
    """The type key of the file at ``path`` (pdf, hwp, hwpx, docx, xlsx, pptx); raises FileTypeError."""
    ext = extension(filename)
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(PDF_MAGIC):
        key = _pdf(path)
    elif head == OLE2_MAGIC:
        key = _ole(path, ext)
    elif head.startswith(ZIP_MAGIC):
        key = _zip(path)
    else:
        raise FileTypeError(_unknown(head, ext))
    if ext not in TYPES[key].extensions:
        raise FileTypeError(_(
            "파일 확장자(%(ext)s)가 실제 파일 형식(%(kind)s)과 다릅니다. 파일 이름을 바꾸지 말고 원래 형식 그대로 올리십시오.",
            ext=ext or _("없음"), kind=TYPES[key].label))
    return key


def _unknown(head: bytes, ext: str) -> str:
    what = next((name for magic, name in _OTHER_SIGNATURES if head.startswith(magic)), None)
    if what and ext in ACCEPTED_EXTENSIONS:
        return _("파일 이름은 %(ext)s이지만 실제 내용은 %(what)s 파일입니다. %(accepted)s 문서만 올릴 수 있습니다.",
                 ext=ext, what=what, accepted=accepted_list())
    if ext in ACCEPTED_EXTENSIONS:
        return _("파일 내용이 %(ext)s 형식이 아닙니다. 손상되었거나 다른 형식의 파일입니다. %(accepted)s 문서만 올릴 수 있습니다.",
                 ext=ext, accepted=accepted_list())
    return _("이 형식의 파일은 올릴 수 없습니다. %(accepted)s 문서만 올릴 수 있습니다.", accepted=accepted_list())


PDF_EOF = b"%%EOF"
PDF_TAIL = 1024  # readers look for the end-of-file marker in the last kilobyte


def _pdf(path) -> str:
    # A PDF ends with its %%EOF line; without it the upload was cut short (or is not a PDF
    # at all past its first bytes) and reviewers could not open it.
    size = Path(path).stat().st_size
    with open(path, "rb") as f:
        f.seek(max(0, size - PDF_TAIL))
        tail = f.read()
    if PDF_EOF not in tail:
        raise FileTypeError(_("PDF 파일의 끝부분이 없습니다. 전송 중 잘렸거나 손상된 파일입니다. 원본 파일을 다시 올리십시오."))
    return "pdf"


def _ole(path, ext: str) -> str:
    # OLE2 is also the container of old .doc/.xls/.ppt; only HWP is accepted, and only
    # when its FileHeader signature is really there.
    if ext in (".docx", ".xlsx", ".pptx"):  # Office wraps a password-protected file in OLE2
        raise FileTypeError(_("암호가 걸린 문서는 올릴 수 없습니다. 암호를 해제한 뒤 올리십시오."))
    if ext != ".hwp":
        raise FileTypeError(_("이 파일은 HWP가 아닌 OLE 형식 문서(예: 구버전 MS Office 파일)입니다. %(accepted)s 문서만 올릴 수 있습니다.",
                              accepted=accepted_list()))
    if not _contains(path, HWP_SIGNATURE):
        raise FileTypeError(_("한글(HWP) 문서의 서명이 없습니다. 손상되었거나 HWP가 아닌 파일입니다."))
    return "hwp"


def _contains(path, needle: bytes, chunk: int = 1024 * 1024) -> bool:
    tail = b""
    with open(path, "rb") as f:
        while block := f.read(chunk):
            if needle in tail + block:
                return True
            tail = block[-(len(needle) - 1):]
    return False


def _zip(path) -> str:
    size = Path(path).stat().st_size
    corrupt = _("압축 구조가 손상된 파일입니다. 원본 파일을 다시 저장하여 올리십시오.")
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            expanded = sum(i.file_size for i in infos)
            if (len(infos) > ZIP_MAX_MEMBERS or expanded > ZIP_MAX_UNCOMPRESSED
                    or expanded > ZIP_MAX_RATIO * max(size, 1)):
                raise FileTypeError(_("압축을 풀면 지나치게 커지는 파일(압축 폭탄)은 올릴 수 없습니다."))
            if any(i.flag_bits & 0x1 for i in infos):
                raise FileTypeError(_("암호가 걸린 문서는 올릴 수 없습니다. 암호를 해제한 뒤 올리십시오."))
            key = _ooxml_or_hwpx({i.filename for i in infos})
            if key is None:
                raise FileTypeError(_("압축(ZIP) 파일은 올릴 수 없습니다. %(accepted)s 문서만 올릴 수 있습니다.",
                                      accepted=accepted_list()))
            # Reads every member against its CRC; the sizes were bounded above.
            if z.testzip() is not None:
                raise FileTypeError(corrupt)
            return key
    except FileTypeError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
            ValueError, OSError):
        raise FileTypeError(corrupt)


def _ooxml_or_hwpx(names: set[str]) -> str | None:
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    if any(n.startswith("Contents/") for n in names):
        return "hwpx"
    return None
