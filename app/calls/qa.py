"""A call's Q&A board (질의응답): questions, the officers' answers, and who hears of them.

Anyone signed in asks; a question is public (listed for everyone, anonymous visitors too, like
the call's page) or private to the call's officers (then only the asker and those officers ever
see it). The board never names the asker: a public reader sees only the asker's organisation
type, so a consortium's plans are not exposed by its questions.

The call's officers answer, and may edit an answer (audited with the old and new text). The
first answer tells the asker and, for a public question, everyone following the call (one mail
and one in-app notice per answer per person: the outbox key is the question and the person); an
edit tells nobody again. A new question tells the call's officers.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from app import access, audit
from app.core import clock
from app.core.errors import CallsError
from app.core.links import portal_url
from app.extensions import db
from app.models import Call, User
from app.models.qa import CallFollow, CallQuestion, QuestionState, QuestionVisibility
from app.notifications import outbox
from app.notifications.contacts import call_officers

TITLE_MAX = 200
BODY_MAX = 4000
ANSWER_MAX = 8000


class QaError(CallsError):
    """A question or an answer that cannot be taken as written."""


def clean_text(value: str | None, field: str, limit: int, empty: str) -> str:
    text = (value or "").strip()
    if not text:
        raise QaError(empty, field)
    if len(text) > limit:
        raise QaError(_("%(limit)s자 이내로 입력하십시오 (현재 %(n)s자).", limit=limit, n=len(text)), field)
    return text


# --- reading --------------------------------------------------------------------------------

def board(call: Call, user) -> list[CallQuestion]:
    """The questions ``user`` may read, newest first: the public ones, their own private ones,
    and every one for the call's officers."""
    query = select(CallQuestion).where(CallQuestion.call_id == call.id)
    if not access.is_officer_for_call(user, call):
        seen = CallQuestion.visibility == QuestionVisibility.PUBLIC
        if getattr(user, "is_authenticated", False):
            seen = seen | (CallQuestion.asker_id == user.id)
        query = query.where(seen)
    return list(db.session.scalars(query.order_by(CallQuestion.created_at.desc(), CallQuestion.id.desc())))


def for_officers(call: Call) -> list[CallQuestion]:
    """Every question of the call, those waiting for an answer first, the oldest of them first."""
    waiting = CallQuestion.state == QuestionState.OPEN
    return list(db.session.scalars(
        select(CallQuestion).where(CallQuestion.call_id == call.id)
        .order_by(waiting.desc(), CallQuestion.created_at, CallQuestion.id)))


def open_counts(call_ids) -> dict[int, tuple[int, object]]:
    """Per call: how many questions wait for an answer and when the oldest was asked (one query)."""
    ids = list(call_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(CallQuestion.call_id, func.count(CallQuestion.id), func.min(CallQuestion.created_at))
        .where(CallQuestion.call_id.in_(ids), CallQuestion.state == QuestionState.OPEN)
        .group_by(CallQuestion.call_id))
    return {cid: (n, first) for cid, n, first in rows}


# --- asking and answering -------------------------------------------------------------------

def ask(call: Call, user: User, title: str | None, body: str | None, private: bool) -> CallQuestion:
    title = clean_text(title, "title", TITLE_MAX, _("질문 제목을 입력하십시오."))
    body = clean_text(body, "body", BODY_MAX, _("질문 내용을 입력하십시오."))
    question = CallQuestion(call_id=call.id, asker_id=user.id, title=title, body=body,
                            visibility=QuestionVisibility.PRIVATE if private else QuestionVisibility.PUBLIC,
                            state=QuestionState.OPEN, created_at=clock.now())
    db.session.add(question)
    db.session.flush()
    audit.record(user, "question.asked", question, call=call, visibility=question.visibility, title=title)
    for officer in call_officers(call):
        if officer.id == user.id:
            continue
        outbox.queue(f"qa-asked:{question.id}:{officer.id}", "qa_asked", officer, {
            "name": officer.name, "call_title": call.title, "title": title, "body": body,
            "private": question.is_private, "url": portal_url("officer.qa_answer", question_id=question.id),
        }, in_app=outbox.notice("'%(call)s'에 새 질문이 등록되었습니다: %(title)s", call=call.title, title=title),
            url=portal_url("officer.qa_answer", question_id=question.id, external=False))
    return question


def answer(question: CallQuestion, officer: User, text: str | None) -> bool:
    """Give or edit the answer; True when it was the first answer (and people were told)."""
    text = clean_text(text, "answer", ANSWER_MAX, _("답변 내용을 입력하십시오."))
    if question.state == QuestionState.ANSWERED:
        if text == question.answer:
            return False
        before = {"answer": question.answer}
        question.answer = text
        question.answer_edited_at = clock.now()
        audit.record(officer, "question.answer_edited", question, call=question.call_id,
                     changes=audit.changes(before, {"answer": text}))
        return False
    question.answer = text
    question.state = QuestionState.ANSWERED
    question.answered_by_id = officer.id
    question.answered_at = clock.now()
    audit.record(officer, "question.answered", question, call=question.call_id,
                 changes=audit.changes({"answer": "", "state": QuestionState.OPEN},
                                       {"answer": text, "state": QuestionState.ANSWERED}))
    _tell_answer(question, officer)
    return True


def answer_recipients(question: CallQuestion) -> list[User]:
    """The asker, and for a public question everyone following the call (each once, active)."""
    users = {question.asker_id: question.asker} if question.asker.active else {}
    if not question.is_private:
        for user in db.session.scalars(
                select(User).join(CallFollow, CallFollow.user_id == User.id)
                .where(CallFollow.call_id == question.call_id, User.active.is_(True)).order_by(User.id)):
            users.setdefault(user.id, user)
    return [users[k] for k in sorted(users)]


def _tell_answer(question: CallQuestion, officer: User) -> None:
    call = question.call
    link = portal_url("calls.qa_question", code=call.code, question_id=question.id)
    for user in answer_recipients(question):
        if user.id == officer.id:
            continue
        mine = user.id == question.asker_id
        outbox.queue(f"qa-answered:{question.id}:{user.id}", "qa_answered", user, {
            "name": user.name, "call_title": call.title, "title": question.title, "answer": question.answer,
            "asker": mine, "url": link,
        }, in_app=(outbox.notice("'%(call)s'에 남기신 질문에 답변이 등록되었습니다: %(title)s",
                                 call=call.title, title=question.title) if mine
                   else outbox.notice("팔로우하는 공모 '%(call)s'에 새 답변이 등록되었습니다: %(title)s",
                                      call=call.title, title=question.title)),
            url=portal_url("calls.qa_question", code=call.code, question_id=question.id, external=False))


# --- following ------------------------------------------------------------------------------

def is_following(user, call: Call) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(CallFollow.id).where(
        CallFollow.user_id == user.id, CallFollow.call_id == call.id)) is not None


def toggle_follow(user: User, call: Call) -> bool:
    """Follow the call, or stop following it; True when the user follows it now."""
    row = db.session.scalar(select(CallFollow).where(CallFollow.user_id == user.id, CallFollow.call_id == call.id))
    if row is not None:
        db.session.delete(row)
        audit.record(user, "call.unfollowed", call, user_id=user.id)
        return False
    db.session.add(CallFollow(user_id=user.id, call_id=call.id, created_at=clock.now()))
    audit.record(user, "call.followed", call, user_id=user.id)
    return True
