"""Wide tables scroll inside a keyboard-reachable box and offer the column menu's hooks."""
from __future__ import annotations

import re

from app.extensions import db
from app.review import profiles
from tests.app.builders import submitted_proposal
from tests.factories import UserFactory, closed_call, officer_for
from tests.support import sign_in

WRAPPER = re.compile(r'<div class="table-scroll" role="region" aria-label="([^"]+)" tabindex="0">\s*<table id="([^"]+)" '
                     r'data-columns="표시할 열"')


def test_the_screening_and_pool_tables_are_wrapped_with_their_assets(client, app):
    call = closed_call()
    officer = officer_for(call)
    submitted_proposal(call, "창원")
    profiles.profile_of(UserFactory(roles=("reviewer",)), create=True)
    db.session.commit()
    sign_in(client, officer)
    html = client.get(f"/officer/calls/{call.id}/screening").get_data(as_text=True)
    assert WRAPPER.findall(html) == [("제출된 신청서", "screening-table")]
    assert "css/tables.css" in html and "js/tables.js" in html
    html = client.get("/officer/pool").get_data(as_text=True)
    assert WRAPPER.findall(html) == [("검색된 평가위원 후보", "pool-results")]


def test_the_stylesheet_keeps_korean_words_whole_and_the_header_in_view(app):
    css = open(f"{app.static_folder}/css/tables.css", encoding="utf-8").read()
    assert "word-break:keep-all" in css and "position:sticky" in css and "overflow-x:auto" in css
    assert "word-break:keep-all" in open(f"{app.static_folder}/css/gongmo.css", encoding="utf-8").read()
