"""Forms of a call's Q&A board and FAQ.

The fields are loose (text, unchecked choices): app/calls/qa.py and app/calls/faq.py check every
rule and name the field, so a refusal shows beside it and saves nothing.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField

from app.calls.qa import ANSWER_MAX, BODY_MAX, TITLE_MAX


class QuestionForm(FlaskForm):
    title = StringField(_l("제목"), render_kw={"maxlength": TITLE_MAX})
    body = TextAreaField(_l("질문 내용"), render_kw={"maxlength": BODY_MAX, "rows": 6})
    private = BooleanField(_l("담당자에게만 공개 (비공개 질문)"))


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("답변"), render_kw={"maxlength": ANSWER_MAX, "rows": 8})


class PromoteForm(FlaskForm):
    faq_question = TextAreaField(_l("FAQ 질문"), render_kw={"maxlength": BODY_MAX, "rows": 3})
    faq_answer = TextAreaField(_l("FAQ 답변"), render_kw={"maxlength": ANSWER_MAX, "rows": 6})


class FaqMoveForm(FlaskForm):
    entry_id = HiddenField()
    direction = HiddenField()


class FaqRemoveForm(FlaskForm):
    entry_id = HiddenField()
