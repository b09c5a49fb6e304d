"""A call's audit trail: old and new values of every edit, the call of each entry, and the
officer's page that reads them by who, what and when; the hash chain still holds."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import AuditEntry
from app import audit
from app.accounts import user_admin
from app.calls import lifecycle
from app.core.clock import kst
from app.review import assignment, conflicts, review_sheets
from app.selection import results, screening
from tests.app.builders import (
    applicant_of, complete_proposal, minimal_pdf, pool_of, submitted_proposal, uniform_sheets, upload,
)
from tests.factories import UserFactory, closed_call, officer_for, other_agency_officer
from tests.support import sign_in


def _entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def _trail(client, call, **args):
    resp = client.get(f"/officer/calls/{call.id}/audit", query_string=args)
    return resp.status_code, resp.get_data(as_text=True)


@pytest.fixture
def screened(app):
    """A closed call with one submitted proposal, and its officer."""
    call = closed_call()
    officer = officer_for(call, name="김담당")
    proposal = submitted_proposal(call, "창원")
    db.session.flush()
    return call, officer, proposal


# --- old and new values ------------------------------------------------------------------------

def test_a_changed_screening_decision_records_old_and_new_values(screened):
    call, officer, proposal = screened
    screening.decide(proposal, officer, "confirmed", "")
    screening.decide(proposal, officer, "rejected", "지방비 확약서 누락")
    screening.decide(proposal, officer, "rejected", "지방비 확약서 누락")
    first, second, third = _entries("screening.confirmed") + _entries("screening.rejected")
    assert first.data["changes"] == {"status": [None, "confirmed"], "reason": [None, ""]}
    assert second.data["changes"] == {"status": ["confirmed", "rejected"], "reason": ["", "지방비 확약서 누락"]}
    assert third.data["changes"] == {}  # the same decision again: no field changed
    assert {e.call_id for e in (first, second, third)} == {call.id}


def test_a_result_override_records_the_selection_before_and_after(screened):
    call, officer, proposal = screened
    screening.decide(proposal, officer, "confirmed", "")
    lifecycle.start_review(call, officer)
    results.compute(call, officer, uniform_sheets(proposal, "20", "20", "8", "8"))
    row = results.result_of(proposal)
    was = row.selected
    results.override(row, officer, not was, "지방비 확약서 위조 확인")
    [entry] = _entries("results.override")
    assert entry.data["changes"] == {"selected": [was, not was]} and entry.call_id == call.id


def test_a_changed_review_due_date_records_old_and_new(screened):
    call, officer, proposal = screened
    screening.decide(proposal, officer, "confirmed", "")
    [reviewer] = pool_of(call, officer, 1)
    a = assignment.assign(call, proposal, reviewer.id, officer, due_at=kst(2030, 1, 10, 18))
    assignment.set_due(a, officer, kst(2030, 1, 17, 18))
    [entry] = _entries("review.due_changed")
    assert entry.data["changes"] == {"due_at": ["2030-01-10T09:00:00+00:00", "2030-01-17T09:00:00+00:00"]}
    assert entry.call_id == call.id and entry.object_type == "reviewassignment"


def test_a_sheet_resubmitted_after_reopening_records_the_scores_that_moved(screened):
    call, officer, proposal = screened
    [reviewer] = pool_of(call, officer, 1)
    a = assignment.assign(call, proposal, reviewer.id, officer)
    conflicts.declare_no_conflict(a, reviewer)
    full = {"infra": "27", "poc": "A", "plan": "8.5", "alliance": "10"}
    sheet = review_sheets.submit(a, reviewer, points=full, comments={}, overall_opinion="우수함")
    review_sheets.reopen(sheet, officer, "배점 입력 오류 확인")
    review_sheets.submit(a, reviewer, points={**full, "infra": "25"}, comments={}, overall_opinion="우수함")
    first, again = _entries("review.sheet_submitted")
    assert first.data["changes"]["points.infra"] == [None, "27"]
    assert again.data["changes"] == {"points.infra": ["27", "25"]}  # the other scores did not move
    assert again.call_id == call.id and again.object_type == "reviewsheet"


def test_role_and_status_changes_of_an_account_record_old_and_new(app):
    admin, user = UserFactory(roles=["admin"]), UserFactory()
    user_admin.set_role(admin, user, "officer", True)
    user_admin.set_active(admin, user, False)
    assert _entries("user.role_granted")[0].data["changes"] == {"roles": [["applicant"], ["applicant", "officer"]]}
    [off] = _entries("user.deactivated")
    assert off.data["changes"] == {"active": [True, False]} and off.call_id is None


# --- the call of an entry ----------------------------------------------------------------------

def test_an_entry_knows_its_call_from_the_object_or_the_call_keyword(screened):
    call, officer, proposal = screened
    other = closed_call()
    on_call = audit.record(officer, "test.on_call", call)
    on_proposal = audit.record(officer, "test.on_proposal", proposal)
    named = audit.record(officer, "test.named", proposal, call=other)
    by_id = audit.record(officer, "test.by_id", officer, call=call.id)
    nothing = audit.record(officer, "test.nothing", officer)
    assert (on_call.call_id, on_proposal.call_id, named.call_id, by_id.call_id) == (call.id, call.id, other.id, call.id)
    assert nothing.call_id is None
    assert "call" not in named.data and audit.verify() is None


def test_an_upload_belongs_to_its_proposals_call(app):
    """The attachment is not linked to its proposal yet when the entry is written."""
    proposal = complete_proposal(with_files=False)
    entry = upload(proposal, applicant_of(proposal), "plan", minimal_pdf(), "사업계획서.pdf")
    recorded = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "attachment.uploaded"))
    assert entry is not None and recorded.call_id == proposal.call_id


# --- the chain still holds ---------------------------------------------------------------------

def test_the_chain_holds_across_entries_with_and_without_a_call(app, screened):
    call, officer, proposal = screened
    audit.record(officer, "test.without", officer)
    audit.record(officer, "test.with", proposal)
    db.session.commit()
    assert audit.verify() is None
    ok = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "intact" in ok.output


@pytest.mark.parametrize("forged", ["other call", "no call", "a call where there was none"])
def test_changing_the_call_of_an_entry_breaks_the_chain(app, screened, forged):
    call, officer, proposal = screened
    with_call = audit.record(officer, "test.with", proposal)
    without = audit.record(officer, "test.without", officer)
    db.session.commit()
    target, value = {"other call": (with_call, call.id + 1), "no call": (with_call, None),
                     "a call where there was none": (without, call.id)}[forged]
    db.session.execute(update(AuditEntry).where(AuditEntry.id == target.id).values(call_id=value))
    db.session.commit()
    assert audit.verify() == target.id
    bad = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert bad.exit_code == 1 and f"broken at entry {target.id}" in bad.output


# --- the officer's page ------------------------------------------------------------------------

def test_the_trail_shows_the_calls_entries_and_no_other_calls(client, screened):
    call, officer, proposal = screened
    other = closed_call(programme=call.programme)
    mine = audit.record(officer, "call.test_mine", call, note="이 공모")
    about_proposal = audit.record(officer, "proposal.test_mine", proposal)
    theirs = audit.record(officer, "call.test_theirs", other, note="다른 공모")
    # An entry written before entries knew their call: found by being about the call itself.
    old = audit.record(officer, "call.test_old", call)
    db.session.execute(update(AuditEntry).where(AuditEntry.id == old.id).values(call_id=None))
    db.session.commit()
    sign_in(client, officer)
    status, html = _trail(client, call)
    assert status == 200
    for entry in (mine, about_proposal, old):
        assert f'id="entry-{entry.id}"' in html
    assert f'id="entry-{theirs.id}"' not in html and "다른 공모" not in html
    # Newest first.
    assert html.index(f'id="entry-{old.id}"') < html.index(f'id="entry-{about_proposal.id}"') < html.index(
        f'id="entry-{mine.id}"')
    assert f"/officer/calls/{call.id}/audit" in client.get(f"/officer/calls/{call.id}").get_data(as_text=True)


def test_the_trail_shows_old_and_new_values_side_by_side(client, screened):
    call, officer, proposal = screened
    screening.decide(proposal, officer, "confirmed", "")
    screening.decide(proposal, officer, "rejected", "지방비 확약서 누락")
    db.session.commit()
    sign_in(client, officer)
    text = " ".join(re.sub(r"<[^>]+>", " ", _trail(client, call)[1]).split())
    assert "이전 값" in text and "새 값" in text
    assert "status confirmed rejected" in text and "reason 지방비 확약서 누락" in text
    assert "김담당" in text and "screening.rejected" in text


@pytest.mark.parametrize("persona", ["applicant", "reviewer", "other agency officer"])
def test_only_the_calls_officers_read_its_trail(client, screened, persona):
    call, officer, proposal = screened
    audit.record(officer, "call.test", call, note="비공개 기록")
    user = {"applicant": lambda: applicant_of(proposal),
            "reviewer": lambda: pool_of(call, officer, 1)[0],
            "other agency officer": other_agency_officer}[persona]()
    db.session.commit()
    sign_in(client, user)
    status, html = _trail(client, call)
    assert status == 404 and "비공개 기록" not in html


def test_the_trail_filters_by_who(client, screened):
    call, officer, proposal = screened
    colleague = officer_for(call, name="이동료")
    by_officer = audit.record(officer, "call.test_a", call)
    by_colleague = audit.record(colleague, "call.test_b", call)
    by_clock = audit.record(None, "call.test_clock", call)
    db.session.commit()
    sign_in(client, officer)
    _, html = _trail(client, call)
    assert "이동료" in html and "김담당" in html  # both in the "who" list

    def shown(**args):
        html = _trail(client, call, **args)[1]
        return {e.id for e in (by_officer, by_colleague, by_clock) if f'id="entry-{e.id}"' in html}

    assert shown(who=str(colleague.id)) == {by_colleague.id}
    assert shown(who="system") == {by_clock.id}
    assert shown() == {by_officer.id, by_colleague.id, by_clock.id}


def test_the_trail_filters_by_what(client, screened):
    call, officer, proposal = screened
    screening.decide(proposal, officer, "confirmed", "")
    audit.record(officer, "call.test_setting", call)
    db.session.commit()
    sign_in(client, officer)
    selection = _trail(client, call, what="selection")[1]
    assert "screening.confirmed" in selection and "call.test_setting" not in selection
    calls = _trail(client, call, what="call")[1]
    assert "call.test_setting" in calls and "screening.confirmed" not in calls
    assert "적격성 검토·평가 결과·이의신청" in calls  # the readable name of the choice


def test_the_trail_filters_by_seoul_days(client, clock, app):
    call = closed_call()
    officer = officer_for(call)
    clock.move_to("2025-07-01T14:30:00+00:00")  # 23:30 on 1 July in Seoul
    late = audit.record(officer, "call.test_late", call)
    clock.move_to("2025-07-01T15:30:00+00:00")  # 00:30 on 2 July in Seoul
    early = audit.record(officer, "call.test_early", call)
    db.session.commit()
    sign_in(client, officer)

    def shown(**args):
        status, html = _trail(client, call, **args)
        assert status == 200
        return {e.action for e in (late, early) if f'id="entry-{e.id}"' in html}

    assert shown(since="2025-07-02", until="2025-07-02") == {"call.test_early"}
    assert shown(until="2025-07-01") == {"call.test_late"}
    assert shown(since="2025-07-01") == {"call.test_late", "call.test_early"}
    assert shown(since="2025-07-03") == set()


@pytest.mark.parametrize("args, message", [
    ({"since": "2025-07-03", "until": "2025-07-02"}, "종료일은 시작일과 같거나 그 뒤여야 합니다."),
    ({"since": "2025-13-40"}, "날짜를 YYYY-MM-DD 형식으로 입력하십시오."),
    ({"until": "0001-01-01"}, "2000년에서 2999년 사이의 날짜를 입력하십시오."),
    ({"who": "999999"}, "목록에 있는 항목을 선택하십시오."),
    ({"what": "everything"}, "목록에 있는 항목을 선택하십시오."),
])
def test_an_unreadable_filter_is_named_and_lists_nothing(client, screened, args, message):
    call, officer, proposal = screened
    entry = audit.record(officer, "call.test", call)
    db.session.commit()
    sign_in(client, officer)
    status, html = _trail(client, call, **args)
    assert status == 422 and message in html and f'id="entry-{entry.id}"' not in html


def test_the_trail_pages_by_fifty_newest_first(client, screened):
    call, officer, proposal = screened
    entries = [audit.record(officer, f"call.test_{i}", call) for i in range(55)]
    db.session.commit()
    sign_in(client, officer)
    first, second = _trail(client, call)[1], _trail(client, call, page="2")[1]
    assert f'id="entry-{entries[-1].id}"' in first and f'id="entry-{entries[5].id}"' in first
    assert f'id="entry-{entries[4].id}"' not in first and f'id="entry-{entries[0].id}"' in second
    assert first.count('id="entry-') == 50 and second.count('id="entry-') == 5
    assert "page=2" in first and _trail(client, call, page="999")[1].count('id="entry-') == 5
    # The next page keeps the filters, and only them.
    status, filtered = _trail(client, call, what="call", call_id="7", page="1")
    [link] = re.findall(r'href="([^"]+)" rel="next"', filtered)
    assert status == 200 and sorted(link.split("?")[1].split("&amp;")) == ["page=2", "what=call"]


def test_the_page_is_a_fixed_number_of_queries(client, count_queries, screened):
    call, officer, proposal = screened

    def statements() -> int:
        client.get(f"/officer/calls/{call.id}/audit")
        with count_queries() as q:
            html = client.get(f"/officer/calls/{call.id}/audit").get_data(as_text=True)
        return q.count, html.count('id="entry-')

    sign_in(client, officer)
    for i in range(3):
        audit.record(UserFactory(), f"call.test_{i}", call, changes={"x": [i, i + 1]})
    db.session.commit()
    few, rows = statements()
    assert rows == 3
    for i in range(40):  # each by someone else, with changes to show
        audit.record(UserFactory(), f"proposal.test_{i}", proposal, changes={"x": [i, i + 1]})
    db.session.commit()
    many, rows = statements()
    assert rows == 43 and many == few


def test_the_calls_own_history_reads_in_its_trail(client, screened):
    """Whatever a service records about the call's objects lands in its trail."""
    call, officer, proposal = screened
    screening.decide(proposal, officer, "confirmed", "")
    lifecycle.start_review(call, officer)
    db.session.commit()
    sign_in(client, officer)
    html = _trail(client, call)[1]
    assert "screening.confirmed" in html and "call.in_review" in html
    assert audit.verify() is None
