"""A published call's opening cannot be moved back: the 30-day rule counts from it."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Call
from app.demo import ax2025
from app.calls import call_admin
from app.core import clock as app_clock
from app.calls.call_admin import CallAdminError
from tests.factories import CallFactory, officer_for
from tests.support import call_rows


def _opening(call, **changes):
    return {"opens_at": call.opens_at, "closes_at": call.closes_at, **changes}


# Changing a call that has opened is a 변경공고 and carries a reason (tests/app/test_call_amendments.py).
REASON = "일정 조정"


def _refusal(call, officer, data) -> list[tuple[str, str]]:
    with pytest.raises(CallAdminError) as info:
        call_admin.update_call(call, officer, data, reason=REASON)
    db.session.rollback()
    return info.value.problems


def test_an_open_call_cannot_be_back_dated_to_look_thirty_days_long(app):
    now = app_clock.now()
    # Announced ten days ago; closing in fifteen: twenty-five days in all, so moving the opening
    # back to forty days ago would make the 30-day check pass on paper.
    call = CallFactory(opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=15))
    officer = officer_for(call)
    db.session.commit()
    opened = call.opens_at
    problems = _refusal(call, officer, _opening(call, opens_at=now - timedelta(days=40)))
    assert [field for field, _ in problems] == ["opens_at"] and "앞당길 수 없습니다" in problems[0][1]
    assert db.session.get(Call, call.id).opens_at == opened


def test_a_published_upcoming_call_opens_later_only_and_never_in_the_past(app):
    now = app_clock.now()
    call = CallFactory(opens_at=now + timedelta(days=5), closes_at=now + timedelta(days=45))
    officer = officer_for(call)
    db.session.commit()
    problems = _refusal(call, officer, _opening(call, opens_at=now + timedelta(days=3)))
    assert problems[0][0] == "opens_at" and "앞당길 수 없습니다" in problems[0][1]
    # Later is fine, as long as the call still stays open thirty days.
    call_admin.update_call(call, officer, _opening(call, opens_at=now + timedelta(days=7)))
    db.session.commit()
    assert db.session.get(Call, call.id).opens_at == now + timedelta(days=7)


def test_a_new_opening_in_the_past_is_refused_even_if_later_than_before(app):
    now = app_clock.now()
    call = CallFactory(opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=40))
    officer = officer_for(call)
    db.session.commit()
    problems = _refusal(call, officer, _opening(call, opens_at=now - timedelta(days=2)))
    assert problems == [("opens_at", "접수 시작 시각을 이미 지난 시각으로 바꿀 수 없습니다.")]


def test_other_fields_of_an_open_call_still_save_with_the_opening_as_the_form_shows_it(app):
    now = app_clock.now().replace(second=42, microsecond=123)
    call = CallFactory(opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=40))
    officer = officer_for(call)
    db.session.commit()
    opened = call.opens_at
    # The form has minutes only: 09:00 for 09:00:42 is no change.
    call_admin.update_call(call, officer, _opening(call, opens_at=opened.replace(second=0, microsecond=0),
                                                   title="바뀐 공모명"), reason=REASON)
    db.session.commit()
    saved = db.session.get(Call, call.id)
    assert saved.title == "바뀐 공모명" and saved.opens_at == opened


def test_a_draft_may_still_be_moved_freely(app):
    now = app_clock.now()
    call = CallFactory(phase="draft", opens_at=now + timedelta(days=20), closes_at=now + timedelta(days=60))
    officer = officer_for(call)
    db.session.commit()
    call_admin.update_call(call, officer, _opening(call, opens_at=now + timedelta(days=2)))
    db.session.commit()
    assert db.session.get(Call, call.id).opens_at == now + timedelta(days=2)


def _kst(value) -> str:
    return app_clock.to_kst(value).strftime("%Y-%m-%dT%H:%M")


def test_the_edit_page_shows_the_refusal_next_to_the_opening_and_saves_nothing(client, login, app):
    now = app_clock.now()
    call = CallFactory(opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=15))
    officer = officer_for(call)
    db.session.commit()
    opened, title = call.opens_at, call.title
    login(officer)
    resp = client.post(f"/officer/calls/{call.id}/edit", data={
        "programme_id": str(call.programme_id), "code": call.code, "title": "몰래 바꾼 공모명",
        "description_md": call.description_md, "opens_at": _kst(now - timedelta(days=40)),
        "closes_at": _kst(call.closes_at), "awards": str(call.awards), "per_award_cap": f"{call.per_award_cap:,}",
        "total_cap": f"{call.total_cap:,}", "first_year": str(call.first_year), "last_year": str(call.last_year),
        "min_local_ratio": format(call.min_local_ratio, "f"), "reviewers_per_proposal": "5",
        "complex_ids": [str(c.id) for c in call.complexes],
        **call_rows(),
    })
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'id="opens_at-error"' in html and "앞당길 수 없습니다" in html
    db.session.expire_all()
    saved = db.session.get(Call, call.id)
    assert saved.opens_at == opened and saved.title == title
