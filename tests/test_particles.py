"""Korean particles after words known only at run time (app/core/particles.py)."""
from __future__ import annotations

import pytest
from flask import render_template_string
from flask_babel import force_locale, gettext, lazy_gettext, ngettext
from markupsafe import Markup

from app.core.particles import attach, resolve


@pytest.mark.parametrize(("word", "marker", "expected"), [
    # Hangul: after a final consonant, after a vowel, and ㄹ, which takes 로 like a vowel.
    ("서울", "(으)로", "서울로"), ("부산", "(으)로", "부산으로"), ("과제", "(으)로", "과제로"),
    ("길", "(으)로", "길로"), ("책", "을(를)", "책을"), ("사과", "을(를)", "사과를"),
    ("김서연", "은(는)", "김서연은"), ("이하나", "은(는)", "이하나는"), ("심사", "과(와)", "심사와"),
    ("평가", "이(가)", "평가가"), ("기관", "이(가)", "기관이"), ("서울", "와(과)", "서울과"),
    # Digits by their Korean reading: 일, 이, 삼 … 십, 백, 천, 만, 억.
    ("3", "을(를)", "3을"), ("1", "을(를)", "1을"), ("2", "을(를)", "2를"), ("1", "(으)로", "1로"),
    ("6", "(으)로", "6으로"), ("0", "이(가)", "0이"), ("10", "을(를)", "10을"), ("100", "(으)로", "100으로"),
    ("2,000", "을(를)", "2,000을"), ("10000", "이(가)", "10000이"), ("14.5", "을(를)", "14.5를"),
    ("AX-2025", "을(를)", "AX-2025를"),
    # Latin: acronyms by the letters' names (에이아이, 유알엘, 피디에프), words by their last sound.
    ("AI", "와(과)", "AI와"), ("AI", "과(와)", "AI와"), ("URL", "(으)로", "URL로"), ("PDF", "을(를)", "PDF를"),
    ("HWP", "이(가)", "HWP가"), ("XLSM", "을(를)", "XLSM을"), ("file", "을(를)", "file을"),
    ("openlab", "이(가)", "openlab이"), ("desk", "이(가)", "desk가"), ("pdf", "(으)로", "pdf로"),
    # The particle follows the word, not the closing quote, bracket or the note in brackets.
    ("'발표자료'", "을(를)", "'발표자료'를"), ("「AX 실증」", "을(를)", "「AX 실증」을"),
    ("사업(AI)", "을(를)", "사업(AI)을"),
])
def test_the_particle_fits_the_word_as_it_is_read(word, marker, expected):
    assert attach(word, marker) == expected
    assert resolve(word + marker) == expected


def test_a_marker_after_a_space_joins_the_word_and_every_marker_of_a_sentence_is_resolved():
    assert resolve("참여기관 한빛대학교 이(가) 초대를 거절했습니다.") == "참여기관 한빛대학교가 초대를 거절했습니다."
    assert resolve("%s이(가) %s을(를) 초대했습니다." % ("주관기관", "창원대")) == "주관기관이 창원대를 초대했습니다."
    assert resolve("본인 김철수은(는) 서약합니다.") == "본인 김철수는 서약합니다."
    assert resolve("괄호(예시)는 그대로") == "괄호(예시)는 그대로"
    assert resolve("") == "" and resolve(None) is None


def test_markup_stays_markup_and_tags_and_entities_are_looked_through():
    html = resolve(Markup("<b>서울</b> (으)로, &#39;AI&#39;와(과) &lt;태그&gt;을(를)"))
    assert isinstance(html, Markup)
    assert html == Markup("<b>서울</b>로, &#39;AI&#39;와 &lt;태그&gt;를")


def test_gettext_lazy_gettext_ngettext_and_jinja_return_resolved_text(app):
    with app.test_request_context("/"):
        assert gettext("%(name)s 은(는) 이미 참여기관입니다.", name="한빛대학교") == "한빛대학교는 이미 참여기관입니다."
        assert str(lazy_gettext("'%(label)s'을(를) 첨부하십시오.", label="사업계획서")) == "'사업계획서'를 첨부하십시오."
        assert ngettext("%(num)d건을(를) 보냈습니다.", "%(num)d건을(를) 보냈습니다.", 3) == "3건을 보냈습니다."
        page = render_template_string("{{ _('%(lead)s이(가) %(org)s을(를) 초대했습니다.', lead=a, org=b) }}",
                                      a="주관기관 <A>", b="AI")
        assert page == "주관기관 &lt;A&gt;가 AI를 초대했습니다."
        with force_locale("en"):  # English output holds no marker; whatever it holds is left alone
            assert gettext("(%(n)s)") == "(%(n)s)"


def test_text_built_outside_a_request_is_resolved_too(app):
    """Workers and the CLI run in an app context only (mails, notices read later, PDFs)."""
    with app.app_context():
        assert gettext("%(org)s이(가) 초대를 수락했습니다.", org="창원대") == "창원대가 초대를 수락했습니다."


def test_english_readers_read_amounts_in_krw_with_thousands_separators(app):
    from app.core import money

    assert money.english(14_000_000_000) == "KRW 14.0 billion"
    assert money.english(2_490_000_000) == "KRW 2.49 billion"
    assert money.english(224_000_000) == "KRW 224.0 million"
    assert money.english(1_234_567, scaled=False) == "KRW 1,234,567"
    page = "{{ 14000000000|eok }} · {{ 1234567|won }} · {{ 12000000|million }}"
    with app.test_request_context("/"):
        assert render_template_string(page) == "140억원 · 1,234,567원 · 12백만원"
        with force_locale("en"):
            assert render_template_string(page) == "KRW 14.0 billion · KRW 1,234,567 · KRW 12.0 million"


def test_english_readers_read_place_names_romanised(app):
    from app.core.romanise import place

    assert [place(n) for n in ("서울", "경상남도", "창원", "한국수출(인천)", "울릉")] == [
        "Seoul", "Gyeongsangnam-do", "Changwon", "Korea Export (Incheon)", "Ulleung"]
    assert place("창원국가산업단지") == "Changwon National Industrial Complex"
    assert place("성서산단") == "Seongseo Industrial Complex"
    with app.test_request_context("/"):
        assert render_template_string("{{ '경남'|place }} {{ '반월시화'|place }}") == "경남 반월시화"
        with force_locale("en"):
            assert render_template_string("{{ '경남'|place }} {{ '반월시화'|place }}") == "Gyeongnam Banwol-Sihwa"
