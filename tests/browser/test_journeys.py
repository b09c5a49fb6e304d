"""The portal's main journeys in real Chromium, each in Korean, the last one also in English.

Each test starts from state built through the services (tests/browser/scenario.py),
then does in the browser what the person would do, asserting what the person sees
at every step. Screenshots land in test-output/browser/<journey>/NN-step.png.
"""
from __future__ import annotations

import re

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from playwright.sync_api import expect
from sqlalchemy import select

from app.models import ConsortiumMember, Notification, Result, User
from app.accounts import brn
from app.proposals import consortia
from tests.app.builders import minimal_pdf
from tests.browser import scenario
from tests.factories import PASSWORD, OrganisationFactory, UserFactory

pytestmark = pytest.mark.browser

RECEIPT = re.compile(r"^AX-2025-0001$")


def flash(page):
    return page.locator("p.flash-success")


def main_nav(page):
    return page.get_by_role("navigation", name="주 메뉴")


def take_step(page, label: str, consequence: str) -> None:
    """From the call's dashboard: the step's page says what it will do, and takes it once confirmed."""
    page.get_by_role("button", name=label).click()
    expect(page.get_by_role("heading", name=f"{label}: 진행하기 전에 확인하십시오")).to_be_visible()
    expect(page.locator("ul.consequences")).to_contain_text(consequence)
    page.get_by_label("위 내용을 확인했으며, 이 단계는 되돌릴 수 없음을 이해합니다.").check()
    page.get_by_role("button", name=label).click()
    expect(flash(page)).to_have_text(f"{label} 단계를 마쳤습니다.")


def save_draft(page) -> None:
    page.get_by_role("button", name="임시 저장").last.click()
    expect(flash(page)).to_have_text("임시 저장되었습니다.")


def brn_display(digits: str) -> str:
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def verification_link_path(mail_dir: str, to: str) -> str:
    """The path of the verification link in the newest mail to ``to`` that the server wrote to its mail box."""
    from email import policy
    from email.parser import BytesParser
    from pathlib import Path
    from urllib.parse import urlsplit

    for path in sorted(Path(mail_dir).glob("email_verification_*.eml"), key=lambda p: p.stat().st_mtime_ns,
                       reverse=True):
        mail = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        if mail["To"] == to:
            body = mail.get_body(preferencelist=("plain",)).get_content()
            return urlsplit(re.search(r"https?://\S+/verify/\S+", body).group(0)).path
    raise AssertionError(f"no verification mail to {to} in {mail_dir}")


# --- 1. an applicant, from registration to the receipt ------------------------------------------------


def test_an_applicant_registers_forms_a_consortium_and_submits_a_complete_proposal(open_journey, db_session, live_server):
    call = scenario.open_call()
    city = OrganisationFactory(name="창원시", type="local_government", region="경남")
    clerk = UserFactory(organisation=city, name="박주무관", email="park@changwon.go.kr")
    db_session.commit()
    own_brn = brn.with_check_digit("617810001")
    j = open_journey("applicant")
    page = j.page

    j.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("공모 포털 Gongmo")
    expect(page.get_by_role("link", name=call.title)).to_be_visible()
    j.step("home")

    main_nav(page).get_by_role("link", name="회원가입").click()
    page.get_by_label("이메일").fill("kim@gntp.or.kr")
    page.get_by_label("이름", exact=True).fill("김신청")
    page.get_by_label("비밀번호", exact=True).fill(PASSWORD)
    page.get_by_label("비밀번호 확인").fill(PASSWORD)
    page.get_by_label("사업자등록번호").fill(brn_display(own_brn))
    page.get_by_label("기관명").fill("경남테크노파크")
    page.get_by_label("기관 유형").select_option(label="공공기관")
    page.get_by_label("지역").select_option("경남")
    j.step("register-form")
    page.get_by_role("button", name="가입하기").click()
    expect(flash(page)).to_contain_text("입력한 주소로 확인 메일을 보냈습니다.")
    j.step("verification-mailed")
    # The link in the mail, then the password typed at registration: the address is proved.
    j.goto(verification_link_path(live_server.app.config["MAIL_DIR"], "kim@gntp.or.kr"))
    page.get_by_label("가입할 때 정한 비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="확인하고 로그인").click()
    expect(flash(page)).to_have_text("가입을 마쳤습니다. 경남테크노파크 소속 신청자로 등록되었습니다.")
    expect(main_nav(page)).to_contain_text("김신청")
    j.step("registered")

    # A consortium led by the new organisation, with the city as a member found by its number.
    main_nav(page).get_by_role("link", name="컨소시엄").click()
    page.get_by_label("컨소시엄 이름").fill("창원 AX 실증산단 컨소시엄")
    page.get_by_role("button", name="컨소시엄 만들기").click()
    expect(flash(page)).to_have_text("컨소시엄을 만들었습니다. 참여기관을 추가하십시오.")
    page.get_by_label("참여기관 사업자등록번호").fill(brn_display(city.brn))
    page.get_by_label("역할").select_option(label="지방자치단체")
    page.get_by_role("button", name="참여기관 추가").click()
    expect(flash(page)).to_have_text("창원시를 참여기관으로 추가했습니다. 그 기관이 참여를 확인해야 컨소시엄에 포함됩니다.")
    members = page.get_by_role("table", name="구성 기관").locator("tbody tr")
    expect(members).to_have_count(2)
    expect(members.nth(0)).to_contain_text("경남테크노파크")
    expect(members.nth(0)).to_contain_text("주관기관")
    expect(members.nth(1)).to_contain_text("창원시")
    expect(members.nth(1)).to_contain_text("지방자치단체")
    expect(members.nth(1)).to_contain_text("확인 대기")
    j.step("consortium-pending")

    # The city's own clerk accepts (their side of it is tests/app/test_member_consent.py).
    db_session.expire_all()
    listed = db_session.scalar(select(ConsortiumMember).where(ConsortiumMember.organisation_id == city.id))
    consortia.answer(listed, db_session.get(User, clerk.id), accept=True)
    db_session.commit()
    page.reload()
    expect(page.get_by_role("table", name="구성 기관").locator("tbody tr").nth(1)).to_contain_text("참여 확인")
    j.step("consortium")

    main_nav(page).get_by_role("link", name="공모 목록").click()
    page.get_by_role("link", name=call.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(call.title)
    expect(page.locator(".call-badges").first).to_contain_text("접수 중")
    expect(page.get_by_role("timer")).to_have_text(re.compile(r"^2\d일 \d+시간 \d+분 \d+초$"))
    j.step("call-page")

    page.get_by_role("link", name="신청서 작성", exact=True).click()
    expect(page.get_by_label("신청 컨소시엄")).to_have_value(re.compile(r"\d+"))
    page.get_by_label("대상 산업단지").select_option(label="창원 (경남)")
    page.get_by_role("button", name="신청서 작성 시작").click()
    expect(flash(page)).to_contain_text("신청서 작성을 시작했습니다.")
    expect(page.locator("dl.facts .status")).to_have_text("작성 중")
    j.step("proposal-started")

    sections = page.get_by_role("navigation", name="신청서 작성 항목")

    sections.get_by_role("link", name="사업 개요", exact=True).click()
    page.get_by_label("사업명").fill("창원국가산단 AX 실증산단 구축")
    page.get_by_label("사업 요약").fill("창원 기계산업 입주기업의 AI 전환을 실증합니다.")
    expect(page.get_by_label("대상 산업단지")).to_have_value(re.compile(r"\d+"))  # chosen when starting
    page.get_by_label("대상 전략산업").fill("기계, 방산")
    save_draft(page)
    expect(page.get_by_label("사업명")).to_have_value("창원국가산단 AX 실증산단 구축")
    j.step("overview")

    sections.get_by_role("link", name="AX 인프라 구축", exact=True).click()
    first = page.get_by_role("group", name="항목 1")
    first.get_by_label("지원유형").select_option(label="제조 AI 오픈랩")
    first.get_by_label("구축 내용").fill("GPU 서버 8대와 데이터 저장 장비를 갖춘 오픈랩")
    first.get_by_label("사업비 (원)").fill("8,000,000,000")
    page.get_by_role("button", name="행 추가").click()  # saves, then shows one more blank row
    expect(flash(page)).to_have_text("임시 저장되었습니다.")
    second = page.get_by_role("group", name="항목 2")
    second.get_by_label("지원유형").select_option(label="AX 대표 선도공장")
    second.get_by_label("구축 내용").fill("선도공장 2곳의 공정 데이터 수집 설비")
    second.get_by_label("사업비 (원)").fill("6600000000")
    save_draft(page)
    expect(page.get_by_role("group", name="항목 1").get_by_label("사업비 (원)")).to_have_value("8,000,000,000")
    expect(page.get_by_role("group", name="항목 2").get_by_label("사업비 (원)")).to_have_value("6,600,000,000")
    j.step("infra")

    sections.get_by_role("link", name="기업 AX 실증 (PoC)", exact=True).click()
    plan = page.get_by_role("group", name="계획 1")
    plan.get_by_label("참여 기업").fill("(주)창원정밀")
    plan.get_by_label("해결할 문제").fill("육안 검사로 불량 검출이 늦습니다.")
    plan.get_by_label("해결 방안 (적용 기술·솔루션)").fill("비전 AI 실시간 검사")
    plan.get_by_label("사업비 (원)").fill("9,000,000,000")
    plan.get_by_label("계획 1 성과지표 1 이름").fill("불량률")
    plan.get_by_label("계획 1 성과지표 1 단위").fill("%")
    plan.get_by_label("계획 1 성과지표 1 현재 수준").fill("3.5")
    plan.get_by_label("계획 1 성과지표 1 목표").fill("1.2")
    save_draft(page)
    plan = page.get_by_role("group", name="계획 1")
    expect(plan.get_by_label("계획 1 성과지표 1 이름")).to_have_value("불량률")
    expect(plan.get_by_label("계획 1 성과지표 1 목표")).to_have_value("1.2")
    expect(plan.get_by_label("사업비 (원)")).to_have_value("9,000,000,000")
    j.step("poc")

    for tab, label, text in (
        # The call's own pages: tab and text box carry the names the call gave them.
        ("AX 중장기 마스터플랜", "AX 중장기 마스터플랜", "입주기업 AI 수요 조사에 기반한 5개년 계획"),
        ("AX 얼라이언스 구성·운영 계획", "AX 얼라이언스 구성·운영 계획", "입주기업 30개사와 AI 공급기업 10개사의 얼라이언스"),
        ("지역 AI 데이터센터 연계 계획", "지역 AI 데이터센터 연계 계획", "경남 AI 데이터센터의 GPU 자원 연계"),
    ):
        sections.get_by_role("link", name=tab, exact=True).click()
        page.get_by_label(label, exact=True).fill(text)
        save_draft(page)
        expect(page.get_by_label(label, exact=True)).to_have_value(text)
    j.step("texts")

    # The budget table: its running totals follow the typing before anything is saved.
    sections.get_by_role("link", name="사업비", exact=True).click()
    table = page.locator("#budget-table")
    grand = table.locator("[data-grand-total]")
    expect(grand).to_have_text("0")
    page.get_by_label("2025년 국비", exact=True).fill("3,500,000,000")
    expect(grand).to_have_text("3,500,000,000")
    for year in range(2025, 2029):
        page.get_by_label(f"{year}년 국비", exact=True).fill("3,500,000,000")
        page.get_by_label(f"{year}년 지방비", exact=True).fill("1,400,000,000")
        page.get_by_label(f"{year}년 민간부담금(현금)", exact=True).fill("1000000000")
    expect(table.locator("tbody tr").first.locator("[data-row-total]")).to_have_text("5,900,000,000")
    expect(table.locator("[data-col-total=national]")).to_have_text("14,000,000,000")
    expect(table.locator("[data-col-total=local]")).to_have_text("5,600,000,000")
    expect(grand).to_have_text("23,600,000,000")
    j.step("budget-live-totals")
    save_draft(page)
    expect(grand).to_have_text("23,600,000,000")
    expect(page.get_by_label("2028년 지방비", exact=True)).to_have_value("1,400,000,000")
    j.step("budget-saved")

    sections.get_by_role("link", name="신청서 요약").click()
    progress = page.locator("table").first
    for label in ("사업 개요", "AX 인프라 구축", "기업 AX 실증 (PoC)", "AX 중장기 마스터플랜", "AX 얼라이언스 구성·운영 계획",
                  "지역 AI 데이터센터 연계 계획", "사업비"):
        expect(progress.get_by_role("row", name=label, exact=False).first).to_contain_text("작성 완료")
    j.step("hub-complete")

    sections.get_by_role("link", name="첨부 서류").click()
    for kind in call.attachment_kinds:
        if not kind.required:
            continue
        page.get_by_label("서류 종류").select_option(kind.key)
        page.get_by_label("파일", exact=True).set_input_files(
            files=[{"name": f"{kind.label_ko}.pdf", "mimeType": "application/pdf", "buffer": minimal_pdf()}])
        page.get_by_role("button", name="올리기").click()
        expect(flash(page)).to_have_text(f"'{kind.label_ko}.pdf' 파일을 올렸습니다.")
        expect(page.get_by_role("region", name=re.compile(kind.label_ko))).to_contain_text("PDF")
    expect(page.locator("main p.error")).to_have_count(0)  # no required document missing
    j.step("attachments")

    page.get_by_role("link", name="제출 전 점검").click()
    expect(page.get_by_role("status").filter(has_text="모든 항목이 제출 요건을 충족합니다.")).to_be_visible()
    page.get_by_label("위 내용을 확인하였으며").check()
    j.step("submit-check")
    page.get_by_role("button", name="제출하기").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("신청서 접수증")
    receipt = page.locator("dl.facts dd strong")
    expect(receipt).to_have_text(RECEIPT)
    expect(flash(page)).to_have_text(f"신청서가 접수되었습니다. 접수번호는 {receipt.inner_text()}입니다.")
    expect(page.locator("dl.facts")).to_contain_text("제출 완료")
    expect(page.locator("main table tbody tr")).to_have_count(3)  # the three required documents, fingerprinted
    j.step("receipt")


# --- 2. a reviewer: pledge, read, score, submit -------------------------------------------------------


def test_a_reviewer_pledges_no_conflict_scores_every_criterion_and_submits(open_journey, db_session):
    call = scenario.open_call()
    officer = scenario.officer_of(call)
    proposal, _applicant = scenario.submitted(call, "창원", lead="경남테크노파크", applicant="홍길동")
    scenario.close(call)
    scenario.reviewer_assigned(call, proposal, officer, name="김평가", email="kim@pusan.ac.kr")
    db_session.commit()
    j = open_journey("reviewer")
    page = j.page

    j.goto("/")
    j.log_in("kim@pusan.ac.kr")
    main_nav(page).get_by_role("link", name="내 평가").click()
    row = page.get_by_role("row", name=re.compile(proposal.receipt_no))
    expect(row).to_contain_text("신고 전")
    expect(row).to_contain_text("작성 전")
    j.step("assignments")

    row.get_by_role("link", name="이해충돌 신고").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("이해충돌 신고")
    expect(page.locator("p.pledge")).to_contain_text("김평가")
    expect(page.locator("p.pledge")).to_contain_text(proposal.receipt_no)
    page.get_by_label("위 내용을 확인하였으며 이해충돌이 없음을 서약합니다.").check()
    j.step("pledge")
    page.get_by_role("button", name="서약하고 평가 시작").click()
    expect(flash(page)).to_have_text("이해충돌이 없음을 서약했습니다. 이제 신청서를 열람하고 평가할 수 있습니다.")
    expect(page.get_by_role("heading", level=2).first).to_have_text(proposal.title)
    expect(page.get_by_role("region", name="AX 인프라 구축")).to_contain_text("제조 AI 오픈랩")
    expect(page.get_by_role("region", name="첨부파일")).to_contain_text("사업계획서.pdf")
    j.step("proposal")

    page.get_by_role("link", name="평가표", exact=True).click()
    total = page.locator("[data-sheet-total]")
    expect(total).to_have_text("0")
    grades = {"AX 인프라 구축 계획": "S", "기업 AX 실증 계획": "A",
              "AX 중장기 마스터플랜": "B", "AX 얼라이언스 운영": "A"}
    running = ("30", "52.5", "60.5", "69.5")  # S 30/30, A 22.5/25, B 8/10, A 9/10: recomputed as each is picked
    for (criterion, grade), expected in zip(grades.items(), running, strict=True):
        page.get_by_label(re.compile(rf"^{criterion} \(\d+점\)")).select_option(grade)
        expect(total).to_have_text(expected)
        page.get_by_label(f"{criterion} 평가의견").fill(f"{criterion}: 등급 {grade}의 근거")
    page.get_by_label("종합의견").fill("산단 수요에 기반한 구체적인 계획입니다.")
    j.step("sheet-filled")
    j.watch.expect_console(r"status of 422")  # the refused submission, on purpose
    page.get_by_role("button", name="제출 (제출 후에는 수정할 수 없습니다)").click()
    expect(page.get_by_text("제출하려면 확인란에 표시하십시오.").first).to_be_visible()  # nothing sent yet
    page.get_by_label("제출하면 평가표를 고칠 수 없고, 담당자가 재개해야만 다시 고칠 수 있음을 확인합니다.").check()
    page.get_by_role("button", name="제출 (제출 후에는 수정할 수 없습니다)").click()
    expect(flash(page)).to_have_text("평가표를 제출했습니다.")
    expect(page.locator(".readonly-note")).to_contain_text("제출된 평가표는 수정할 수 없습니다.")
    # The sheet's own table: the proposal beside it has tables (its budget) of its own.
    expect(page.locator(".review-sheet table tfoot")).to_contain_text("69.5")
    expect(page.get_by_role("button", name=re.compile("제출"))).to_have_count(0)
    j.step("sheet-submitted")

    page.get_by_role("link", name="내 평가").first.click()
    row = page.get_by_role("row", name=re.compile(proposal.receipt_no))
    expect(row).to_contain_text("이해충돌 없음 서약")
    expect(row).to_contain_text("제출됨")
    j.step("done")


# --- 3. the officer: screening, assignment, ranking, decision, announcement ----------------------------


def test_an_officer_screens_assigns_ranks_decides_and_announces(open_journey, db_session):
    r = scenario.closed_round()
    db_session.commit()
    j = open_journey("officer")
    page = j.page

    j.goto("/")
    j.log_in(r.officer.email)
    main_nav(page).get_by_role("link", name="공모 관리").click()
    page.get_by_role("link", name=r.call.title).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("접수 마감")
    status_table = page.get_by_role("table", name="상태별 신청서 수")
    expect(status_table.locator("tbody td").nth(1)).to_have_text("3")  # submitted
    j.step("dashboard-closed")

    console = page.get_by_role("navigation", name="공모 관리 메뉴")
    console.get_by_role("link", name="적격성 검토").click()
    queue = page.get_by_role("table", name="제출된 신청서")
    expect(queue.locator("tbody tr")).to_have_count(3)
    for p in r.proposals.values():
        expect(queue.get_by_role("row", name=re.compile(p.receipt_no))).to_contain_text("미검토")
        expect(queue.get_by_role("row", name=re.compile(p.receipt_no))).to_contain_text("이상 없음")
    j.step("screening-queue")
    for p in r.proposals.values():
        page.get_by_role("link", name=p.receipt_no).click()
        expect(page.get_by_role("heading", level=2)).to_contain_text(p.receipt_no)
        page.get_by_label("적격", exact=True).check()
        page.get_by_role("button", name="저장").click()
        expect(flash(page)).to_have_text("적격성 검토 결과를 저장했습니다.")
        expect(page.get_by_role("row", name=re.compile(p.receipt_no))).to_contain_text("적격")
    expect(page.locator("tbody").get_by_text("미검토")).to_have_count(0)
    j.step("screened")

    console.get_by_role("link", name="현황").click()
    take_step(page, "평가 시작", "제출된 신청서 3건이 적격성 검토와 평가 대상이 됩니다.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("평가 중")
    j.step("review-started")

    console.get_by_role("link", name="평가위원").click()
    for name, _org in scenario.PANEL:
        expect(page.get_by_role("row", name=re.compile(name))).to_be_visible()
    page.get_by_role("link", name="평가 배정", exact=True).click()
    page.get_by_role("button", name="자동 배정").click()
    expect(flash(page)).to_have_text("15건을 자동 배정했습니다.")
    for p in r.proposals.values():
        expect(page.get_by_role("region", name=re.compile(p.receipt_no))).to_contain_text("배정 5/5")
    j.step("assigned")

    # The five reviewers pledge and score (their own journey is test 2).
    db_session.expire_all()
    scenario.score_all(r)
    db_session.commit()

    page.get_by_role("link", name=r.call.title).click()
    console.get_by_role("link", name="평가 결과").click()
    page.get_by_role("button", name="제출된 평가표로 결과 산출").click()
    expect(flash(page)).to_have_text("평가 결과를 산출했습니다 (3건).")
    ranking = page.get_by_role("table", name="순위와 항목별 점수").locator("tbody tr")
    expect(ranking).to_have_count(3)
    db_session.expire_all()
    results = db_session.scalars(select(Result).where(Result.call_id == r.call.id).order_by(Result.rank)).all()
    expected = [("창원", "선정"), ("구미", "선정"), ("여수", "미선정")]
    for row, result, (complex_name, verdict) in zip(ranking.all(), results, expected, strict=True):
        cells = row.locator("td")
        expect(cells.nth(0)).to_have_text(str(result.rank))
        expect(cells.nth(1)).to_have_text(r.proposals[complex_name].receipt_no)
        expect(row).to_contain_text(result.breakdown["total"])
        expect(row).to_contain_text(verdict)
    expect(ranking.nth(2)).to_contain_text("미통과")
    j.step("ranking")

    console.get_by_role("link", name="현황").click()
    take_step(page, "선정 확정", "산출된 결과대로 2건을 선정하고 1건을 선정하지 않는 것으로 확정합니다.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("선정 완료")
    j.step("decided")
    take_step(page, "결과 발표", "발표한 날부터 10일 동안 이의신청을 받습니다.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("결과 발표")
    expect(page.locator("ol.lifecycle [aria-current=step]")).to_have_text("결과 발표")
    j.step("announced")
    # Each consortium is told, with a link to its own result.
    db_session.expire_all()
    for complex_name, applicant in r.applicants.items():
        notice = db_session.scalar(select(Notification).where(
            Notification.user_id == applicant.id, Notification.message.contains("선정평가 결과")))
        assert notice is not None and notice.url == f"/my/proposals/{r.proposals[complex_name].id}/result"


# --- 4. the applicant reads the result, in Korean and in English ---------------------------------------


def test_the_applicant_reads_the_result_with_its_breakdown_and_evaluators_in_korean_and_english(
        open_journey, db_session, app):
    r = scenario.announced_round(app)
    db_session.commit()
    proposal = r.proposals["창원"]
    result = db_session.scalar(select(Result).where(Result.proposal_id == proposal.id))
    j = open_journey("result")
    page = j.page

    j.goto("/")
    j.log_in(r.applicants["창원"].email)
    expect(main_nav(page).locator(".badge")).to_be_visible()  # unread notices
    main_nav(page).get_by_role("link", name="알림").click()
    j.step("notifications")
    page.get_by_role("button", name=f"[{r.call.title}] 선정평가 결과가 발표되었습니다.").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("선정평가 결과")
    expect(page.get_by_role("region", name="선정되었습니다.")).to_contain_text(f"{result.breakdown['total']}점")
    scores = page.locator("main table").first
    for label, points in (("AX 인프라 구축 계획", "30"), ("기업 AX 실증 계획", "25"), ("인프라 유형 포괄성", "10")):
        expect(scores.get_by_role("row", name=re.compile(label))).to_contain_text(points)
    expect(scores.locator("tfoot")).to_contain_text(result.breakdown["total"])
    expect(page.locator("main ol li").first).to_contain_text(
        "평가표 5건 중 최고점과 최저점 평가표를 각 1건 제외하고 평균했습니다.")
    evaluators = page.locator("main table").last
    expect(evaluators.locator("tbody tr")).to_have_count(len(scenario.PANEL))
    for name, organisation in scenario.PANEL:
        expect(evaluators.get_by_role("row", name=re.compile(name))).to_contain_text(organisation)
    expect(page.get_by_text("AX 인프라 구축 계획: 등급 S").first).to_be_visible()  # the reviewers' comments
    j.step("result-ko")

    # The hub of the proposal leads to the same page.
    main_nav(page).get_by_role("link", name="내 신청서").click()
    page.get_by_role("link", name=proposal.call.title).click()
    page.get_by_role("link", name="선정평가 결과").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("선정평가 결과")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    with app.test_request_context("/"), force_locale("en"):
        heading, verdict = _("선정평가 결과"), _("선정되었습니다.")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("region", name=verdict)).to_contain_text(result.breakdown["total"])
    scores = page.locator("main table").first
    for label in ("AX infrastructure plan", "Company AX pilots", "Coverage of infrastructure types"):
        expect(scores.get_by_role("row", name=re.compile(label))).to_be_visible()
    expect(page.locator("main ol li").first).to_contain_text(
        "5 review sheets were received; the highest and the lowest totals were set aside.")
    for name, organisation in scenario.PANEL:
        expect(page.locator("main table").last.get_by_role("row", name=re.compile(name))).to_contain_text(organisation)
    expect(page.get_by_role("button", name="한국어")).to_be_visible()
    j.step("result-en")


# --- the guard every journey relies on ------------------------------------------------------------------


def test_the_guard_stops_and_reports_a_request_beyond_127_0_0_1_and_a_console_error(open_journey):
    # Without the CSP, which would refuse the request before the guard saw it.
    j = open_journey("guard", bypass_csp=True)
    j.goto("/")
    with j.page.expect_console_message(lambda m: "ERR_BLOCKED_BY_CLIENT" in m.text):  # aborted by the guard
        j.page.evaluate("() => { fetch('http://cdn.example.invalid/axe.js').catch(() => {});"
                        " console.error('broken'); }")
    with pytest.raises(pytest.fail.Exception) as failed:
        j.watch.check("self-test")
    assert "requests to hosts other than 127.0.0.1: ['http://cdn.example.invalid/axe.js']" in str(failed.value)
    assert "console errors" in str(failed.value) and "broken" in str(failed.value)
    assert "ERR_BLOCKED_BY_CLIENT" in str(failed.value)
    j.watch.check("after the check")  # reported once, then cleared
