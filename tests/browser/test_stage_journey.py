"""The officer runs a two-stage selection in real Chromium: 서면평가, the shortlist, 발표평가 and its
schedule, the final ranking by weighted stage scores, and the 심의위원회 vote the decision waits
for (issue 16).

The state up to the submitted written sheets is built through the services
(tests/browser/scenario.py ``written_round``); the reviewers' own sheets are their journey
(tests/browser/test_journeys.py). Screenshots land in test-output/browser/stages/NN-step.png.
"""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.core import clock
from app.models import Result
from app.models.presentation import PresentationSlot
from app.review import stage_scope
from tests.browser import scenario

pytestmark = pytest.mark.browser


def flash(page):
    return page.locator("p.flash-success")


def two_places(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def console(page):
    return page.get_by_role("navigation", name="공모 관리 메뉴")


def test_an_officer_confirms_the_written_shortlist_schedules_the_presentations_ranks_by_weights_and_decides(
        open_journey, db_session):
    r = scenario.written_round()
    people = scenario.committee_people()
    db_session.commit()
    written, presenting = stage_scope.evaluation_stages(r.call)
    receipt = {name: p.receipt_no for name, p in r.proposals.items()}
    j = open_journey("stages")
    page = j.page

    j.goto("/")
    j.log_in(r.officer.email)
    page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="공모 관리").click()
    page.get_by_role("link", name=r.call.title).click()
    console(page).get_by_role("link", name="평가 결과").click()

    # The stage tabs say where the procedure stands; the readiness card is the written stage's.
    tabs = page.get_by_role("navigation", name="평가 단계")
    expect(tabs.locator("li")).to_have_text(["1. 서면평가 (진행 중)", "2. 발표평가 (대기)"])
    readiness = page.get_by_role("region", name="결과 산출 준비 · 서면평가")
    expect(readiness).to_contain_text("배정된 평가표가 모두 제출되었거나 사유와 함께 제외되었습니다.")
    j.step("written-ready")

    readiness.get_by_role("button", name="제출된 평가표로 서면평가 결과 산출").click()
    expect(flash(page)).to_have_text(
        "서면평가 결과를 산출했습니다 (4건). 다음 단계 대상을 확인하고 단계를 확정하십시오.")
    stage_table = page.get_by_role("region", name="서면평가 결과와 다음 단계 대상")
    rows = stage_table.get_by_role("table", name=re.compile("단계 순위와 다음 단계 대상")).locator("tbody tr")
    expect(rows).to_have_count(4)
    # S, A and B pass; 3배수 of one award takes the three, and 여수's D fails.
    for row, (name, passed, goes_on) in zip(rows.all(), (("창원", "통과", "대상"), ("구미", "통과", "대상"),
                                                          ("반월시화", "통과", "대상"), ("여수", "미통과 (총점 기준 미달)", "대상 아님")),
                                            strict=True):
        expect(row.locator("td").nth(1)).to_have_text(receipt[name])
        expect(row.locator("td").nth(4)).to_have_text(passed)
        expect(row.locator("td").nth(5)).to_have_text(goes_on)
    expect(rows.nth(0)).to_contain_text("3배수(3건)")
    expect(stage_table.locator("caption")).to_contain_text("확정 전: 규칙에 따른 예정")
    j.step("written-computed")

    stage_table.get_by_role("link", name="서면평가 확정하고 다음 단계로").click()
    expect(page.get_by_role("heading", name="서면평가 확정: 진행하기 전에 확인하십시오")).to_be_visible()
    consequences = page.locator("ul.consequences li")
    expect(consequences.nth(0)).to_have_text(
        "서면평가 결과에 따라 3건이 발표평가 대상이 되고 1건은 대상이 되지 않습니다.")
    expect(consequences.nth(1)).to_have_text("각 컨소시엄 담당자에게 다음 단계 대상 여부를 알립니다.")
    expect(consequences.last).to_have_text("이 단계는 되돌릴 수 없습니다.")
    j.step("written-confirm")
    page.get_by_label("위 내용을 확인했으며, 단계 확정은 되돌릴 수 없음을 이해합니다.").check()
    page.get_by_role("button", name="서면평가 확정", exact=True).click()
    expect(flash(page)).to_have_text("서면평가 단계를 확정했습니다. 다음 단계의 평가위원을 배정하십시오.")

    # Landed on 평가 배정 for 발표평가: only the shortlist is listed, and the panels are drawn for it.
    expect(page.get_by_role("heading", level=1)).to_have_text("평가 배정 · 발표평가")
    expect(page.get_by_text("앞 단계에서 다음 단계 대상이 된 신청서마다 평가위원 3명을 배정합니다.")).to_be_visible()
    shortlisted = page.locator("main section.card")
    expect(shortlisted).to_have_count(3)
    expect(page.get_by_role("region", name=re.compile(receipt["여수"]))).to_have_count(0)
    page.get_by_role("button", name="자동 배정").click()
    expect(flash(page)).to_have_text("9건을 자동 배정했습니다.")
    for name in ("창원", "구미", "반월시화"):
        expect(page.get_by_role("region", name=re.compile(receipt[name]))).to_contain_text("배정 3/3")
    j.step("presentation-assigned")

    # The 발표평가 page, from the procedure page.
    page.get_by_role("link", name=r.call.title).first.click()
    console(page).get_by_role("link", name="평가 절차").click()
    page.get_by_role("link", name="3단계: 발표평가 일정, 발표 순서, 참석 여부").click()
    expect(page.get_by_role("heading", name="발표평가 운영")).to_be_visible()
    expect(page.get_by_text("대상 신청서 3건 (이전 평가 단계에서 확정된 진출 대상)")).to_be_visible()
    day = (clock.to_kst_wall(clock.now()) + timedelta(days=7)).date()
    page.get_by_label("발표평가 시작 일시 (KST)").fill(f"{day}T10:00")
    page.get_by_label("발표 장소").fill("한국산업단지공단 본사 대회의실")
    page.get_by_label("발표 시간 (분, 질의응답 포함)").fill("30")
    page.get_by_label("발표 사이 휴식 (분)").fill("10")
    page.get_by_label("발표자 기준").fill("주관기관 사업책임자가 발표, 질의응답 포함 3인 이내 참석")
    page.get_by_label("발표자료 제출 마감 (KST)").fill(f"{day - timedelta(days=2)}T18:00")
    page.get_by_label("평가하지 않음 (해당 단계 탈락)").check()
    chair = page.get_by_label("위원장")
    chair.select_option(index=1)
    chair_name = chair.locator("option:checked").inner_text()
    j.step("schedule-form")
    page.get_by_role("button", name="일정 저장").click()
    expect(flash(page)).to_have_text("발표평가 일정을 저장했습니다.")
    expect(page.get_by_label("발표 장소")).to_have_value("한국산업단지공단 본사 대회의실")
    expect(page.get_by_label("위원장").locator("option:checked")).to_have_text(chair_name)

    page.get_by_role("button", name="접수번호 순으로 발표 순서 만들기").click()
    expect(flash(page)).to_have_text("발표 순서를 만들었습니다.")
    slots = page.locator("main table tbody tr")
    expect(slots).to_have_count(3)
    for row, (name, start, end) in zip(slots.all(), (("창원", "10:00", "10:30"), ("구미", "10:40", "11:10"),
                                                      ("반월시화", "11:20", "11:50")), strict=True):
        expect(row.locator("td").nth(1)).to_have_text(receipt[name])
        expect(row.locator("td").nth(3)).to_have_text(f"{day} {start} KST – {end} KST")
        expect(row.locator("td").nth(4)).to_have_text("미확인")
    j.step("slots")

    j.watch.expect_console(r"status of 422")  # the refused publication, on purpose
    page.get_by_role("button", name="일정 공개").click()  # without the confirmation: refused, nothing sent
    expect(page.get_by_text("공개하려면 확인란을 선택하십시오.").first).to_be_visible()
    page.get_by_label("위 일정을 공개하고 대상 컨소시엄과 평가위원에게 메일로 알립니다.").check()
    page.get_by_role("button", name="일정 공개").click()
    expect(flash(page)).to_have_text("발표평가 일정을 공개하고 메일을 보냈습니다.")
    expect(page.get_by_text(re.compile(r"· 공개 \d{4}-\d\d-\d\d \d\d:\d\d KST"))).to_be_visible()
    expect(page.get_by_role("button", name="일정 변경 안내 발송")).to_be_visible()
    j.step("published")

    # The day of the presentations: everyone came.
    for name in ("창원", "구미", "반월시화"):
        row = page.locator("main table tbody tr").filter(has_text=receipt[name])
        row.get_by_label("참석 여부").select_option(label="참석")
        row.get_by_role("button", name="기록").click()
        expect(flash(page)).to_have_text("참석 여부를 기록했습니다.")
        expect(page.locator("main table tbody tr").filter(has_text=receipt[name]).get_by_label("참석 여부")
               .locator("option:checked")).to_have_text("참석")
    j.step("attendance")
    db_session.expire_all()
    assert {s.attendance for s in db_session.scalars(select(PresentationSlot))} == {"present"}

    # The nine presentation sheets come in (the reviewer's side is test_journeys.py).
    scenario.present_all(r, presenting)
    db_session.commit()

    console(page).get_by_role("link", name="평가 결과").click()
    expect(page.get_by_role("navigation", name="평가 단계").locator("li")).to_have_text(
        [re.compile(r"^1\. 서면평가\s+\(확정 \d{4}-\d\d-\d\d \d\d:\d\d KST\)$"), "2. 발표평가 (진행 중)"])
    readiness = page.get_by_role("region", name="결과 산출 준비 · 발표평가")
    expect(readiness).to_contain_text("배정된 평가표가 모두 제출되었거나 사유와 함께 제외되었습니다.")
    j.step("presentation-ready")
    readiness.get_by_role("button", name="제출된 평가표로 발표평가 결과 산출").click()
    expect(flash(page)).to_have_text("평가 결과를 산출했습니다 (4건).")
    ranking = page.get_by_role("table", name="순위와 항목별 점수")
    headers = ranking.locator("thead th")
    expect(headers.filter(has_text=re.compile(r"^서면평가$"))).to_have_count(1)
    expect(headers.filter(has_text=re.compile(r"^발표평가$"))).to_have_count(1)
    columns = headers.all_inner_texts()
    written_col, presented_col, total_col, passed_col, selected_col = (
        columns.index(label) for label in ("서면평가", "발표평가", "총점", "통과", "선정"))

    db_session.expire_all()
    written_totals = {x.proposal_id: x.total for x in stage_scope.stage_results(written)}
    presented_totals = {x.proposal_id: x.total for x in stage_scope.stage_results(presenting)}
    ranked = db_session.scalars(select(Result).where(Result.call_id == r.call.id).order_by(Result.rank)).all()
    # 구미, second after 서면, presents best and wins the one award on 30 % + 70 %; 여수 is last.
    expected = (("구미", "선정"), ("창원", "미선정"), ("반월시화", "미선정"), ("여수", "미선정"))
    assert [x.proposal_id for x in ranked] == [r.proposals[name].id for name, _v in expected]
    rows = ranking.locator("tbody tr")
    expect(rows).to_have_count(4)
    for row, result, (name, verdict) in zip(rows.all(), ranked, expected, strict=True):
        cells = row.locator("td")
        pid = r.proposals[name].id
        expect(cells.nth(1)).to_have_text(receipt[name])
        if name == "여수":
            # Stopped after 서면: no 발표 score, its 서면 score as the stage rounded it, and why.
            expect(cells.nth(written_col)).to_have_text(two_places(written_totals[pid]))
            expect(cells.nth(presented_col)).to_have_text("")
            expect(row).to_contain_text("서면평가 미통과")
            expect(cells.nth(passed_col)).to_have_text("미통과")
            expect(cells.nth(selected_col)).to_have_text(verdict)
            continue
        expect(cells.nth(written_col)).to_have_text(two_places(written_totals[pid]))
        expect(cells.nth(presented_col)).to_have_text(two_places(presented_totals[pid]))
        weighted = two_places(written_totals[pid] * Decimal("0.3") + presented_totals[pid] * Decimal("0.7"))
        expect(cells.nth(total_col)).to_have_text(weighted)
        assert two_places(result.total) == weighted
        expect(cells.nth(passed_col)).to_have_text("통과")
        expect(cells.nth(selected_col)).to_have_text(verdict)
    j.step("final-ranking")

    # The 심의위원회: named, the decision waits for its vote.
    console(page).get_by_role("link", name="심의위원회").click()
    expect(page.get_by_role("status")).to_have_text(
        "이 공모에는 심의위원회가 구성되지 않았습니다. 선정안은 심의위원회 의결 없이 확정됩니다.")
    for person, (name, _org, role) in zip(people, scenario.COMMITTEE, strict=True):
        page.get_by_label("위원의 전자우편 주소 (포털 계정)").fill(person.email)
        page.get_by_label("구분").select_option(label=role)
        page.get_by_role("button", name="위원 위촉").click()
        expect(flash(page)).to_have_text(f"{name} 님을 심의위원으로 위촉했습니다.")
    members = page.get_by_role("table", name="심의위원").locator("tbody tr")
    expect(members).to_have_count(3)
    for row, (name, organisation, role) in zip(members.all(), scenario.COMMITTEE, strict=True):
        expect(row).to_contain_text(name)
        expect(row).to_contain_text(organisation)
        expect(row.locator("td").first).to_have_text(role)
        expect(row.locator("td").nth(3)).to_have_text("없음")
    expect(page.get_by_role("heading", name="위원 (3명, 최대", exact=False)).to_be_visible()
    j.step("committee-named")

    # The dashboard says why there is no 선정 확정 yet, instead of the button.
    console(page).get_by_role("link", name="현황").click()
    expect(page.locator("main p.error")).to_contain_text(
        "심의위원회가 선정안을 아직 의결하지 않았습니다. 심의위원회 회의에서 의결한 뒤 확정하십시오.")
    expect(page.get_by_role("button", name="선정 확정")).to_have_count(0)
    j.step("decision-waits")

    console(page).get_by_role("link", name="심의위원회").click()
    page.get_by_label("회의 일시 (KST)").fill(f"{day + timedelta(days=3)}T14:00")
    page.get_by_label("회의 장소").fill("한국산업단지공단 본사 소회의실")
    page.get_by_role("button", name="회의 일정 저장").click()
    expect(flash(page)).to_have_text("제1차 회의 일정을 저장했습니다.")
    expect(page.get_by_text(f"예정: {day + timedelta(days=3)} 14:00 KST · 한국산업단지공단 본사 소회의실")).to_be_visible()
    page.get_by_role("button", name="회의 열기").click()
    expect(flash(page)).to_have_text("제1차 회의를 열었습니다. 출석을 기록하십시오.")
    expect(page.get_by_text("재적 위원 3명 중 0명 출석 (의결정족수 2명)")).to_be_visible()
    for name, _org, role in scenario.COMMITTEE:
        page.get_by_label(f"{name} ({role})").check()
    page.get_by_role("button", name="출석 기록").click()
    expect(flash(page)).to_have_text("출석을 기록했습니다.")
    expect(page.get_by_text("재적 위원 3명 중 3명 출석 (의결정족수 2명)")).to_be_visible()
    grid = page.get_by_role("table", name="출석 위원 × 선정안")
    expect(grid.locator("thead th").nth(1)).to_have_text(f"{receipt['구미']} 구미 AX 실증산단 컨소시엄 (1위)")
    expect(grid.locator("tbody tr")).to_have_count(3)
    for name, _org, _role in scenario.COMMITTEE:
        grid.get_by_label(f"{name} · {receipt['구미']}").select_option(label="찬성")
    j.step("votes")
    page.get_by_role("button", name="표결 기록").click()
    expect(flash(page)).to_have_text("표결을 기록했습니다.")
    page.get_by_label("모든 표를 확인했으며, 회의를 마치면 의결 결과와 회의록을 바꿀 수 없음을 이해합니다.").check()
    page.get_by_role("button", name="회의 종료").click()
    expect(flash(page)).to_have_text("제1차 회의를 마쳤습니다. 회의록이 만들어졌습니다.")
    resolutions = page.get_by_role("region", name="마친 회의").locator("tbody tr")
    expect(resolutions).to_have_count(1)
    expect(resolutions.first).to_contain_text(receipt["구미"])
    expect(resolutions.first.locator("td")).to_have_text([re.compile(receipt["구미"]), "3", "0", "3", "0", "가결"])
    expect(page.get_by_role("link", name="회의록 내려받기 (PDF)")).to_be_visible()
    j.step("committee-closed")

    # Now the selection can be decided, and the confirmation says the committee approved it.
    console(page).get_by_role("link", name="현황").click()
    page.get_by_role("button", name="선정 확정").click()
    expect(page.locator("ul.consequences li").first).to_have_text(
        "산출된 결과대로 1건을 선정하고 3건을 선정하지 않는 것으로 확정합니다.")
    expect(page.locator("ul.consequences li").last).to_have_text(
        re.compile(r"^심의위원회 제1차 회의\(\d{4}-\d\d-\d\d\)에서 선정안 1건을 모두 가결했습니다\.$"))
    page.get_by_label("위 내용을 확인했으며, 이 단계는 되돌릴 수 없음을 이해합니다.").check()
    page.get_by_role("button", name="선정 확정").click()
    expect(flash(page)).to_have_text("선정 확정 단계를 마쳤습니다.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("선정 완료")
    j.step("decided")
    db_session.expire_all()
    assert [x.selected for x in db_session.scalars(
        select(Result).where(Result.call_id == r.call.id).order_by(Result.rank))] == [True, False, False, False]
