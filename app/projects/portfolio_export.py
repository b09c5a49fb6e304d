"""The portfolio as a workbook (projects, KPIs, execution) and the execution CSV for e나라도움.

Column names are Korean whatever the reader's language: the files go to other systems and to
colleagues' spreadsheets. Won are integers, so the columns add up; text a spreadsheet would read
as a formula is defused (``app.selection.exports``).
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal


from app.projects.portfolio import Portfolio, rate
from app.core import sheet_export

SOURCE_KO = {"national": "국비", "local": "지방비", "private_cash": "민간현금", "private_inkind": "민간현물"}
STATUS_KO = {"due": "제출 전", "submitted": "검토 중", "returned": "보완요청", "accepted": "승인"}
KIND_KO = {"annual": "연차보고서", "interim": "단계보고서", "final": "최종보고서"}
# The e나라도움 transfer file: one row per project, year and source (see README).
ENARA_HEADERS = ["사업연도", "과제번호", "과제명", "주관기관", "주관기관 사업자등록번호", "재원구분", "계획액", "집행액", "집행률"]

Table = tuple[list[str], list[list[object]]]


def _percent(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.1"))


def projects_table(portfolio: Portfolio) -> Table:
    headers = ["과제번호", "공모", "과제명", "컨소시엄", "주관기관", "협약 시작", "협약 종료", "성과지표 수", "목표 달성 지표 수",
               "계획액(원)", "집행액(원)", "집행률(%)", "다음 보고서", "다음 보고 기한", "보완요청 보고서 수",
               "기한 지난 보고서 수", "기한 지난 점검 조치 수"]
    rows = []
    for r in portfolio.rows:
        p = r.project
        rows.append([p.proposal.receipt_no or "", p.call.title, p.title, p.consortium.name, p.consortium.lead_org.name,
                     p.period_start, p.period_end, len(r.kpis), r.reached, r.planned_total, r.executed_total,
                     _percent(r.rate), f"{r.next_due.year} {KIND_KO.get(r.next_due.kind, r.next_due.kind)}" if r.next_due else "",
                     r.next_due.effective_due_on if r.next_due else None, r.returned, len(r.overdue_reports),
                     len(r.overdue_actions)])
    return headers, rows


def kpis_table(portfolio: Portfolio) -> Table:
    headers = ["과제번호", "과제명", "수요기업", "성과지표", "단위", "기준값", "목표값", "실적", "달성률(%)", "목표 달성"]
    rows = []
    for r in portfolio.rows:
        for k in r.kpis:
            rows.append([r.project.proposal.receipt_no or "", r.project.title, k.poc.tenant_firm, k.kpi.name, k.kpi.unit,
                         k.kpi.baseline.normalize(), k.kpi.target.normalize(),
                         k.actual.normalize() if k.actual is not None else None,
                         _percent(k.progress * 100) if k.progress is not None else None, "예" if k.reached else "아니오"])
    return headers, rows


def execution_table(portfolio: Portfolio) -> Table:
    headers = ["과제번호", "과제명", "연도", "재원", "계획액(원)", "집행액(원)", "집행률(%)"]
    rows = [[r.project.proposal.receipt_no or "", r.project.title, year, SOURCE_KO.get(source, source), planned,
             executed, _percent(rate(executed, planned))]
            for r in portfolio.rows for year, source, planned, executed in r.by_year()]
    return headers, rows


def enara_table(portfolio: Portfolio) -> Table:
    rows = []
    for r in portfolio.rows:
        p = r.project
        for year, source, planned, executed in r.by_year():
            found = rate(executed, planned)
            rows.append([year, p.proposal.receipt_no or "", p.title, p.consortium.lead_org.name,
                         p.consortium.lead_org.brn, SOURCE_KO.get(source, source), int(planned), int(executed),
                         "" if found is None else f"{found}"])
    return ENARA_HEADERS, rows


def _format(header: str) -> str | None:
    return "yyyy-mm-dd" if "협약" in header or "기한" in header else sheet_export.won_format(header)


def _sheet(ws, title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    sheet_export.write_sheet(ws, title, headers, rows, _format)
    ws.freeze_panes = "A2"


def to_xlsx(portfolio: Portfolio) -> bytes:
    wb = sheet_export.new_workbook()
    _sheet(wb.active, "과제", *projects_table(portfolio))
    _sheet(wb.create_sheet(), "성과지표", *kpis_table(portfolio))
    _sheet(wb.create_sheet(), "사업비 집행", *execution_table(portfolio))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def enara_csv(portfolio: Portfolio) -> bytes:
    """UTF-8 with a byte-order mark, so Excel reads the Korean."""
    return sheet_export.to_csv(*enara_table(portfolio))
