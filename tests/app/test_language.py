"""The Korean UI as a person reads it: no "을(를)", no raw keys, no English codes.

Every GET page of the permission matrix that the applicant, a reviewer, the officer and an
admin may open is rendered in Korean (the security tests' world: a call through screening,
review, results, an objection) and its visible text is read: markers a reader should never
see, and the engine's keys where words belong.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from app.calls.call_admin import FACTS
from app.models.organisations import ROLES
from tests.security.conftest import build_world
from tests.security.test_permission_matrix import EXPECTED, _url
from tests.support import sign_in

MARKERS = ("을(를)", "를(을)", "이(가)", "가(이)", "은(는)", "는(은)", "과(와)", "와(과)", "(으)로")
REASON_CODES = ("below pass mark", "below criterion floor", "no reviews", "awards filled",
                "budget cap exceeded", "not passed at", "not shortlisted at", "no-show at", "one per ")
RULE_KINDS = ("coverage", "steps", "threshold")
# A raw key is a whole word of the visible text, never part of a longer word or an address.
RAW_KEYS = re.compile(r"(?<![\w@/.-])(" + "|".join(re.escape(k) for k in (*FACTS, *RULE_KINDS, *ROLES))
                      + r")(?![\w@/.-])")


class _Visible(HTMLParser):
    """The text a reader sees (and hears: titles, labels, placeholders), without scripts, and
    without text areas and code, where an officer reads or edits a template (the standard
    pledge "본인 {name}은(는) …") whose markers are there on purpose."""

    SKIP = {"script", "style", "textarea", "template", "code"}
    SAID = ("title", "aria-label", "placeholder", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        self.parts.extend(v for k, v in attrs if k in self.SAID and v)

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(p.strip() for p in parser.parts if p.strip())


def problems_in(text: str) -> list[str]:
    found = [m for m in MARKERS if m in text]
    found += [c for c in REASON_CODES if c in text]
    found += sorted({m.group(1) for m in RAW_KEYS.finditer(text)})
    return found


def test_the_reader_of_visible_text_sees_what_a_person_sees():
    html = ('<p title="서울로">서울 <b>을(를)</b></p><script>var r="officer"</script>'
            '<textarea>본인 {name}은(는)</textarea><a href="/officer/x" class="officer">심사</a>')
    text = visible_text(html)
    assert problems_in(text) == ["을(를)"]
    assert "officer" not in text and "서울로" in text
    assert problems_in("사유: below pass mark, private_matching_ratio 0.3") == [
        "below pass mark", "private_matching_ratio"]
    assert problems_in("officer@example.kr /officer/calls") == []


@pytest.mark.parametrize("persona", ("owner", "pledged", "officer", "admin"))
def test_korean_pages_read_as_korean(app, client, clock, isolated_dirs, persona):
    world = build_world(clock)
    sign_in(client, world.user(persona))
    wrong, read = [], 0
    for (endpoint, method), row in sorted(EXPECTED.items()):
        if method != "GET" or row[persona] != "ok" or endpoint in ("auth.logout", "set_locale"):
            continue
        url = _url(app, world, endpoint)
        try:
            resp = client.get(url)
        except Exception as exc:  # noqa: BLE001 - one broken page must not hide the others' words
            wrong.append(f"{url} ({endpoint}): raised {exc!r}")
            continue
        if resp.status_code != 200 or resp.mimetype != "text/html":
            continue
        read += 1
        found = problems_in(visible_text(resp.get_data(as_text=True)))
        if found:
            wrong.append(f"{url} ({endpoint}): {found}")
    assert read > 5, f"only {read} pages were read"
    assert not wrong, f"{persona}:\n" + "\n".join(wrong)


def test_officers_read_reviewer_statistics_by_name_and_notices_read_as_sentences(app, client, clock, isolated_dirs):
    from app.extensions import db
    from app.models import Notification, User
    from app.notifications import outbox

    world = build_world(clock)
    pledged = db.session.get(User, world.users["pledged"])
    sign_in(client, world.user("officer"))
    page = visible_text(client.get(f"/officer/calls/{world.ids['call_id']}/results").get_data(as_text=True))
    assert pledged.name in page.split("평가위원별 통계")[1]
    assert f"R{pledged.id}" not in page
    # A notice stored with its Korean msgid and values, read later: "을(를)" never reaches the reader.
    row = outbox.post(pledged.id, "test", outbox.notice("%(lead)s이(가) %(org)s을(를) 컨소시엄에 초대했습니다.",
                                                       lead="창원대", org="AI 솔루션"))
    db.session.commit()
    with app.test_request_context("/"):
        assert db.session.get(Notification, row.id).text == "창원대가 AI 솔루션을 컨소시엄에 초대했습니다."


def test_a_mail_rendered_by_a_worker_reads_as_a_sentence(app):
    """A worker renders mails in an app context, without a request: particles are resolved there too."""
    from app.models import OutboxMessage
    from app.notifications import mailer

    row = OutboxMessage(key="t", template="consortium_invited", to_email="a@example.kr", locale="ko",
                        message_id="<t@gongmo.test>",
                        context={"user_name": "김담당", "lead_name": "창원대학교", "organisation": "AI 솔루션",
                                 "consortium_name": "창원 AX", "role": "ai_supplier", "url": "https://x.test/"})
    with app.app_context():
        mail = mailer.build(row)
    body = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "창원대학교가 AI 솔루션을 컨소시엄" in body and "창원대학교가 AI 솔루션을 컨소시엄" in html
    assert not problems_in(body) and not problems_in(visible_text(html))


def test_selection_reasons_and_engine_sentences_name_things_in_words(app):
    from app.selection.outcomes import _worded
    from app.selection.reasons import reason_text

    with app.test_request_context("/"):
        assert reason_text("below pass mark") == "총점 기준 미달"
        assert reason_text("below criterion floor: infra", [("infra", "인프라 구축 계획", "30")]) == \
            "항목 최저 기준 미달 (인프라 구축 계획)"
        assert reason_text("one per complex: 창원") == "같은 대상 중복 (산업단지: 창원)"
        line = _worded("순위 3위: 같은 complex(창원)의 상위 제안 AX-2025-001이(가) 이미 선정되어 선정되지 않았습니다(complex당 1건).")
        assert line == "순위 3위: 같은 산업단지(창원)의 상위 제안 AX-2025-001이 이미 선정되어 선정되지 않았습니다(산업단지당 1건)."
        assert _worded("정량: private_matching_ratio 0.3, 기준 0.3 이상") == "정량: 민간부담금 비율 0.3, 기준 0.3 이상"
        assert _worded("인프라: infrastructure_types에 필수 항목 openlab이(가) 없어 0점") == \
            "인프라: 제안한 인프라 지원유형 수에 필수 항목 openlab이 없어 0점"


def test_a_flash_with_a_value_reads_as_a_sentence(app, client, login):
    from app.extensions import db
    from tests.factories import OrganisationFactory, applicant_with_consortium

    user, consortium = applicant_with_consortium()
    city = OrganisationFactory(name="창원시", type="local_government")
    db.session.commit()
    login(user)
    page = client.post(f"/my/consortia/{consortium.id}", data={"action": "add", "brn": city.brn,
                                                               "role": "local_government"}, follow_redirects=True)
    text = visible_text(page.get_data(as_text=True))
    assert "창원시를 참여기관으로 추가했습니다." in text and not problems_in(text)
