"""The applicant's aids in a real browser, at 1280 px and at 390 px: the character counter, the live
local-matching ratio and the cells left out of the totals, an oversized file refused before it is
sent, the comparison of two versions and the PDF; axe-core finds nothing serious on those pages."""
from __future__ import annotations

import pytest

from app.proposals import submission
from tests.browser import scenario
from tests.browser.support import VIEWPORTS
from tests.browser.test_accessibility import assert_no_blocking, audit, axe_path  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


def fits(page, size: str, where: str) -> None:
    """Wide tables scroll inside their own box: the page itself never scrolls sideways."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[size]["width"], f"{where}: the page is {width} px wide"


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_the_applicant_counts_checks_uploads_compares_and_prints(open_journey, db_session, axe_path, app, size):
    call = scenario.open_call(code=f"AX-20{30 + len(size)}")
    call.max_attachment_bytes = 1024 * 1024
    with app.test_request_context("/"):
        p, applicant = scenario.submitted(call, "창원", lead="경남테크노파크", applicant="김신청")
        p.summary = "창원 입주기업의 AI 전환을 실증하고 넓힙니다."
        submission.submit(p, applicant)  # version 2
    db_session.commit()
    year = call.years[0]
    findings: list[dict] = []
    checked: list[str] = []

    journey = open_journey(f"applicant-usability-{size}", viewport=VIEWPORTS[size], bypass_csp=True)
    page = journey.page
    journey.goto("/")
    journey.log_in(applicant.email)

    journey.goto(f"/proposals/{p.id}/overview")
    title = page.get_by_label("사업명")
    title.fill("창원 AX")
    counter = page.locator("#title-count")
    assert counter.inner_text() == "5 / 300자"
    title.press_sequentially("실증")
    assert counter.inner_text() == "7 / 300자"
    audit(journey, axe_path, [], findings, checked, current=f"/proposals/{p.id}/overview (typing)")
    journey.step("counter")
    fits(page, size, "counter")

    journey.goto(f"/proposals/{p.id}/budget")
    national = p.budget_amount(year, "national")
    local = page.get_by_label(f"{year}년 지방비")
    local.fill("삼억")
    note = page.locator("[data-invalid-note]")
    assert note.is_visible() and f"숫자가 아닌 칸 1개는 합계에서 뺐습니다: {year}년 지방비" in note.inner_text()
    local.fill(f"{national:,}")
    assert note.is_hidden()
    ratio = page.locator("[data-local-ratio]").inner_text()
    assert ratio.endswith("%") and "기준을 충족합니다." in page.locator("[data-ratio-verdict]").inner_text()
    local.fill("0")
    page.locator("[data-ratio-verdict]", has_text="기준에 못 미칩니다.").wait_for()
    audit(journey, axe_path, [], findings, checked, current=f"/proposals/{p.id}/budget (live checks)")
    journey.step("budget-ratio")
    fits(page, size, "budget-ratio")

    journey.goto(f"/proposals/{p.id}/attachments")
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    page.get_by_label("서류 종류").select_option(index=1)
    page.get_by_label("파일", exact=True).set_input_files(
        {"name": "큰 사업계획서.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + b"0" * (1536 * 1024)})
    page.get_by_role("button", name="올리기").click()
    error = page.locator("#file-size-error")
    error.wait_for()
    assert "파일당 최대 1MB까지 올릴 수 있습니다 (고른 파일: 1.5MB)" in error.inner_text() and not sent
    assert page.get_by_label("파일", exact=True).get_attribute("aria-invalid") == "true"
    audit(journey, axe_path, [], findings, checked, current=f"/proposals/{p.id}/attachments (file too large)")
    journey.step("upload-refused-inline")
    fits(page, size, "upload-refused-inline")

    journey.goto(f"/proposals/{p.id}/versions")
    page.get_by_role("link", name="판 비교 (제1판 → 제2판)").click()
    page.locator("ins.diff-add", has_text="넓힙니다").first.wait_for()
    assert "바뀐 항목 1개" in page.locator("#diff-summary").inner_text()
    audit(journey, axe_path, [], findings, checked, current=f"/proposals/{p.id}/versions/diff")
    journey.step("diff")
    fits(page, size, "diff")

    journey.goto(f"/proposals/{p.id}")
    link = page.get_by_role("link", name="PDF로 보기·인쇄")
    response = page.request.get(link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf" and response.body()[:4] == b"%PDF"
    audit(journey, axe_path, [f"/proposals/{p.id}", f"/proposals/{p.id}/versions", "/my/proposals",
                              f"/proposals/{p.id}/withdraw/confirm", f"/proposals/{p.id}/receipt"], findings, checked)
    journey.goto(f"/proposals/{p.id}")
    page.get_by_role("link", name="신청서 철회").click()
    page.get_by_role("button", name="철회합니다").wait_for()
    journey.step("withdraw-confirm")
    fits(page, size, "withdraw-confirm")

    journey.watch.expect_console(r"status of 404")
    journey.goto(f"/proposals/{p.id}/nothing-here")
    page.get_by_role("heading", name="페이지를 찾을 수 없습니다 (오류 코드 404)").wait_for()
    audit(journey, axe_path, [], findings, checked, current="a 404 page")
    journey.step("not-found")
    fits(page, size, "not-found")

    assert_no_blocking(f"applicant-{size}", findings, checked)
