from copy import deepcopy
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.models import AuditEntry, Call
from app.demo import ax2025
from app.calls import call_admin
from app.core import clock as app_clock
from app.calls.call_admin import CallAdminError
from tests.factories import CallFactory, ProgrammeFactory, UserFactory, closed_call, officer_for


def _fields(**over):
    now = app_clock.now()
    data = dict(code="DX-2026", title="2026년 지역 DX 협업센터 공모", description_md="## 개요", opens_at=now,
                closes_at=now + timedelta(days=40), info_session_at=None, awards=2,
                per_award_cap=2_100_000_000, total_cap=6_300_000_000, first_year=2026, last_year=2028,
                min_local_ratio=Decimal("0.3"), reviewers_per_proposal=5, review_due_at=None,
                infra_types=[("hub", "디지털 혁신거점", "Digital hub")],
                attachment_kinds=[("plan", "사업계획서", "Plan", True)])
    data.update(over)
    return data


def test_a_call_is_created_as_a_draft_with_every_field(app, db_session):
    programme = ProgrammeFactory()
    officer = UserFactory(roles=["officer"], organisation=programme.agency)
    call = call_admin.create_call(officer, programme, _fields())
    assert call.phase == "draft" and call.status() == "draft"
    assert [t.key for t in call.infra_types] == ["hub"] and call.attachment_kinds[0].required
    assert call.policy["awards"] == 2
    assert db_session.scalar(select(AuditEntry.action).where(AuditEntry.object_id == call.id)) == "call.created"


def test_a_call_must_stay_open_thirty_days(app):
    programme = ProgrammeFactory()
    with pytest.raises(CallAdminError) as info:
        call_admin.create_call(None, programme, _fields(closes_at=app_clock.now() + timedelta(days=20)))
    assert info.value.problems[0][0] == "closes_at"


def test_rubric_points_must_add_up_to_the_total(app):
    call = CallFactory(phase="draft")
    officer = officer_for(call)
    rubric = ax2025.rubric()
    rubric["criteria"][0]["max_points"] = "25"
    with pytest.raises(CallAdminError) as info:
        call_admin.set_rubric(call, officer, rubric, ax2025.policy())
    assert info.value.problems == [("total_points", "배점 합계가 95점입니다. 총점 100점과 같아야 합니다.")]
    rubric["total_points"] = "95"  # the officer may set another total
    call_admin.set_rubric(call, officer, rubric, ax2025.policy())
    assert call.rubric["criteria"][0]["max_points"] == "25"


def test_rubric_errors_point_at_their_field(app):
    rubric = ax2025.rubric()
    rubric["criteria"][4]["rule"] = {"type": "coverage", "fact": "gpus", "target": 5}
    rubric["criteria"][1]["key"] = "Infra!"
    policy = dict(ax2025.policy(), tie_breaks=["criterion:nope"])
    fields = {f for f, _ in call_admin.rubric_problems(rubric, policy)}
    assert fields == {"criteria-4-rule", "criteria-1-key", "tie_breaks"}


def test_the_rubric_is_frozen_once_a_review_is_submitted(app, monkeypatch):
    from app.review import review_sheets

    call = closed_call()
    officer = officer_for(call)
    monkeypatch.setattr(review_sheets, "any_counted", lambda c: True)
    rubric = deepcopy(call.rubric)
    rubric["criteria"][0]["label"] = "바뀐 항목명"
    with pytest.raises(CallAdminError):
        call_admin.set_rubric(call, officer, rubric, call.policy)
    call_admin.set_rubric(call, officer, deepcopy(call.rubric), call.policy)  # saving it unchanged is fine


def test_copying_starts_next_years_call_as_a_draft(app, db_session):
    call = CallFactory(opens_at=app_clock.kst(2025, 6, 17), closes_at=app_clock.kst(2025, 7, 28, 15))
    officer = officer_for(call)
    new = call_admin.copy_call(call, officer, "AX-2026")
    assert new.phase == "draft" and new.title == "2026년 AX 실증산단 구축사업 공모"
    assert new.closes_at == app_clock.kst(2026, 7, 28, 15)
    assert (new.first_year, new.last_year) == (2026, 2029)
    assert new.rubric == call.rubric and new.rubric is not call.rubric
    assert [c.name for c in new.complexes] == [c.name for c in call.complexes]
    assert [t.key for t in new.infra_types] == [t.key for t in call.infra_types]
    assert db_session.scalar(select(Call).where(Call.code == "AX-2026")) is new
