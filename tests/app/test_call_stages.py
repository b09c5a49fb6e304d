"""A call's selection procedure as configured data (issue 16): stages, shortlist, final score.

요건검토 → 서면평가 → (shortlist) → 발표평가 …, each evaluation stage with its panel and due date,
later stages with their own rubric; announced with the call and frozen like the rubric.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Call, CallAmendment, EvaluationStage, Notification
from app.demo import ax2025
from app.calls import call_admin, stages
from app.calls.call_admin import CallAdminError
from app.core import clock as app_clock
from tests.app.builders import submitted_proposal
from tests.app.test_migrations import empty_database_url  # noqa: F401 - the fixture
from tests.factories import (
    CallFactory, ProgrammeFactory, ProposalFactory, UserFactory, applicant_with_consortium, officer_for,
    other_agency_officer,
)
from tests.app.test_rubric_editor import form_values
from tests.support import sign_in

REASON = "발표평가를 추가하여 평가의 변별력을 높입니다."


def _ax(call) -> list[dict]:
    """The AX procedure for ``call``: written due two weeks after closing, presentation four."""
    return ax2025.stages(call.closes_at + timedelta(days=14), call.closes_at + timedelta(days=28))


def _upcoming(**kwargs) -> Call:
    now = app_clock.now()
    return CallFactory(opens_at=now + timedelta(days=5), closes_at=now + timedelta(days=45), **kwargs)


def _live(**kwargs) -> Call:
    now = app_clock.now()
    return CallFactory(opens_at=now - timedelta(days=5), closes_at=now + timedelta(days=40), **kwargs)


def _kinds(call_id) -> list[tuple[int, str, int]]:
    return [(s.position, s.kind, s.panel_size) for s in db.session.scalars(
        select(EvaluationStage).where(EvaluationStage.call_id == call_id).order_by(EvaluationStage.position))]


def _kst(value) -> str:
    return app_clock.to_kst(value).strftime("%Y-%m-%dT%H:%M") if value else ""


def _form(stage_list: list[dict], final_score: str = "last", **over) -> dict:
    """The stages page's form as an officer would post it."""
    data = {"final_score": final_score}
    for i, s in enumerate(stage_list):
        data[f"stages-{i}-kind"] = s["kind"]
        if i == 0:
            continue
        data.update({
            f"stages-{i}-panel_size": str(s.get("panel_size", "")), f"stages-{i}-due_at": _kst(s.get("due_at")),
            f"stages-{i}-shortlist_rule": s.get("shortlist_rule", "all"),
            f"stages-{i}-shortlist_value": str(s.get("shortlist_value", "")),
            f"stages-{i}-weight": str(s.get("weight") or ""),
            f"stages-{i}-source": str(i),  # the stored stage at this place, if any, keeps its rubric
        })
    data.update(over)
    return data


# --- the default procedure -----------------------------------------------------------------------------

def test_a_new_call_is_run_by_requirements_then_a_written_review_by_its_panel(app):
    programme = ProgrammeFactory()
    officer = UserFactory(roles=["officer"], organisation=programme.agency)
    now = app_clock.now()
    due = now + timedelta(days=55)
    call = call_admin.create_call(officer, programme, {
        "code": "DX-2026", "title": "2026년 지역 DX 공모", "opens_at": now + timedelta(days=1),
        "closes_at": now + timedelta(days=41), "awards": 2, "per_award_cap": 1_000_000_000,
        "total_cap": 2_000_000_000, "first_year": 2026, "last_year": 2027, "reviewers_per_proposal": 7,
        "review_due_at": due})
    db.session.commit()
    assert _kinds(call.id) == [(0, "requirements", 0), (1, "written", 7)]
    assert call.stages[1].due_at == due and call.final_score == "last"
    assert call.stages[1].rubric is None  # the written review scores on the call's own rubric

    # Editing the call's panel or review due date moves the first evaluation stage with it.
    call_admin.update_call(call, officer, {"opens_at": call.opens_at, "closes_at": call.closes_at,
                                           "reviewers_per_proposal": 6, "review_due_at": due + timedelta(days=1)})
    db.session.commit()
    assert _kinds(call.id)[1] == (1, "written", 6) and call.stages[1].due_at == due + timedelta(days=1)


def test_the_procedure_is_saved_copied_and_its_first_evaluation_stage_is_the_calls_review(app):
    call = _upcoming()
    officer = officer_for(call)
    db.session.commit()
    stages.set_stages(call, officer, _ax(call), "weighted")
    db.session.commit()
    assert _kinds(call.id) == [(0, "requirements", 0), (1, "written", 5), (2, "presentation", 5)]
    written, presentation = call.stages[1], call.stages[2]
    assert (written.shortlist_rule, written.shortlist_value, written.weight) == ("multiple", 3, Decimal("30"))
    assert presentation.weight == Decimal("70") and presentation.policy["awards"] == call.awards
    assert presentation.rubric["criteria"][0]["label"] == "발표 내용의 충실성"
    assert call.final_score == "weighted" and call.review_due_at == written.due_at
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "call.stages_set")).all()
    assert entry.data["changes"]["final_score"] == ["마지막 평가 단계의 점수", "서면평가 30% + 발표평가 70%"]
    assert entry.data["changes"]["stage:3"][1][0].startswith("발표평가 · 평가위원 5명")
    assert db.session.scalars(select(CallAmendment)).all() == []  # not open yet: no 변경공고

    stages.set_stages(call, officer, _ax(call), "weighted")  # unchanged: nothing recorded
    db.session.commit()
    assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "call.stages_set")).all()) == 1

    # The engine reads the awards from each stage's policy: they stay the call's.
    call_admin.update_call(call, officer, {"opens_at": call.opens_at, "closes_at": call.closes_at, "awards": 3})
    db.session.commit()
    assert call.stages[2].policy["awards"] == 3

    copy = call_admin.copy_call(call, officer, "AX-NEXT")
    db.session.commit()
    assert _kinds(copy.id) == _kinds(call.id) and copy.final_score == "weighted"
    assert copy.stages[2].rubric == presentation.rubric
    assert app_clock.to_kst(copy.stages[2].due_at).year == app_clock.to_kst(presentation.due_at).year + 1


def test_last_stage_scoring_leaves_the_weights_unused(app):
    call = _upcoming()
    stages.set_stages(call, officer_for(call), _ax(call), "last")
    db.session.commit()
    assert [s.weight for s in call.stages] == [None, None, None]


# --- validation --------------------------------------------------------------------------------------

def _set(i, **values):
    def change(stage_list):
        stage_list[i].update(values)
    return change


def _no_rubric(stage_list):
    stage_list[2]["rubric"] = None


def _ninety_points(stage_list):
    stage_list[2]["rubric"]["criteria"][0]["max_points"] = "30"


def _only_requirements(stage_list):
    del stage_list[1:]


@pytest.mark.parametrize("change, final, field, message", [
    (_set(0, kind="written"), "weighted", "stages-0-kind", "평가 절차는 요건검토로 시작해야 합니다."),
    (_set(2, kind="requirements"), "weighted", "stages-2-kind", "요건검토는 첫 단계에만 둘 수 있습니다."),
    (_only_requirements, "last", "stages", "요건검토 다음에 평가 단계를 하나 이상 두십시오."),
    (_set(2, kind="interview"), "weighted", "stages-2-kind", "평가 단계의 종류를 선택하십시오."),
    (_set(1, panel_size=0), "weighted", "stages-1-panel_size", "평가위원 수는 1명에서 15명 사이여야 합니다."),
    (_set(2, panel_size=16), "weighted", "stages-2-panel_size", "평가위원 수는 1명에서 15명 사이여야 합니다."),
    (_set(1, due_at="closing"), "weighted", "stages-1-due_at", "평가 마감은 접수 마감("),
    (_set(2, due_at="early"), "weighted", "stages-2-due_at", "평가 마감은 앞 단계의 마감("),
    (_set(2, shortlist_rule="top", shortlist_value=10), "weighted", "stages-2-shortlist_rule",
     "마지막 평가 단계 다음에는 단계가 없으므로 진출 기준을 둘 수 없습니다."),
    (_set(1, shortlist_rule="top", shortlist_value=0), "weighted", "stages-1-shortlist_value",
     "다음 단계로 올릴 수(또는 배수)를 1 이상으로 입력하십시오."),
    (_set(1, shortlist_rule="top", shortlist_value=5), "weighted", "stages-1-shortlist_value",
     "다음 단계로 올리는 5개가 선정 수 10개보다 적습니다."),
    (_set(1, shortlist_rule="multiple", shortlist_value=0), "weighted", "stages-1-shortlist_value",
     "다음 단계로 올릴 수(또는 배수)를 1 이상으로 입력하십시오."),
    (_no_rubric, "weighted", "stages-2-rubric", "두 번째 평가 단계부터는 단계마다 평가표(rubric)와 선정 규칙(policy)이 필요합니다."),
    (_ninety_points, "weighted", "stages-2-rubric", "총점: 배점 합계가 90점입니다. 총점 100점과 같아야 합니다."),
    (_set(2, weight=None), "weighted", "stages-2-weight", "가중치는 0보다 크고 100 이하인 숫자(소수 둘째 자리까지)로 입력하십시오."),
    (_set(2, weight=Decimal("69.999")), "weighted", "stages-2-weight", "가중치는 0보다 크고 100 이하인"),
    (_set(2, weight=Decimal("60")), "weighted", "final_score", "가중치의 합계가 90입니다. 합계가 정확히 100이 되어야 합니다."),
    (_set(1), "average", "final_score", "최종 점수 산정 방식을 선택하십시오."),
])
def test_each_rule_refuses_with_its_field_and_changes_nothing(app, change, final, field, message):
    call = _upcoming()  # 10 awards
    officer = officer_for(call)
    db.session.commit()
    stage_list = _ax(call)
    change(stage_list)
    for stage in stage_list:  # due dates named by what they stand for
        if stage.get("due_at") == "closing":
            stage["due_at"] = call.closes_at
        elif stage.get("due_at") == "early":
            stage["due_at"] = stage_list[1]["due_at"] - timedelta(hours=1)
    with pytest.raises(CallAdminError) as info:
        stages.set_stages(call, officer, stage_list, final)
    db.session.rollback()
    assert any(f == field and m.startswith(message) for f, m in info.value.problems), info.value.problems
    assert _kinds(call.id) == [(0, "requirements", 0), (1, "written", 5)]
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "call.stages_set")).all() == []


def test_a_call_edit_cannot_move_the_written_review_past_the_next_stage(app):
    call = _upcoming()
    officer = officer_for(call)
    stages.set_stages(call, officer, _ax(call), "weighted")
    db.session.commit()
    with pytest.raises(CallAdminError) as info:
        call_admin.update_call(call, officer, {"opens_at": call.opens_at, "closes_at": call.closes_at,
                                               "review_due_at": call.stages[2].due_at + timedelta(days=1)})
    assert [f for f, _m in info.value.problems] == ["review_due_at"]


# --- the officer's page ------------------------------------------------------------------------------

def test_the_page_adds_and_removes_stages_without_saving_then_saves_the_procedure(client, app):
    call = _upcoming()
    officer = officer_for(call)
    db.session.commit()
    sign_in(client, officer)
    page = client.get(f"/officer/calls/{call.id}/stages").get_data(as_text=True)
    assert "평가 절차" in page and 'name="stages-1-panel_size"' in page and 'name="stages-2-kind"' not in page

    two = _form(_ax(call)[:2])
    added = client.post(f"/officer/calls/{call.id}/stages", data={**two, "add_stage": "1"})
    html = added.get_data(as_text=True)
    assert added.status_code == 200 and 'name="stages-2-kind"' in html and "(JSON)" not in html
    assert 'name="stages-2-source" value=""' in html and "발표평가 예시 평가표로 시작합니다" in html
    removed = client.post(f"/officer/calls/{call.id}/stages", data={**_form(_ax(call)), "remove_stage": "2"})
    assert removed.status_code == 200 and 'name="stages-2-kind"' not in removed.get_data(as_text=True)
    db.session.expire_all()
    assert _kinds(call.id) == [(0, "requirements", 0), (1, "written", 5)]

    resp = client.post(f"/officer/calls/{call.id}/stages", data=_form(_ax(call), "weighted"))
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert _kinds(call.id) == [(0, "requirements", 0), (1, "written", 5), (2, "presentation", 5)]
    saved = db.session.get(Call, call.id)
    assert saved.final_score == "weighted"
    # a new stage starts from the sample presentation rubric, and is edited on its own page
    assert (saved.stages[2].rubric, saved.stages[2].policy) == (
        stages.PRESENTATION_RUBRIC, {**stages.PRESENTATION_POLICY, "awards": saved.awards})
    page = client.get(f"/officer/calls/{call.id}/stages").get_data(as_text=True)
    assert f'href="/officer/calls/{call.id}/stages/2/rubric">평가표 편집</a>' in page


def test_the_stages_page_keeps_each_stored_rubric_when_a_stage_is_removed(client, app):
    call = _upcoming()
    officer = officer_for(call)
    procedure = _ax(call)
    site = dict(procedure[2], kind="site", due_at=procedure[2]["due_at"] + timedelta(days=7), weight=Decimal("20"))
    site["rubric"] = {**ax2025.PRESENTATION_RUBRIC, "criteria": [dict(c) for c in ax2025.PRESENTATION_RUBRIC["criteria"]]}
    site["rubric"]["criteria"][0]["label"] = "현장 확인"
    procedure[2]["weight"] = Decimal("50")
    stages.set_stages(call, officer, procedure + [site], "weighted")
    db.session.commit()
    sign_in(client, officer)
    posted = _form(procedure + [site], "weighted", **{"stages-3-weight": "70"})
    shown = client.post(f"/officer/calls/{call.id}/stages", data={**posted, "remove_stage": "2"}).get_data(as_text=True)
    assert 'name="stages-2-source" value="3"' in shown and "평가 절차를 저장한 뒤 평가표를 편집할 수 있습니다" in shown
    posted = {k: v for k, v in posted.items() if not k.startswith("stages-3-")}
    posted.update({"stages-2-kind": "site", "stages-2-source": "3", "stages-2-due_at": _kst(site["due_at"]),
                   "stages-2-weight": "70"})
    assert client.post(f"/officer/calls/{call.id}/stages", data=posted).status_code == 303
    db.session.expire_all()
    assert db.session.get(Call, call.id).stages[2].rubric["criteria"][0]["label"] == "현장 확인"


def test_bad_input_is_shown_beside_its_field_and_nothing_is_saved(client, app):
    call = _upcoming()
    officer = officer_for(call)
    db.session.commit()
    sign_in(client, officer)
    bad = client.post(f"/officer/calls/{call.id}/stages",
                      data=_form(_ax(call), "weighted", **{"stages-1-panel_size": "20"}))
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'id="stages-1-panel_size-error"' in html and "1명에서 15명" in html

    refused = client.post(f"/officer/calls/{call.id}/stages",
                          data=_form(_ax(call), "weighted", **{"stages-2-weight": "60"}))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="final_score-error"' in html and "가중치의 합계가 90입니다" in html
    db.session.expire_all()
    assert _kinds(call.id) == [(0, "requirements", 0), (1, "written", 5)]


# --- freezing ------------------------------------------------------------------------------------------

def test_once_open_the_procedure_changes_only_as_an_announced_amendment(client, app):
    call = _live()
    officer = officer_for(call)
    drafter, consortium = applicant_with_consortium()
    ProposalFactory(call=call, consortium=consortium, created_by_id=drafter.id)
    db.session.commit()
    sign_in(client, officer)
    assert 'name="amendment_reason"' in client.get(f"/officer/calls/{call.id}/stages").get_data(as_text=True)
    resp = client.post(f"/officer/calls/{call.id}/stages", data=_form(_ax(call), "weighted"))
    assert resp.status_code == 422 and 'id="amendment_reason-error"' in resp.get_data(as_text=True)
    db.session.expire_all()
    assert len(_kinds(call.id)) == 2

    resp = client.post(f"/officer/calls/{call.id}/stages", data=_form(_ax(call), "weighted", amendment_reason=REASON))
    assert resp.status_code == 303
    [amendment] = db.session.scalars(select(CallAmendment).where(CallAmendment.call_id == call.id)).all()
    assert amendment.reason == REASON
    assert set(amendment.changes) == {"stage:2", "stage:3", "final_score"}
    old, new = amendment.changes["stage:2"]
    assert old == ["서면평가 · 평가위원 5명"] and new[0].startswith("서면평가 · 평가위원 5명 · 마감 ")
    assert "다음 단계: 선정 수의 3배수 · 가중치 30%" in new[0]
    assert amendment.changes["stage:3"][0] is None
    assert db.session.scalar(select(Notification.user_id).where(Notification.kind == "call_amended")) == drafter.id
    public = client.get(f"/calls/{call.code}").get_data(as_text=True)
    assert "평가 절차 3단계" in public and REASON in public


def test_after_the_first_submission_the_procedure_is_frozen(client, app):
    call = _live()
    officer = officer_for(call)
    submitted_proposal(call, "창원")
    db.session.commit()
    with pytest.raises(CallAdminError) as info:
        stages.set_stages(call, officer, _ax(call), "weighted", reason=REASON)
    assert info.value.problems == [("stages", "신청서가 제출된 뒤에는 평가 절차를 변경할 수 없습니다.")]
    db.session.rollback()
    stages.set_stages(call, officer, [{"kind": "requirements"}, {"kind": "written", "panel_size": 5}], "last")
    sign_in(client, officer)
    page = client.get(f"/officer/calls/{call.id}/stages").get_data(as_text=True)
    assert "신청서가 제출된 뒤에는 평가 절차를 변경할 수 없습니다." in page and 'name="add_stage"' not in page
    resp = client.post(f"/officer/calls/{call.id}/stages", data=_form(_ax(call), "weighted", amendment_reason=REASON))
    assert resp.status_code == 303
    db.session.expire_all()
    assert len(_kinds(call.id)) == 2 and db.session.scalars(select(CallAmendment)).all() == []


# --- the announcement ----------------------------------------------------------------------------------

def test_the_call_page_announces_the_procedure_in_korean_and_english(client, app):
    call = _upcoming()
    stages.set_stages(call, officer_for(call), _ax(call), "weighted")
    db.session.commit()
    page = client.get(f"/calls/{call.code}").get_data(as_text=True)
    assert ("요건검토 → 서면평가 (평가위원 5명, 최고·최저점 제외) → 3배수 → 발표평가 (평가위원 5명, 최고·최저점 제외)"
            in page)
    assert "최종 점수 = 서면평가 30% + 발표평가 70%" in page
    assert "선정 수의 3배수 (30개)까지 다음 단계로" in page and "발표 내용의 충실성 40점" in page
    client.post("/locale/en", data={"next": f"/calls/{call.code}"})
    english = client.get(f"/calls/{call.code}").get_data(as_text=True)
    assert "Final score = Written review 30% + Presentation review 70%" in english
    assert "Requirements check → Written review (panel of 5, highest and lowest dropped) → 3× the awards" in english
    assert "Substance of the presentation 40 pts" in english


def test_a_call_with_the_default_procedure_says_the_last_stage_decides(client, app):
    call = _upcoming()
    db.session.commit()
    page = client.get(f"/calls/{call.code}").get_data(as_text=True)
    assert "요건검토 → 서면평가 (평가위원 5명, 최고·최저점 제외)" in page and "최종 점수 = 서면평가 점수" in page


def test_both_demo_calls_announce_the_ax_procedure(app, clock):
    from app.demo import demo

    result = demo.load()
    db.session.commit()
    for call in (result.call, result.review_call):
        assert [(s.kind, s.panel_size, s.shortlist_rule, s.shortlist_value, s.weight) for s in call.stages] == [
            ("requirements", 0, "all", 0, None), ("written", 5, "multiple", 3, Decimal("30")),
            ("presentation", 5, "all", 0, Decimal("70"))]
        assert call.final_score == "weighted" and call.stages[1].due_at == call.review_due_at
        assert call.stages[2].due_at > call.stages[1].due_at > call.closes_at
        assert call.stages[2].rubric["criteria"][0]["label"] == "발표 내용의 충실성"
    assert result.review_call.status() == "in_review"


# --- a later stage's rubric editor ----------------------------------------------------------------------

def _stage_url(call, position: int = 2) -> str:
    return f"/officer/calls/{call.id}/stages/{position}/rubric"


def _stage_audits() -> int:
    return len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "call.stages_set")).all())


def test_the_demo_presentation_rubric_round_trips_through_the_stage_editor(client, app):
    demo, target = _upcoming(), _upcoming()
    officer = officer_for(demo)
    target.programme = demo.programme
    stages.set_stages(demo, officer, _ax(demo), "weighted")
    default = _ax(target)
    default[2].update(rubric=None, policy=None)
    default[2]["rubric"], default[2]["policy"] = stages.default_stage_rubric()
    stages.set_stages(target, officer, default, "weighted")
    db.session.commit()
    sign_in(client, officer)
    html = client.get(_stage_url(demo)).get_data(as_text=True)
    assert "(JSON)" not in html and '"criteria"' not in html and 'id="rubric-editor"' in html
    assert "3단계 발표평가" in html and "발표 내용의 충실성" in html
    # the tie-breaks are rows choosing among the criteria by name, and the submission time
    assert '<option selected value="criterion:strategy">발표 내용의 충실성</option>' in html
    assert '<option selected value="submitted_at">제출 시각 (먼저 제출한 신청)</option>' in html
    data = form_values(html)
    assert data["tie_breaks-0-rule"] == "criterion:strategy" and data["criteria-2-key"] == "qa"

    resp = client.post(_stage_url(target), data={**data, "save": "1"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/officer/calls/{target.id}/stages")
    db.session.expire_all()
    stage = db.session.get(Call, target.id).stages[2]
    assert stage.rubric == ax2025.PRESENTATION_RUBRIC
    assert stage.policy == {**ax2025.PRESENTATION_POLICY, "awards": target.awards}
    assert [s.kind for s in db.session.get(Call, target.id).stages] == ["requirements", "written", "presentation"]


def test_the_stage_editor_moves_rows_without_saving_and_saves_tie_breaks_in_order(client, app):
    call = _upcoming()
    officer = officer_for(call)
    stages.set_stages(call, officer, _ax(call), "weighted")
    db.session.commit()
    sign_in(client, officer)
    data = form_values(client.get(_stage_url(call)).get_data(as_text=True))
    before = _stage_audits()

    moved = client.post(_stage_url(call), data={**data, "row": "up:tie_breaks-1"})
    assert moved.status_code == 200
    swapped = form_values(moved.get_data(as_text=True))
    assert (swapped["tie_breaks-0-rule"], swapped["tie_breaks-1-rule"]) == ("submitted_at", "criterion:strategy")
    added = form_values(client.post(_stage_url(call), data={**swapped, "row": "add:criteria"}).get_data(as_text=True))
    assert "criteria-3-key" in added
    assert "tie_breaks-2-rule" in form_values(
        client.post(_stage_url(call), data={**swapped, "row": "add:tie_breaks"}).get_data(as_text=True))
    db.session.expire_all()
    assert _stage_audits() == before and db.session.get(Call, call.id).stages[2].policy["tie_breaks"] == [
        "criterion:strategy", "submitted_at"]

    swapped.update({"criteria-0-max_points": "30", "criteria-1-max_points": "40"})
    assert client.post(_stage_url(call), data={**swapped, "save": "1"}).status_code == 303
    db.session.expire_all()
    stage = db.session.get(Call, call.id).stages[2]
    assert stage.policy["tie_breaks"] == ["submitted_at", "criterion:strategy"]
    assert [c["max_points"] for c in stage.rubric["criteria"]] == ["30", "40", "30"]
    assert _stage_audits() == before + 1


@pytest.mark.parametrize("change, field, message", [
    ({"criteria-0-max_points": "30"}, "total_points", "배점 합계가 90점입니다. 총점 100점과 같아야 합니다."),
    ({"tie_breaks-0-rule": "criterion:gone"}, "tie_breaks", "동점 처리 기준의 항목 gone"),
    ({"criteria-1-key": "strategy"}, "criteria-1-key", "중복되었습니다"),
    ({"pass_mark": "칠십"}, "pass_mark", ""),
])
def test_the_stage_editor_refuses_bad_input_beside_its_field_and_saves_nothing(client, app, change, field, message):
    call = _upcoming()
    officer = officer_for(call)
    stages.set_stages(call, officer, _ax(call), "weighted")
    db.session.commit()
    sign_in(client, officer)
    data = form_values(client.get(_stage_url(call)).get_data(as_text=True))
    before = _stage_audits()
    resp = client.post(_stage_url(call), data={**data, **change, "save": "1"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and f'id="{field}-error"' in html and message in html, html[:3000]
    db.session.expire_all()
    assert db.session.get(Call, call.id).stages[2].rubric == ax2025.PRESENTATION_RUBRIC and _stage_audits() == before


def test_the_stage_editor_follows_the_procedures_rules(client, app):
    call = _live()
    officer = officer_for(call)
    stages.set_stages(call, officer, _ax(call), "weighted", reason=REASON)
    drafter, consortium = applicant_with_consortium()
    ProposalFactory(call=call, consortium=consortium, created_by_id=drafter.id)
    db.session.commit()
    sign_in(client, officer)
    html = client.get(_stage_url(call)).get_data(as_text=True)
    assert 'name="amendment_reason"' in html
    data = {**form_values(html), "criteria-0-max_points": "30", "criteria-1-max_points": "40", "save": "1"}
    resp = client.post(_stage_url(call), data=data)
    assert resp.status_code == 422 and 'id="amendment_reason-error"' in resp.get_data(as_text=True)
    assert client.post(_stage_url(call), data={**data, "amendment_reason": REASON}).status_code == 303
    amendments = db.session.scalars(select(CallAmendment).where(CallAmendment.call_id == call.id)).all()
    assert set(amendments[-1].changes) == {"stage:3"}

    submitted_proposal(call, "창원")
    db.session.commit()
    page = client.get(_stage_url(call)).get_data(as_text=True)
    assert "신청서가 제출된 뒤에는 평가 절차를 변경할 수 없습니다." in page and 'name="save"' not in page
    resp = client.post(_stage_url(call), data={**data, "criteria-0-max_points": "35", "criteria-1-max_points": "35",
                                               "amendment_reason": REASON})
    assert resp.status_code == 303
    db.session.expire_all()
    assert db.session.get(Call, call.id).stages[2].rubric["criteria"][0]["max_points"] == "30"


def test_only_a_stored_later_stage_has_a_rubric_page(client, app):
    call = _upcoming()
    officer = officer_for(call)
    stages.set_stages(call, officer, _ax(call), "weighted")
    db.session.commit()
    sign_in(client, officer)
    assert client.get(_stage_url(call, 1)).status_code == 404  # the call's own rubric page has it
    assert client.get(_stage_url(call, 3)).status_code == 404
    sign_in(client, other_agency_officer())
    assert client.get(_stage_url(call)).status_code == 404
    assert client.post(_stage_url(call), data={"save": "1"}).status_code == 404


# --- who may ---------------------------------------------------------------------------------------------

def test_another_agencys_officer_gets_404_and_changes_nothing(client, app):
    call = _upcoming()
    db.session.commit()
    sign_in(client, other_agency_officer())
    assert client.get(f"/officer/calls/{call.id}/stages").status_code == 404
    assert client.post(f"/officer/calls/{call.id}/stages", data=_form(_ax(call), "weighted")).status_code == 404
    db.session.expire_all()
    assert len(_kinds(call.id)) == 2


# --- the migration ----------------------------------------------------------------------------------

def test_the_migration_gives_every_existing_call_its_two_stages(make_app, empty_database_url):  # noqa: F811
    from flask_migrate import downgrade, upgrade

    application = make_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with application.app_context():
        upgrade(revision="9c5e3f7a2b46")
        now = "2025-07-01 00:00:00"
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO organisations (id, name, type, region, brn, created_at) "
                                 "VALUES (1, '한국산업단지공단', 'public_agency', '대구', '5048201011', :at)"), {"at": now})
            conn.execute(sa.text("INSERT INTO programmes (id, name, ministry, agency_id) VALUES (1, 'AX', '산업부', 1)"))
            for id_, panel, due in ((1, 5, "2025-08-15 06:00:00"), (2, 7, None)):
                conn.execute(sa.text(
                    "INSERT INTO calls (id, programme_id, code, title, description_md, opens_at, closes_at, awards, "
                    "per_award_cap, total_cap, first_year, last_year, min_local_ratio, max_attachment_bytes, "
                    "max_proposal_bytes, reviewers_per_proposal, review_due_at, rubric, policy, phase, "
                    "next_receipt_seq, created_at) VALUES (:id, 1, :code, 't', '', :at, :at, 1, 1, 1, 2025, 2025, 0, "
                    "1, 1, :panel, :due, '{}', '{}', 'published', 1, :at)"),
                    {"id": id_, "code": f"OLD-{id_}", "at": now, "panel": panel, "due": due})
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT call_id, position, kind, panel_size, shortlist_rule, shortlist_value "
                                        "FROM evaluation_stages ORDER BY call_id, position")).all()
            finals = conn.execute(sa.text("SELECT final_score FROM calls ORDER BY id")).scalars().all()
        assert [tuple(r) for r in rows] == [(1, 0, "requirements", 0, "all", 0), (1, 1, "written", 5, "all", 0),
                                            (2, 0, "requirements", 0, "all", 0), (2, 1, "written", 7, "all", 0)]
        assert finals == ["last", "last"]
        downgrade(revision="9c5e3f7a2b46")
        assert "evaluation_stages" not in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()
