"""A call's FAQ (자주 묻는 질문): answered questions the officers curate, in their order.

An entry is promoted from an answered question and keeps its own question and answer text, so
the officer can tidy both for the public and later edits of the board's answer do not change
the FAQ behind the readers' backs. A private question may reach the FAQ only reworded: the
entry's question must not repeat the asker's title or text, which were written for the officers
alone. The FAQ is shown on the call's public page.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from app import audit
from app.calls.qa import ANSWER_MAX, BODY_MAX, QaError, clean_text
from app.core import clock
from app.extensions import db
from app.models import Call, User
from app.models.qa import CallQuestion, FaqEntry, QuestionState

DIRECTIONS = ("up", "down")


def entries(call: Call) -> list[FaqEntry]:
    return list(db.session.scalars(
        select(FaqEntry).where(FaqEntry.call_id == call.id).order_by(FaqEntry.position, FaqEntry.id)))


def entry_of(call: Call, entry_id) -> FaqEntry:
    """The call's entry named by a form's hidden field; a refusal by the field when there is none."""
    try:
        entry = db.session.get(FaqEntry, int(entry_id))
    except (TypeError, ValueError):
        entry = None
    if entry is None or entry.call_id != call.id:
        raise QaError(_("FAQ 항목을 찾을 수 없습니다."), "entry_id")
    return entry


def promoted(question: CallQuestion) -> FaqEntry | None:
    return db.session.scalar(select(FaqEntry).where(FaqEntry.question_id == question.id))


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def promote(question: CallQuestion, officer: User, text: str | None, answer: str | None) -> FaqEntry:
    if question.state != QuestionState.ANSWERED:
        raise QaError(_("답변한 질문만 FAQ에 올릴 수 있습니다."), "faq_question")
    if promoted(question) is not None:
        raise QaError(_("이 질문은 이미 FAQ에 있습니다."), "faq_question")
    text = clean_text(text, "faq_question", BODY_MAX, _("FAQ에 보일 질문을 입력하십시오."))
    answer = clean_text(answer, "faq_answer", ANSWER_MAX, _("FAQ에 보일 답변을 입력하십시오."))
    if question.is_private and (_same(text, question.title) or _same(text, question.body)):
        raise QaError(_("비공개 질문은 질문 문장을 고쳐 써야 FAQ에 올릴 수 있습니다. 질문자의 문장은 "
                        "담당자에게만 보이도록 작성되었습니다."), "faq_question")
    last = db.session.scalar(select(func.max(FaqEntry.position)).where(FaqEntry.call_id == question.call_id))
    entry = FaqEntry(call_id=question.call_id, question_id=question.id, question=text, answer=answer,
                     position=(last or 0) + 1, created_by_id=officer.id, created_at=clock.now())
    db.session.add(entry)
    db.session.flush()
    audit.record(officer, "faq.promoted", entry, call=question.call_id, question_id=question.id,
                 reworded=not _same(text, question.title), position=entry.position)
    return entry


def move(call: Call, entry: FaqEntry, officer: User, direction: str | None) -> None:
    """Swap the entry with its neighbour above or below."""
    if direction not in DIRECTIONS:
        raise QaError(_("옮길 방향을 고르십시오."), "direction")
    rows = entries(call)
    i = next(n for n, e in enumerate(rows) if e.id == entry.id)
    j = i - 1 if direction == "up" else i + 1
    if not 0 <= j < len(rows):
        raise QaError(_("더 옮길 수 없습니다."), "direction")
    rows[i], rows[j] = rows[j], rows[i]
    before = [e.id for e in sorted(rows, key=lambda e: (e.position, e.id))]
    for position, row in enumerate(rows, 1):
        row.position = position
    audit.record(officer, "faq.reordered", entry, call=call.id,
                 changes=audit.changes({"order": before}, {"order": [e.id for e in rows]}))


def remove(call: Call, entry: FaqEntry, officer: User) -> None:
    audit.record(officer, "faq.removed", entry, call=call.id, question=entry.question, answer=entry.answer)
    db.session.delete(entry)
    db.session.flush()
    for position, row in enumerate(entries(call), 1):
        row.position = position
