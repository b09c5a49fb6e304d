"""Content for the tests: complete and submitted proposals, review pools, sheets, real document bytes.

``complete_proposal`` passes every validation rule; tests break one thing at a time and
expect exactly that rule to complain. ``submitted_proposal`` is a submitted one (version 1
frozen, nothing checked) whose facts give full automatic points unless told otherwise.
Rows come from ``tests/factories.py``; signing in and forms from ``tests/support.py``.
"""
from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from decimal import Decimal

from app.extensions import db
from app.models import BudgetLine, InfraItem, Kpi, PocPlan, ProposalText, User
from app.core import clock
from app.demo import pdf
from app.proposals import attachments
from app.review import reviewers as reviewer_pool
from app.selection.results import SheetData
from tests.factories import (
    CallFactory, ComplexFactory, OrganisationFactory, ProposalFactory, UserFactory,
    applicant_with_consortium, confirmed_member,
)

NATIONAL = 14_000_000_000  # the per-award cap: 35억 a year for four years
PRIVATE = 4_000_000_000
INFRA_BUDGETS = (("openlab", 8_000_000_000), ("lead_factory", 6_600_000_000))
POC_BUDGETS = (4_500_000_000, 4_500_000_000)  # infra 146억 + PoC 90억 = 236억 = the table's total
# Every infrastructure type the coverage criterion wants, and ten PoC plans: full automatic points.
ALL_INFRA_TYPES = ("openlab", "lead_factory", "private5g", "saas", "digital_twin")
TEXT = dict(summary="창원 기계산업의 AI 전환을 실증합니다.", strategic_industries="기계, 방산")
# Answers to the 2025 call's text sections (tests/factories.py gives every call that form).
SECTION_TEXTS = {"master_plan": "입주기업 AI 수요 조사에 기반한 5개년 계획",
                 "alliance": "입주기업 30개사, AI 공급기업 10개사, 대학 2곳이 참여하는 얼라이언스",
                 "aidc": "경남 AI 데이터센터의 GPU 자원을 연계합니다."}


def answered(texts: dict | None = None) -> list[ProposalText]:
    """Rows answering the call's text sections (the 2025 form's by default)."""
    return [ProposalText(section_key=key, body=body) for key, body in (texts or SECTION_TEXTS).items()]


def set_text(proposal, key: str, body: str) -> None:
    """Answer (or re-answer) one text section straight in the rows, as a test's setup."""
    row = next((t for t in proposal.texts if t.section_key == key), None)
    if row is None:
        proposal.texts.append(ProposalText(section_key=key, body=body))
    else:
        row.body = body


def minimal_pdf() -> bytes:
    """A real one-page PDF, cross-reference table and all."""
    return pdf.one_page()


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


def proposal_content(call, *, infra=INFRA_BUDGETS, poc_budgets=POC_BUDGETS, national: int = NATIONAL,
                     local: int | None = None, private: int = PRIVATE) -> dict:
    """Infrastructure items, PoC plans with a KPI each and the budget table, as ``Proposal`` keywords.

    ``infra`` is (type, budget) pairs; the table spreads each source's total evenly over the
    call's years (the rest in the first); ``local`` is 40 % of ``national`` unless given.
    """
    local = national * 4 // 10 if local is None else local
    budget_lines = []
    for source, total in (("national", national), ("local", local), ("private_cash", private)):
        share, rest = divmod(total, len(call.years))
        budget_lines += [BudgetLine(year=year, source=source, amount=share + (rest if i == 0 else 0))
                         for i, year in enumerate(call.years)]
    return dict(
        infra_items=[InfraItem(type_key=key, description=f"{key} 구축", budget=budget, position=i)
                     for i, (key, budget) in enumerate(infra)],
        poc_plans=[PocPlan(tenant_firm=f"입주기업 {i + 1}", problem="불량 검출이 늦습니다.", ai_solution="비전 AI 검사",
                           budget=budget, position=i,
                           kpis=[Kpi(name="불량률", unit="%", baseline=Decimal("3.5"), target=Decimal("1.2"), position=0)])
                   for i, budget in enumerate(poc_budgets)],
        budget_lines=budget_lines,
    )


def complete_proposal(call=None, user=None, consortium=None, *, complex_name: str = "창원", with_files: bool = True,
                      infra=INFRA_BUDGETS, poc_budgets=POC_BUDGETS, **fields):
    """A draft that passes every rule of ``validation.validate``; ``fields`` override its texts."""
    call = call or CallFactory()
    if user is None:
        user, consortium = applicant_with_consortium()
    complex_ = next(c for c in call.complexes if c.name == complex_name)
    fields = {"title": f"{complex_name}국가산단 AX 실증산단 구축", **TEXT, "texts": answered(), **fields}
    proposal = ProposalFactory(call=call, consortium=consortium, created_by_id=user.id, complex_id=complex_.id,
                               **fields, **proposal_content(call, infra=infra, poc_budgets=poc_budgets))
    if with_files:
        for kind in call.attachment_kinds:
            if kind.required:
                upload(proposal, user, kind.key, minimal_pdf(), f"{kind.label_ko}.pdf")
        db.session.flush()
    return proposal


def submitted_proposal(call, complex_name: str | None = None, *, members=(), title: str | None = None,
                       infra=ALL_INFRA_TYPES, pocs: int = 10, private: int = 4_200_000_000, national: int = NATIONAL,
                       minutes_before_close: int = 60):
    """A proposal submitted ``minutes_before_close`` before the call closed, version 1 frozen.

    Its facts give full automatic points by default (every infrastructure type, ten complete
    PoC plans, private money 30 % of the total); ``complex_name`` is the target complex (added
    to the call if it has none of that name), ``members`` organisations that also belong to
    the consortium, confirmed. The summary is the text a reviewer reads only after the pledge.
    """
    user, consortium = applicant_with_consortium()
    consortium.members.extend(confirmed_member(org, "university") for org in members)
    complex_ = None
    if complex_name is not None:
        complex_ = next((c for c in call.complexes if c.name == complex_name), None)
        if complex_ is None:
            complex_ = ComplexFactory(name=complex_name)
            call.complexes.append(complex_)
    return ProposalFactory(
        submitted=True, call=call, consortium=consortium, created_by_id=user.id, complex=complex_,
        title=title or f"{complex_name or '신청'} AX 실증산단", summary="비밀 요약 내용",
        submitted_at=min(call.closes_at, clock.now()) - timedelta(minutes=minutes_before_close),
        **proposal_content(call, infra=[(key, 1_000_000_000) for key in infra], poc_budgets=(100_000_000,) * pocs,
                           national=national, private=private))


def applicant_of(proposal) -> User:
    """The applicant who wrote ``proposal``."""
    return db.session.get(User, proposal.created_by_id)


def pool_of(call, officer, n, *, organisation=None, org_name=None):
    """n reviewers invited to the call; returns their users."""
    users = []
    for _ in range(n):
        org = organisation or OrganisationFactory(type="university")
        u = UserFactory(roles=["reviewer"], organisation=org)
        reviewer_pool.invite(call, email=u.email, name=u.name, organisation_name=org_name or org.name,
                         department="산업공학과", actor=officer)
        users.append(u)
    return users


def uniform_sheets(proposal, infra: str, poc: str, plan: str, alliance: str, reviewers=("R1", "R2", "R3", "R4", "R5")):
    """Five reviewers' sheets for ``results.compute``, all giving the same points."""
    return [SheetData(proposal.id, r, {"infra": infra, "poc": poc, "plan": plan, "alliance": alliance}) for r in reviewers]
