"""The officer's irreversible steps ask for confirmation on a page that says what each will do."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Call
from tests.app.builders import submitted_proposal
from tests.factories import ProposalFactory, closed_call, officer_for, other_agency_officer
from tests.support import sign_in, visible_text


def _actions():
    return db.session.scalars(select(AuditEntry.action)).all()


def test_the_dashboard_button_leads_to_a_page_that_counts_what_starting_the_review_does(app, client):
    call = closed_call()
    officer = officer_for(call)
    submitted_proposal(call)
    submitted_proposal(call)
    ProposalFactory(call=call)  # a draft never submitted
    db.session.commit()
    sign_in(client, officer)

    dashboard = client.get(f"/officer/calls/{call.id}").get_data(as_text=True)
    assert f'action="/officer/calls/{call.id}/step/start_review"' in dashboard and 'method="get"' in dashboard

    page = visible_text(client.get(f"/officer/calls/{call.id}/step/start_review").get_data(as_text=True))
    assert "제출된 신청서 2건이 적격성 검토와 평가 대상이 됩니다." in page
    assert "작성 중이거나 철회된 신청서 1건은 평가하지 않습니다." in page
    assert "이 단계는 되돌릴 수 없습니다." in page


def test_a_step_without_the_confirmation_is_refused_beside_the_box_and_changes_nothing(app, client):
    call = closed_call()
    officer = officer_for(call)
    submitted_proposal(call)
    db.session.commit()
    sign_in(client, officer)
    before = _actions()

    response = client.post(f"/officer/calls/{call.id}/step", data={"step": "start_review"})

    assert response.status_code == 422
    assert "진행하려면 확인란에 표시하십시오." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Call, call.id).phase == "published" and _actions() == before


def test_the_confirmed_step_is_taken_and_audited(app, client):
    call = closed_call()
    officer = officer_for(call)
    db.session.commit()
    sign_in(client, officer)

    response = client.post(f"/officer/calls/{call.id}/step", data={"step": "start_review", "confirm": "y"})

    assert response.status_code == 303 and response.headers["Location"].endswith(f"/officer/calls/{call.id}")
    db.session.expire_all()
    assert db.session.get(Call, call.id).phase == "in_review" and "call.in_review" in _actions()


def test_a_step_from_a_stale_page_is_refused(app, client):
    call = closed_call()  # next is start_review; a page left open from earlier offers "publish"
    officer = officer_for(call)
    db.session.commit()
    sign_in(client, officer)

    response = client.post(f"/officer/calls/{call.id}/step", data={"step": "announce", "confirm": "y"})

    assert response.status_code == 422
    assert "이 단계는 지금 진행할 수 없습니다." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Call, call.id).phase == "published"
    stale = client.get(f"/officer/calls/{call.id}/step/decide")
    assert stale.status_code == 303 and stale.headers["Location"].endswith(f"/officer/calls/{call.id}")


def test_another_agencys_officer_cannot_read_the_confirmation_page(app, client):
    call = closed_call()
    stranger = other_agency_officer()
    db.session.commit()
    sign_in(client, stranger)
    assert client.get(f"/officer/calls/{call.id}/step/start_review").status_code == 404
    assert client.get(f"/officer/calls/{call.id}/step/nonsense").status_code == 404


def test_deciding_before_the_results_are_computed_says_why_and_offers_no_confirmation(app, client):
    call = closed_call(phase="in_review")
    officer = officer_for(call)
    db.session.commit()
    sign_in(client, officer)

    page = client.get(f"/officer/calls/{call.id}/step/decide").get_data(as_text=True)

    assert "평가 결과를 먼저 산출하십시오." in page and 'name="confirm"' not in page
