"""Builders for submission tests: a complete, valid proposal and real document bytes.

``complete_proposal`` passes every validation rule; tests break one thing at a
time and expect exactly that rule to complain.
"""
from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import BudgetLine, InfraItem, Kpi, PocPlan
from app.proposals import attachments
from app.accounts import sessions
from tests.factories import CallFactory, ProposalFactory, applicant_with_consortium

NATIONAL_PER_YEAR = 3_500_000_000  # 4 years × 35억 = 140억, the per-award cap
LOCAL_PER_YEAR = 1_400_000_000  # exactly 40 % of national
PRIVATE_PER_YEAR = 1_000_000_000
INFRA_BUDGETS = (("openlab", 8_000_000_000), ("lead_factory", 6_600_000_000))
POC_BUDGETS = (4_500_000_000, 4_500_000_000)  # infra 146억 + PoC 90억 = 236억 = the table's total


def minimal_pdf() -> bytes:
    """A real one-page PDF, cross-reference table and all."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def docx_bytes(text: str = "사업계획서") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                   '</Types>')
        z.writestr("word/document.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                   f'<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>')
    return buf.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "연도"
    wb.active["B1"] = 2025
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def hwp_bytes() -> bytes:
    """The parts of an HWP 5 file the check reads: the OLE2 header and the FileHeader signature."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    file_header = b"HWP Document File".ljust(32, b"\x00") + b"\x00\x05\x00\x05" + b"\x00" * 220
    return header + b"\x00" * 512 + file_header + b"\x00" * 256


def upload(proposal, user, kind: str, data: bytes, filename: str):
    return attachments.store(proposal, user, kind, io.BytesIO(data), filename)


def complete_proposal(call=None, user=None, consortium=None, *, with_files: bool = True):
    """A proposal that passes every rule of ``validation.validate``."""
    call = call or CallFactory()
    if user is None:
        user, consortium = applicant_with_consortium()
    changwon = next(c for c in call.complexes if c.name == "창원")
    proposal = ProposalFactory(
        call=call, consortium=consortium, created_by_id=user.id, complex_id=changwon.id,
        title="창원국가산단 AX 실증산단 구축", summary="창원 기계산업의 AI 전환을 실증합니다.",
        strategic_industries="기계, 방산", master_plan="입주기업 AI 수요 조사에 기반한 5개년 계획",
        alliance_plan="입주기업 30개사, AI 공급기업 10개사, 대학 2곳이 참여하는 얼라이언스",
        aidc_linkage="경남 AI 데이터센터의 GPU 자원을 연계합니다.",
    )
    for i, (key, budget) in enumerate(INFRA_BUDGETS):
        proposal.infra_items.append(InfraItem(type_key=key, description=f"{key} 구축", budget=budget, position=i))
    for i, budget in enumerate(POC_BUDGETS):
        proposal.poc_plans.append(PocPlan(
            tenant_firm=f"입주기업 {i + 1}", problem="불량 검출이 늦습니다.", ai_solution="비전 AI 검사",
            budget=budget, position=i,
            kpis=[Kpi(name="불량률", unit="%", baseline=Decimal("3.5"), target=Decimal("1.2"), position=0)],
        ))
    for year in call.years:
        for source, amount in (("national", NATIONAL_PER_YEAR), ("local", LOCAL_PER_YEAR),
                               ("private_cash", PRIVATE_PER_YEAR)):
            proposal.budget_lines.append(BudgetLine(year=year, source=source, amount=amount))
    db.session.flush()
    if with_files:
        for kind in call.attachment_kinds:
            if kind.required:
                upload(proposal, user, kind.key, minimal_pdf(), f"{kind.label_ko}.pdf")
        db.session.flush()
    return proposal


@pytest.fixture
def isolated_dirs(app, tmp_path, monkeypatch):
    """Uploads and mail files of this test only (the app and its instance dir are per session)."""
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "MAIL_DIR", str(tmp_path / "mail"))
    return tmp_path


def sign_in(client, user):
    """Put the user in the session directly: these tests are about submission, not the login form."""
    token = sessions.start(user)  # the server-side session the cookie names; committed by the next request
    with client.session_transaction() as s:
        s["_user_id"] = token
        s["_fresh"] = True
    return client


def mails(app) -> dict[str, "email.message.EmailMessage"]:
    """The delivered mails by outbox key."""
    from email import policy
    from email.parser import BytesParser
    from pathlib import Path

    folder = Path(app.config["MAIL_DIR"])
    out = {}
    for f in sorted(folder.glob("*.eml")) if folder.exists() else []:
        msg = BytesParser(policy=policy.default).parsebytes(f.read_bytes())
        out[msg["X-Gongmo-Key"]] = msg
    return out
