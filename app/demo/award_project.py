"""A year in the life of the demo's project (app/demo/award.py), replayed through the real services.

The first report (the annual one of the period's first year) is drafted with KPI actuals, the
year's budget execution and an evidence PDF, submitted, returned for supplement with comments,
supplemented, resubmitted and accepted; a budget plan change (private cash moved a year earlier)
is requested and approved; a site inspection leaves one follow-up action done and one open; the
next report is started as a draft. Every step runs at its own instant, in the order of those
instants (``review_call.Timeline``).

Dates: the first report is due 60 days after 31 December of the period's first year, and the
period starts 455–486 days before today (award.period), so that due day falls between 426 and 31
days before today: the whole review of that report (20 days before the due day to 2 after) is
over by today whatever the day of loading. The change and the inspection are counted back from
today; the project has run for more than a year by then. The next report is the interim one of
the second year: on a load in March it may already be past its due day, which the page shows.
"""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.demo import pdf
from app.demo.review_call import Timeline
from app.models import User
from app.models.projects import Project, Report
from app.models.proposals import BUDGET_SOURCES
from app.projects import inspections, plan_changes, report_submission, reports

# Share of the first year's plan executed by its end, per source (the year is a few months long).
EXECUTED = {"national": Decimal("0.42"), "local": Decimal("0.36"), "private_cash": Decimal("0.30"),
            "private_inkind": Decimal("0.25")}
MILLION = 1_000_000


def replay(project: Project, officer: User, lead: User, today: date, day) -> None:
    first, following = sorted(project.reports, key=lambda r: r.due_on)[:2]
    year = project.period_start.year
    plan = Timeline()
    _first_report(plan, first, officer, lead, today, day)

    # A step acts on what an earlier one made: kept here, as the Timeline runs them later.
    made: dict[str, Any] = {}

    def change() -> None:
        made["change"] = plan_changes.request_budget(
            project, lead, "특화망(5G) 기지국 구축을 한 해 앞당기기 위해 민간 현금 부담분 일부를 옮깁니다.",
            [{"from_year": year + 2, "from_source": "private_cash", "to_year": year + 1, "to_source": "private_cash",
              "amount": 3 * 100 * MILLION}])

    def inspect() -> None:
        made["inspection"] = inspections.record(
            project, officer, today - timedelta(days=40), "한국산업단지공단 정담당, 외부전문가 1인",
            "제조 AI 오픈랩 GPU 서버 16식 반입과 선도공장 데이터 수집 설비를 확인했습니다. 특화망 기지국 설치 "
            "현장의 안전점검 기록이 없습니다.",
            [inspections.ActionDraft("GPU 서버 반입 검수 기록을 보완하여 제출", today - timedelta(days=20)),
             inspections.ActionDraft("특화망(5G) 기지국 설치 현장의 안전점검 결과서 제출", today + timedelta(days=20))])

    plan.at(day(-100, 11), change)
    plan.at(day(-96, 14), lambda: plan_changes.approve(made["change"], officer,
                                                       "구축 일정 단축의 효과가 확인되어 승인합니다."))
    plan.at(day(-38, 10), inspect)
    plan.at(day(-25, 15), lambda: inspections.complete(made["inspection"].actions[0], lead,
                                                       "검수 기록과 장비 사진을 보완하여 제출했습니다."))
    plan.at(day(-3, 10), lambda: reports.save(
        following, lead,
        sections={"summary": "오픈랩 운영 2년차: 입주기업 데이터 수집을 늘리고 선도공장 두 곳의 전환을 진행 중입니다.",
                  "plans": "하반기에 특화망 실증과 디지털트윈 산단관리 시범운영을 시작합니다."},
        actuals={}, executions={}))
    plan.run()


def _first_report(plan: Timeline, report: Report, officer: User, lead: User, today: date, day) -> None:
    project = report.project
    due = report.due_on

    def on(offset: int, hour: int) -> datetime:
        return day((due - today).days + offset, hour)

    measured = report.covers_to  # 31 December: after the start, before the first save
    actuals = {kpi.id: reports.ActualInput(_towards(kpi.baseline, kpi.target), measured,
                                           "연말 기준 실측값")
               for poc in project.pocs for kpi in poc.kpis}
    executions = {(report.year, s): _share(project.planned(report.year, s), EXECUTED[s]) for s in BUDGET_SOURCES}
    sections = {
        "summary": "제조 AI 오픈랩 구축을 착수하고 PoC 네 건의 현장 데이터 수집을 시작했습니다.",
        "pocs": "네 PoC 모두 데이터 수집 환경을 갖추었고, 불량 검출 PoC는 시범 적용을 시작했습니다.",
        "issues": "GPU 서버 납품이 한 달 늦어져 오픈랩 개소를 1월로 미루었습니다.",
        "plans": "2차년도에 선도공장 두 곳의 전환과 특화망 구축을 진행합니다.",
    }
    first_kpi = next((kpi for poc in project.pocs for kpi in poc.kpis), None)
    evidence_pdf = pdf.one_page(f"AX-2025-1 demo - Changwon - KPI evidence {report.year}")

    plan.at(on(-20, 10), lambda: reports.save(
        report, lead, sections=sections, actuals=actuals, executions=executions,
        evidence={first_kpi.id: (io.BytesIO(evidence_pdf), f"{first_kpi.name}_측정결과.pdf")} if first_kpi else None))
    plan.at(on(-14, 16), lambda: report_submission.submit(report, lead))
    plan.at(on(-10, 11), lambda: report_submission.return_for_supplement(report, officer, {
        "pocs": "PoC별 성과지표의 측정 방법과 표본 수를 적어 주십시오.",
        "general": "집행 실적의 증빙(집행 내역서)을 첨부해 주십시오.",
    }, due + timedelta(days=4)))
    supplemented = dict(sections, pocs=sections["pocs"] + " 성과지표는 라인별 월 2,000개 표본을 비전 검사 기록과 "
                                                        "대조하여 측정했습니다.")
    statement = pdf.one_page(f"AX-2025-1 demo - Changwon - budget execution statement {report.year}")
    plan.at(on(-5, 14), lambda: reports.save(
        report, lead, sections=supplemented, actuals=actuals, executions=executions,
        attachments_in=[(io.BytesIO(statement), f"{report.year}년_집행내역서.pdf")]))
    plan.at(on(-3, 16), lambda: report_submission.submit(report, lead))
    plan.at(on(2, 10), lambda: report_submission.accept(report, officer))


def _towards(baseline: Decimal | None, target: Decimal | None) -> Decimal | None:
    """Two fifths of the way from the baseline to the target, to one decimal place."""
    if baseline is None or target is None:
        return target
    return (baseline + (target - baseline) * Decimal("0.4")).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _share(planned: int, share: Decimal) -> int:
    """``share`` of the plan, in whole millions of won."""
    return int(planned * share / MILLION) * MILLION
