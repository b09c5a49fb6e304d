"""The public call pages: what an applicant reads before deciding to apply."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import url_for

from app.models import IndustrialComplex
from app.demo import ax2025
from app.calls import calls as calls_service
from app.core.clock import kst, now
from tests.factories import CallFactory, UserFactory


def page(client, url: str) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, url
    return resp.get_data(as_text=True)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def reference_call(clock, app):
    """The 2025 call as announced: 17 June 09:00 to 28 July 15:00 KST, seen on 1 July 09:00 KST."""
    return CallFactory(code="AX-2025", opens_at=kst(2025, 6, 17, 9), closes_at=kst(2025, 7, 28, 15),
                       info_session_at=kst(2025, 6, 20, 14))


def test_list_puts_open_and_upcoming_calls_first_and_hides_drafts(client, app, clock):
    open_call = CallFactory(title="접수 중인 공모")
    upcoming = CallFactory(title="다음 달 공모", opens_at=now() + timedelta(days=5), closes_at=now() + timedelta(days=45))
    closed = CallFactory(title="작년 공모", opens_at=now() - timedelta(days=400), closes_at=now() - timedelta(days=360))
    reviewed = CallFactory(title="평가 중인 공모", phase="in_review",
                           opens_at=now() - timedelta(days=90), closes_at=now() - timedelta(days=40))
    CallFactory(title="비공개 초안 공모", phase="draft")

    html = page(client, "/calls")
    past_heading = html.index('id="past-calls"')
    for call in (open_call, upcoming):
        assert html.index(call.title) < past_heading
    for call in (closed, reviewed):
        assert html.index(call.title) > past_heading
    assert "비공개 초안 공모" not in html
    text = text_of(html)
    # Closing time in Seoul time and the D-day: the factory closes 30 days from now (1 July 09:00 KST).
    assert "2025-07-31 09:00 KST" in text and "D-30" in text
    assert "접수 중" in text and "접수 예정" in text and "평가 중" in text


def test_status_labels_are_korean_and_grouping_follows_the_clock(app, clock):
    assert calls_service.status_label("open") == "접수 중"
    assert calls_service.status_label("announced") == "결과 발표"
    call = CallFactory()
    assert calls_service.group_calls([call]).open == [call]
    clock.shift(timedelta(days=31))
    assert calls_service.group_calls([call]).past == [call]


def test_call_page_shows_everything_an_applicant_needs(client, reference_call):
    call = reference_call
    html = page(client, "/calls/AX-2025")
    text = text_of(html)

    assert call.title in text
    assert "AX 실증산단 구축사업" in text and "산업통상자원부" in text and "한국산업단지공단" in text
    assert "<h2>사업 개요</h2>" in html  # the description is rendered Markdown

    # The window in KST, the information session and a countdown that works without JavaScript.
    assert "2025-06-17 09:00 KST" in text and "2025-07-28 15:00 KST" in text
    assert "2025-06-20 14:00 KST" in text
    assert 'data-countdown="2025-07-28T06:00:00+00:00"' in html
    assert "27일 6시간 0분" in text and "D-27" in text

    # Every eligible complex with its region and designation year, and nothing else.
    table = html[html.index('class="complexes"'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td><td class="num">(\d+)</td></tr>', table)
    assert rows == [(n, r, str(y)) for n, r, y in ax2025.COMPLEXES]

    # Budget caps in 억원, awards, years and the local matching ratio.
    assert "140억원" in text and "1,400억원" in text
    assert "10개" in text and "2025–2028년" in text and "국비의 40% 이상" in text

    for _key, label_ko, label_en in ax2025.INFRA_TYPES:
        assert label_ko in text
        assert label_en not in text
    assert re.search(r"사업계획서\s*</th>\s*<td><strong>필수", html)
    assert re.search(r"민간부담금 확약서\s*</th>\s*<td>선택", html)


def test_rubric_lists_criteria_with_points_adding_to_100(client, reference_call):
    html = page(client, "/calls/AX-2025")
    rows = re.findall(r'<tr class="criterion-(auto|review)">\s*<th scope="row">([^<]+)</th>.*?'
                      r'<td class="num">(\d+(?:\.\d+)?)점</td>', html, re.S)
    criteria = ax2025.RUBRIC["criteria"]
    assert [(kind, label) for kind, label, _ in rows] == [
        ("auto" if c["kind"] == "auto" else "review", c["label"]) for c in criteria]
    assert sum(Decimal(p) for _, _, p in rows) == 100
    text = text_of(html)
    assert "100점" in text and "총점 70점 이상" in text
    assert "12점 미만" in text  # 40 % floor of the 30-point infrastructure criterion
    # Automatic rules are explained in words, with the required type by name.
    assert "5개 이상이면 만점" in text and "필수 유형(제조 AI 오픈랩)" in text
    assert "30% 이상 5점, 20% 이상 3점, 10% 이상 1.5점" in text


def test_description_is_sanitised(client, app, clock):
    CallFactory(code="XSS-1", description_md="## 안내\n\n<script>alert(1)</script>\n\n[x](javascript:alert(2))")
    html = page(client, "/calls/XSS-1")
    assert "<script>alert" not in html and "javascript:" not in html
    assert "<h2>안내</h2>" in html


def test_unknown_and_draft_calls_are_not_found(client, app, clock):
    CallFactory(code="DRAFT-1", phase="draft")
    assert client.get("/calls/NOPE").status_code == 404
    assert client.get("/calls/DRAFT-1").status_code == 404


def test_english_locale_shows_english_infrastructure_labels(client, reference_call):
    client.post("/locale/en")
    html = page(client, "/calls/AX-2025")
    for _key, _ko, label_en in ax2025.INFRA_TYPES:
        assert label_en in html
    assert "AX infrastructure plan" in html  # criteria labels too
    assert 'lang="en"' in html


def test_closed_call_says_so_and_offers_no_application(client, app, clock):
    CallFactory(code="OLD-1", opens_at=now() - timedelta(days=60), closes_at=now() - timedelta(days=20))
    html = page(client, "/calls/OLD-1")
    assert "data-countdown" not in html
    assert "접수가 마감되었습니다" in html
    assert "신청서 작성" not in html


def test_visitor_is_invited_to_log_in_before_applying(client, reference_call):
    html = page(client, "/calls/AX-2025")
    assert 'href="/login?next=/calls/AX-2025"' in html


def test_applicant_gets_the_apply_button_and_reviewer_does_not(client, app, reference_call, login):
    applicant = UserFactory(roles=["applicant"])
    reviewer = UserFactory(roles=["reviewer"])
    login(reviewer)
    assert "신청서 작성" not in page(client, "/calls/AX-2025")
    client.post("/logout")
    login(applicant)
    html = page(client, "/calls/AX-2025")
    with app.test_request_context():
        href = url_for("proposals.start", code="AX-2025")
    assert f'href="{href}"' in html and "신청서 작성" in html


def test_home_page_groups_calls(client, app, clock):
    CallFactory(title="접수 중인 공모")
    CallFactory(title="지난 공모 하나", opens_at=now() - timedelta(days=60), closes_at=now() - timedelta(days=20))
    html = page(client, "/")
    assert html.index("접수 중인 공모") < html.index('id="home-past"') < html.index("지난 공모 하나")


def test_ineligible_complex_is_not_listed(client, reference_call, db_session):
    db_session.add(IndustrialComplex(name="아산부곡", region="충남", designated_year=2025))
    db_session.flush()
    assert "아산부곡" not in page(client, "/calls/AX-2025")
