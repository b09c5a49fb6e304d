"""A call's Q&A board: asking, privacy, answering (edits audited), the FAQ and following."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.calls import faq, qa
from app.calls.qa import QaError
from app.extensions import db
from app.models import AuditEntry, Notification, OutboxMessage
from app.models.qa import CallFollow, CallQuestion, FaqEntry
from app.worklist import tasks as worklist
from tests.factories import CallFactory, UserFactory, officer_for, other_agency_officer
from tests.support import sign_in, visible_text

TITLE = "지방비 대응 비율 질문"
BODY = "지방비 40 %는 현물도 포함됩니까?"


@pytest.fixture
def board(app, isolated_dirs):
    call = CallFactory()
    officer = officer_for(call)
    asker = UserFactory()
    db.session.commit()
    return call, officer, asker


def _ask(client, call, **data):
    return client.post(f"/calls/{call.code}/qa", data={"title": TITLE, "body": BODY, **data})


def _rows(table, **where):
    return db.session.scalars(select(table).filter_by(**where)).all()


# --- asking --------------------------------------------------------------------------------

def test_asking_validates_each_field_and_saves_nothing_on_refusal(board, client):
    call, officer, asker = board
    sign_in(client, asker)
    resp = _ask(client, call, title="  ", body="")
    assert resp.status_code == 422
    text = visible_text(resp.get_data(as_text=True))
    assert "질문 제목을 입력하십시오." in text
    resp = _ask(client, call, body="가" * (qa.BODY_MAX + 1))
    assert resp.status_code == 422
    assert f"{qa.BODY_MAX}자 이내로 입력하십시오 (현재 {qa.BODY_MAX + 1}자)." in resp.get_data(as_text=True)
    # What was typed comes back in the form.
    assert TITLE in resp.get_data(as_text=True)
    assert _rows(CallQuestion) == [] and _rows(OutboxMessage) == []


def test_anonymous_reads_the_board_but_must_log_in_to_ask(board, client):
    call, officer, asker = board
    assert client.get(f"/calls/{call.code}/qa").status_code == 200
    resp = _ask(client, call)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert _rows(CallQuestion) == []


def test_a_question_tells_the_officers_and_the_board_hides_the_askers_name(board, client):
    call, officer, asker = board
    sign_in(client, asker)
    resp = _ask(client, call)
    assert resp.status_code == 303
    question = _rows(CallQuestion)[0]
    assert question.state == "open" and not question.is_private
    # The call's officer only: mail and in-app notice; the asker gets nothing for asking.
    assert [m.user_id for m in _rows(OutboxMessage, template="qa_asked")] == [officer.id]
    assert [n.user_id for n in _rows(Notification, kind="qa_asked")] == [officer.id]
    anon = client.application.test_client()
    page = visible_text(anon.get(f"/calls/{call.code}/qa").get_data(as_text=True))
    assert TITLE in page and asker.name not in page and asker.email not in page
    detail = visible_text(anon.get(f"/calls/{call.code}/qa/{question.id}").get_data(as_text=True))
    assert BODY in detail and asker.name not in detail


# --- privacy -------------------------------------------------------------------------------

def test_a_private_question_is_a_404_for_everyone_but_its_asker_and_the_officers(board, app):
    call, officer, asker = board
    q = qa.ask(call, asker, TITLE, BODY, private=True)
    other_applicant, stranger_officer, admin = UserFactory(), other_agency_officer(), UserFactory(roles=["admin"])
    db.session.commit()
    url = f"/calls/{call.code}/qa/{q.id}"
    for user, code in ((None, 404), (other_applicant, 404), (stranger_officer, 404),
                       (asker, 200), (officer, 200), (admin, 200)):
        client = sign_in(app.test_client(), user)
        assert client.get(url).status_code == code, user
        listed = TITLE in client.get(f"/calls/{call.code}/qa").get_data(as_text=True)
        assert listed == (code == 200), user
    # The same 404 page as for a question that does not exist.
    client = sign_in(app.test_client(), other_applicant)
    assert client.get(f"/calls/{call.code}/qa/{q.id + 999}").status_code == 404
    # Nor does it leak through another call's address.
    other_call = CallFactory()
    db.session.commit()
    assert sign_in(app.test_client(), asker).get(f"/calls/{other_call.code}/qa/{q.id}").status_code == 404


# --- answering -----------------------------------------------------------------------------

def test_answering_then_editing_is_audited_with_old_and_new_text(board, client):
    call, officer, asker = board
    q = qa.ask(call, asker, TITLE, BODY, private=False)
    db.session.commit()
    sign_in(client, officer)
    assert client.post(f"/officer/questions/{q.id}", data={"answer": ""}).status_code == 422
    assert q.state == "open"
    assert client.post(f"/officer/questions/{q.id}", data={"answer": "현물은 포함되지 않습니다."}).status_code == 303
    db.session.refresh(q)
    assert q.state == "answered" and q.answered_by_id == officer.id
    assert client.post(f"/officer/questions/{q.id}", data={"answer": "현물은 포함되지 않습니다 (공고 3.2)."}).status_code == 303
    db.session.refresh(q)
    assert q.answer == "현물은 포함되지 않습니다 (공고 3.2)." and q.answer_edited_at is not None
    edit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "question.answer_edited"))
    assert edit.data["changes"] == {"answer": ["현물은 포함되지 않습니다.", "현물은 포함되지 않습니다 (공고 3.2)."]}
    assert edit.call_id == call.id
    # The edit told nobody again: one answer mail to the asker.
    assert [m.user_id for m in _rows(OutboxMessage, template="qa_answered")] == [asker.id]
    page = client.get(f"/calls/{call.code}/qa/{q.id}").get_data(as_text=True)
    assert "공고 3.2" in page and "수정됨" in page


def test_only_the_calls_officers_answer(board, app):
    call, officer, asker = board
    q = qa.ask(call, asker, TITLE, BODY, private=False)
    stranger = other_agency_officer()
    db.session.commit()
    for user in (asker, stranger):
        resp = sign_in(app.test_client(), user).post(f"/officer/questions/{q.id}", data={"answer": "답"})
        assert resp.status_code == 404
    db.session.refresh(q)
    assert q.state == "open"


# --- following and who is told ---------------------------------------------------------------

def test_an_answer_tells_the_asker_and_the_followers_once_each(board, client):
    call, officer, asker = board
    follower, bystander, other_call_follower = UserFactory(), UserFactory(), UserFactory()
    other_call = CallFactory()
    db.session.commit()
    sign_in(client, follower)
    assert client.post(f"/calls/{call.code}/follow").status_code == 303
    assert qa.is_following(follower, call)
    qa.toggle_follow(other_call_follower, other_call)
    qa.toggle_follow(asker, call)  # the asker follows too: still one mail
    q = qa.ask(call, asker, TITLE, BODY, private=False)
    db.session.commit()
    assert qa.answer(q, officer, "포함되지 않습니다.") is True
    db.session.commit()
    told = sorted(m.user_id for m in _rows(OutboxMessage, template="qa_answered"))
    assert told == sorted([asker.id, follower.id])
    assert sorted(n.user_id for n in _rows(Notification, kind="qa_answered")) == sorted([asker.id, follower.id])
    assert bystander.id not in told and other_call_follower.id not in told
    mine = db.session.scalar(select(Notification).where(Notification.user_id == asker.id,
                                                         Notification.kind == "qa_answered"))
    assert "남기신 질문" in mine.text and mine.url == f"/calls/{call.code}/qa/{q.id}"


def test_a_private_answer_goes_to_the_asker_only(board):
    call, officer, asker = board
    follower = UserFactory()
    qa.toggle_follow(follower, call)
    q = qa.ask(call, asker, TITLE, BODY, private=True)
    qa.answer(q, officer, "개별 안내드립니다.")
    db.session.commit()
    assert [m.user_id for m in _rows(OutboxMessage, template="qa_answered")] == [asker.id]


def test_following_toggles_and_is_audited(board, client):
    call, officer, asker = board
    sign_in(client, asker)
    page = client.get(f"/calls/{call.code}").get_data(as_text=True)
    assert "이 공모 팔로우" in page
    client.post(f"/calls/{call.code}/follow")
    assert "팔로우 중" in client.get(f"/calls/{call.code}").get_data(as_text=True)
    client.post(f"/calls/{call.code}/follow")
    assert _rows(CallFollow) == []
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.call_id == call.id)).all()
    assert actions == ["call.followed", "call.unfollowed"]


# --- the FAQ -----------------------------------------------------------------------------------

def _answered(call, officer, asker, title, private=False):
    q = qa.ask(call, asker, title, f"{title} 내용", private=private)
    qa.answer(q, officer, f"{title} 답변")
    return q


def test_promotion_order_and_removal_show_on_the_call_page(board, client):
    call, officer, asker = board
    first, second = (_answered(call, officer, asker, t) for t in ("첫째 질문", "둘째 질문"))
    waiting = qa.ask(call, asker, "미답변 질문", "내용", private=False)
    db.session.commit()
    sign_in(client, officer)
    resp = client.post(f"/officer/questions/{waiting.id}/faq", data={"faq_question": "q", "faq_answer": "a"})
    assert resp.status_code == 422 and "답변한 질문만" in resp.get_data(as_text=True)
    for q in (first, second):
        resp = client.post(f"/officer/questions/{q.id}/faq",
                           data={"faq_question": q.title + "?", "faq_answer": q.answer})
        assert resp.status_code == 303
    again = client.post(f"/officer/questions/{first.id}/faq", data={"faq_question": "x", "faq_answer": "y"})
    assert again.status_code == 422
    assert [e.question for e in faq.entries(call)] == ["첫째 질문?", "둘째 질문?"]
    anon = client.application.test_client()
    page = anon.get(f"/calls/{call.code}").get_data(as_text=True)
    assert page.index("첫째 질문?") < page.index("둘째 질문?")
    second_entry = faq.promoted(second)
    assert client.post(f"/officer/calls/{call.id}/faq/move",
                       data={"entry_id": second_entry.id, "direction": "up"}).status_code == 303
    assert [e.question for e in faq.entries(call)] == ["둘째 질문?", "첫째 질문?"]
    page = anon.get(f"/calls/{call.code}").get_data(as_text=True)
    assert page.index("둘째 질문?") < page.index("첫째 질문?")
    # Already first: refused with a message, nothing moved.
    assert client.post(f"/officer/calls/{call.id}/faq/move",
                       data={"entry_id": second_entry.id, "direction": "up"}).status_code == 422
    assert client.post(f"/officer/calls/{call.id}/faq/remove", data={"entry_id": second_entry.id}).status_code == 303
    assert [e.question for e in faq.entries(call)] == ["첫째 질문?"]
    assert faq.entries(call)[0].position == 1
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.call_id == call.id)))
    assert {"faq.promoted", "faq.reordered", "faq.removed"} <= actions


def test_a_private_question_reaches_the_faq_only_reworded(board, client):
    call, officer, asker = board
    q = _answered(call, officer, asker, "우리 기관 사정 질문", private=True)
    db.session.commit()
    sign_in(client, officer)
    for text in (q.title, q.body, "  " + q.body + " "):
        resp = client.post(f"/officer/questions/{q.id}/faq", data={"faq_question": text, "faq_answer": q.answer})
        assert resp.status_code == 422
        assert "고쳐 써야" in resp.get_data(as_text=True)
    assert _rows(FaqEntry) == []
    resp = client.post(f"/officer/questions/{q.id}/faq",
                       data={"faq_question": "참여기관의 사정이 바뀌면 어떻게 합니까?", "faq_answer": q.answer})
    assert resp.status_code == 303
    page = client.application.test_client().get(f"/calls/{call.code}").get_data(as_text=True)
    assert "참여기관의 사정이 바뀌면" in page and "우리 기관 사정 질문 내용" not in page


def test_faq_buttons_refuse_another_calls_entry(board, client):
    call, officer, asker = board
    other = CallFactory(programme=call.programme)
    q = _answered(other, officer, asker, "다른 공모 질문")
    entry = faq.promote(q, officer, "다른 공모 질문?", "답")
    db.session.commit()
    sign_in(client, officer)
    resp = client.post(f"/officer/calls/{call.id}/faq/remove", data={"entry_id": entry.id})
    assert resp.status_code == 422
    assert _rows(FaqEntry) != []


def test_service_refuses_blank_answer_by_field(board):
    call, officer, asker = board
    q = qa.ask(call, asker, TITLE, BODY, private=False)
    with pytest.raises(QaError) as info:
        qa.answer(q, officer, "   ")
    assert info.value.field == "answer"


# --- the officer's home ------------------------------------------------------------------------

def test_the_officers_home_lists_unanswered_questions(board, client):
    call, officer, asker = board
    qa.ask(call, asker, TITLE, BODY, private=False)
    q2 = qa.ask(call, asker, "두 번째", "내용", private=True)
    db.session.commit()
    sign_in(client, officer)
    with client.application.test_request_context():
        texts = [t.text for t in worklist.for_user(officer)["officer"]]
        assert f"답변할 질문 2건 · {call.title}" in texts
        qa.answer(q2, officer, "답변")
        db.session.commit()
        texts = [t.text for t in worklist.for_user(officer)["officer"]]
        assert f"답변할 질문 1건 · {call.title}" in texts
    assert "답변할 질문" in client.get("/").get_data(as_text=True)
