"""Changing a call that has opened is a 변경공고: a reason, a public record, a notice to applicants.

The owner's findings on the demo: moving a live call's closing into the past closed it at once,
unannounced; the rubric of an open call changed silently with drafts in progress; the audit
entry listed every field as changed without old or new values.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Call, CallAmendment, Notification
from app.demo import ax2025
from app.calls import call_admin
from app.calls.call_admin import CallAdminError
from app.core import clock as app_clock
from tests.app.builders import submitted_proposal
from tests.factories import (
    CallFactory, ProposalFactory, applicant_with_consortium, closed_call, officer_for,
)
from tests.support import call_rows, read_mails, rubric_form, sign_in

REASON = "사업설명회 일정 변경에 따라 접수 기간을 연장합니다."


def _kst(value) -> str:
    return app_clock.to_kst(value).strftime("%Y-%m-%dT%H:%M")


def _minute(value) -> str:
    return app_clock.to_kst(value).strftime("%Y-%m-%d %H:%M")


def _call_form(call, **over) -> dict:
    """The edit page's form as the officer finds it, with ``over`` typed in."""
    data = {
        "programme_id": str(call.programme_id), "code": call.code, "title": call.title,
        "description_md": call.description_md, "opens_at": _kst(call.opens_at), "closes_at": _kst(call.closes_at),
        "awards": str(call.awards), "per_award_cap": f"{call.per_award_cap:,}", "total_cap": f"{call.total_cap:,}",
        "first_year": str(call.first_year), "last_year": str(call.last_year),
        "min_local_ratio": format(call.min_local_ratio, "f"), "reviewers_per_proposal": str(call.reviewers_per_proposal),
        "complex_ids": [str(c.id) for c in call.complexes],
        **call_rows(),
    }
    data.update(over)
    return data


def _dates(call, **over) -> dict:
    return {"opens_at": call.opens_at, "closes_at": call.closes_at, **over}


def _refusal(call, officer, data, reason=REASON) -> list[tuple[str, str]]:
    with pytest.raises(CallAdminError) as info:
        call_admin.update_call(call, officer, data, reason=reason)
    db.session.rollback()
    return info.value.problems


def _amendments(call_id) -> list[CallAmendment]:
    return list(db.session.scalars(select(CallAmendment).where(CallAmendment.call_id == call_id)
                                   .order_by(CallAmendment.number)))


def _audit(call_id, action) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.object_id == call_id,
                                                            AuditEntry.action == action)))


# --- closing times ----------------------------------------------------------------------------------

def test_moving_a_live_calls_closing_into_the_past_is_refused_and_nothing_changes(client, app):
    now = app_clock.now()
    call = CallFactory(opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30))  # a 31-day call
    officer = officer_for(call)
    db.session.commit()
    closes = call.closes_at
    sign_in(client, officer)
    resp = client.post(f"/officer/calls/{call.id}/edit", data=_call_form(
        call, closes_at=_kst(now - timedelta(hours=1)), amendment_reason="오늘 마감합니다"))
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'id="closes_at-error"' in html and "이미 지난 시각으로 바꿀 수 없습니다" in html
    db.session.expire_all()
    saved = db.session.get(Call, call.id)
    assert saved.closes_at == closes and saved.is_open()
    assert _amendments(call.id) == [] and _audit(call.id, "call.updated") == []


def test_the_closing_moves_earlier_only_while_nobody_has_started_a_proposal(app):
    now = app_clock.now()
    call = CallFactory(opens_at=now - timedelta(days=5), closes_at=now + timedelta(days=45))
    officer = officer_for(call)
    db.session.commit()
    call_admin.update_call(call, officer, _dates(call, closes_at=now + timedelta(days=40)), reason=REASON)
    db.session.commit()
    user, consortium = applicant_with_consortium()
    ProposalFactory(call=call, consortium=consortium, created_by_id=user.id)  # a draft
    db.session.commit()
    problems = _refusal(call, officer, _dates(call, closes_at=now + timedelta(days=38)))
    assert [f for f, _ in problems] == ["closes_at"] and "앞당길 수 없습니다" in problems[0][1]
    assert db.session.get(Call, call.id).closes_at == now + timedelta(days=40)
    call_admin.update_call(call, officer, _dates(call, closes_at=now + timedelta(days=50)), reason=REASON)
    db.session.commit()
    assert db.session.get(Call, call.id).closes_at == now + timedelta(days=50)


def test_the_thirty_days_still_hold_and_a_closed_call_stays_closed(app):
    now = app_clock.now()
    call = CallFactory(opens_at=now - timedelta(days=5), closes_at=now + timedelta(days=45))
    officer = officer_for(call)
    db.session.commit()
    problems = _refusal(call, officer, _dates(call, closes_at=now + timedelta(days=20)))
    assert problems == [("closes_at", "공모 기간은 30일 이상이어야 합니다.")]
    closed = closed_call()
    db.session.commit()
    problems = _refusal(closed, officer_for(closed), _dates(closed, closes_at=now + timedelta(days=5)))
    assert problems == [("closes_at", "접수가 마감된 공모의 마감 시각은 바꿀 수 없습니다.")]


def test_an_open_call_does_not_go_back_to_upcoming(app):
    now = app_clock.now()
    call = CallFactory(opens_at=now - timedelta(days=5), closes_at=now + timedelta(days=45))
    officer = officer_for(call)
    db.session.commit()
    opened = call.opens_at
    problems = _refusal(call, officer, _dates(call, opens_at=now + timedelta(days=1)))
    assert problems == [("opens_at", "접수가 시작된 공모의 접수 시작 시각은 늦출 수 없습니다.")]
    assert db.session.get(Call, call.id).opens_at == opened


# --- the amendment: reason, record, public history, notice ------------------------------------------

def test_a_live_call_changes_only_with_a_reason_shown_next_to_its_field(client, app):
    now = app_clock.now()
    call = CallFactory(opens_at=now - timedelta(days=5), closes_at=now + timedelta(days=40))
    upcoming = CallFactory(opens_at=now + timedelta(days=5), closes_at=now + timedelta(days=45))
    officer = officer_for(call)
    db.session.commit()
    sign_in(client, officer)
    assert 'name="amendment_reason"' in client.get(f"/officer/calls/{call.id}/edit").get_data(as_text=True)
    assert 'name="amendment_reason"' not in client.get(f"/officer/calls/{upcoming.id}/edit").get_data(as_text=True)
    resp = client.post(f"/officer/calls/{call.id}/edit", data=_call_form(call, title="바뀐 공모명"))
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'id="amendment_reason-error"' in html and "변경 사유를 입력하십시오" in html
    db.session.expire_all()
    assert db.session.get(Call, call.id).title == "2025년 AX 실증산단 구축사업 공모" and _amendments(call.id) == []
    # Published but not yet open: nobody is writing against it, so no amendment.
    upcoming_officer = officer_for(upcoming)
    call_admin.update_call(upcoming, upcoming_officer, _dates(upcoming, title="예정 공모의 새 이름"))
    db.session.commit()
    assert _amendments(upcoming.id) == []


def test_a_later_closing_is_published_as_an_amendment_and_told_to_drafters_and_submitters_only(
        client, app, mailbox):
    now = app_clock.now()
    call = CallFactory(opens_at=now - timedelta(days=5), closes_at=now + timedelta(days=40))
    officer = officer_for(call)
    drafter, consortium = applicant_with_consortium()
    ProposalFactory(call=call, consortium=consortium, created_by_id=drafter.id)
    submitter = db.session.get(type(drafter), submitted_proposal(call, "창원").created_by_id)
    bystander, _ = applicant_with_consortium()  # a consortium with no proposal in this call
    db.session.commit()
    old, new = call.closes_at, call.closes_at + timedelta(days=7)
    sign_in(client, officer)
    resp = client.post(f"/officer/calls/{call.id}/edit", data=_call_form(
        call, closes_at=_kst(new), amendment_reason=REASON))
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]

    [amendment] = _amendments(call.id)
    assert (amendment.number, amendment.reason, amendment.actor_id) == (1, REASON, officer.id)
    assert amendment.changes == {"closes_at": [_minute(old), _minute(new)]}

    page = client.get(f"/calls/{call.code}").get_data(as_text=True)
    assert '<a href="#amendments">변경공고 1건</a>' in page
    assert "변경공고 제1호" in page and REASON in page
    assert f"{_minute(old)} KST</td><td>{_minute(new)} KST" in page

    mails = read_mails(mailbox)
    assert sorted(m["To"] for m in mails) == sorted([drafter.email, submitter.email])
    assert all(m["Subject"] == f"[공모] {call.title} 변경공고 제1호" for m in mails)
    body = mails[0].get_body(preferencelist=("plain",)).get_content()
    assert REASON in body and _minute(old) in body and _minute(new) in body and "#amendments" in body
    noticed = db.session.scalars(select(Notification.user_id).where(Notification.kind == "call_amended")).all()
    assert sorted(noticed) == sorted([drafter.id, submitter.id]) and bystander.id not in noticed

    # A second amendment gets the next number; saving the form unchanged records nothing.
    client.post(f"/officer/calls/{call.id}/edit", data=_call_form(
        db.session.get(Call, call.id), title="2025년 AX 실증산단 구축사업 공모 (연장)", amendment_reason="명칭 정정"))
    db.session.expire_all()
    assert [a.number for a in _amendments(call.id)] == [1, 2]
    assert client.post(f"/officer/calls/{call.id}/edit",
                       data=_call_form(db.session.get(Call, call.id))).status_code == 302
    assert [a.number for a in _amendments(call.id)] == [1, 2]
    assert len(read_mails(mailbox)) == 4


def test_the_audit_entry_lists_only_the_changed_fields_with_old_and_new_values(app):
    now = app_clock.now()
    call = CallFactory(opens_at=now - timedelta(days=5), closes_at=now + timedelta(days=40))
    officer = officer_for(call)
    db.session.commit()
    data = _dates(call, title="바뀐 공모명", total_cap=call.total_cap + 1_000_000_000,
                  infra_types=[(k, ko, en) for k, ko, en in ax2025.INFRA_TYPES],
                  complex_ids=[c.id for c in call.complexes], awards=call.awards)
    before_cap = call.total_cap
    call_admin.update_call(call, officer, data, reason=REASON)
    db.session.commit()
    [entry] = _audit(call.id, "call.updated")
    assert entry.data["changes"] == {"title": ["2025년 AX 실증산단 구축사업 공모", "바뀐 공모명"],
                                     "total_cap": [before_cap, before_cap + 1_000_000_000]}
    [amendment] = _amendments(call.id)
    assert amendment.changes == entry.data["changes"]
    call_admin.update_call(call, officer, data)  # the same values again: no event, no reason needed
    db.session.commit()
    assert len(_audit(call.id, "call.updated")) == 1 and len(_amendments(call.id)) == 1


# --- the rubric ---------------------------------------------------------------------------------------

def _reweighted(form: dict) -> dict:
    """The owner's edit: infrastructure 30 → 35, PoC 25 → 20."""
    return {**form, "criteria-0-max_points": "35", "criteria-1-max_points": "20"}


def test_the_rubric_of_an_open_call_with_drafts_changes_only_as_an_announced_amendment(client, app, mailbox):
    now = app_clock.now()
    call = CallFactory(opens_at=now - timedelta(days=5), closes_at=now + timedelta(days=40))
    officer = officer_for(call)
    drafter, consortium = applicant_with_consortium()
    ProposalFactory(call=call, consortium=consortium, created_by_id=drafter.id)
    db.session.commit()
    sign_in(client, officer)
    resp = client.post(f"/officer/calls/{call.id}/rubric", data=_reweighted(rubric_form()))
    assert resp.status_code == 422
    assert 'id="amendment_reason-error"' in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Call, call.id).rubric["criteria"][0]["max_points"] == "30"

    resp = client.post(f"/officer/calls/{call.id}/rubric",
                       data={**_reweighted(rubric_form()), "amendment_reason": "실증 비중 조정"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert [c["max_points"] for c in db.session.get(Call, call.id).rubric["criteria"][:2]] == ["35", "20"]
    [amendment] = _amendments(call.id)
    assert set(amendment.changes) == {"criterion:infra", "criterion:poc"}
    old, new = amendment.changes["criterion:infra"]
    assert "30점" in old and "35점" in new and old.startswith(ax2025.RUBRIC["criteria"][0]["label"])
    [entry] = _audit(call.id, "call.rubric_set")
    assert entry.data["changes"] == amendment.changes
    [mail] = read_mails(mailbox)
    assert mail["To"] == drafter.email and "실증 비중 조정" in mail.get_body(preferencelist=("plain",)).get_content()
    page = client.get(f"/calls/{call.code}").get_data(as_text=True)
    assert "실증 비중 조정" in page and "35점" in page


def test_the_rubric_and_selection_rules_freeze_at_the_first_submission(client, app):
    now = app_clock.now()
    call = CallFactory(opens_at=now - timedelta(days=5), closes_at=now + timedelta(days=40))
    officer = officer_for(call)
    submitted_proposal(call, "창원")
    db.session.commit()
    rubric = ax2025.rubric()
    rubric["criteria"][0]["max_points"], rubric["criteria"][1]["max_points"] = "35", "20"
    with pytest.raises(CallAdminError) as info:
        call_admin.set_rubric(call, officer, rubric, ax2025.policy(), reason=REASON)
    assert info.value.problems == [("criteria", "신청서가 제출된 뒤에는 평가표와 선정 규칙을 변경할 수 없습니다.")]
    db.session.rollback()
    with pytest.raises(CallAdminError):  # the pass mark is a selection rule
        call_admin.set_rubric(call, officer, ax2025.rubric(), {**ax2025.policy(), "pass_mark": "60"}, reason=REASON)
    db.session.rollback()
    call_admin.set_rubric(call, officer, ax2025.rubric(), ax2025.policy())  # unchanged: fine, and no amendment

    sign_in(client, officer)
    page = client.get(f"/officer/calls/{call.id}/rubric").get_data(as_text=True)
    assert "신청서가 제출된 뒤에는 평가표와 선정 규칙을 변경할 수 없습니다." in page
    resp = client.post(f"/officer/calls/{call.id}/rubric",
                       data={**_reweighted(rubric_form()), "amendment_reason": REASON})
    assert resp.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Call, call.id)
    assert saved.rubric["criteria"][0]["max_points"] == "30" and saved.policy["pass_mark"] == "70"
    assert _amendments(call.id) == [] and _audit(call.id, "call.rubric_set") == []


def test_the_panel_size_and_the_awards_freeze_at_the_first_submission(app):
    """Both are selection rules: proposals were submitted for them (the written stage's panel follows the first)."""
    now = app_clock.now()
    call = CallFactory(opens_at=now - timedelta(days=5), closes_at=now + timedelta(days=40))
    officer = officer_for(call)
    call_admin.update_call(call, officer, {"reviewers_per_proposal": 4}, reason=REASON)  # nobody has submitted
    submitted_proposal(call, "창원")
    db.session.commit()

    assert _refusal(call, officer, {"reviewers_per_proposal": 3, "awards": call.awards + 1}) == [
        ("reviewers_per_proposal", "신청서당 평가위원 수: 평가 절차와 선정 규칙의 일부여서 신청서가 제출된 뒤에는 바꿀 수 없습니다."),
        ("awards", "선정 수: 평가 절차와 선정 규칙의 일부여서 신청서가 제출된 뒤에는 바꿀 수 없습니다."),
    ]
    db.session.expire_all()
    assert db.session.get(Call, call.id).reviewers_per_proposal == 4
