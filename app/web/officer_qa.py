"""Officer console: a call's Q&A board (answering, editing answers) and its FAQ (promotion, order)."""
from __future__ import annotations

from flask import flash, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.calls import faq, qa
from app.web import flow, loaders
from app.web.call_qa import asker_label
from app.web.officer import bp
from forms.qa import AnswerForm, FaqMoveForm, FaqRemoveForm, PromoteForm


def _list(call, status: int = 200):
    return render_template("officer/qa.html", call=call, questions=qa.for_officers(call), entries=faq.entries(call),
                           asker_label=asker_label), status


@bp.route("/calls/<int:call_id>/qa")
@login_required
def qa_list(call_id: int):
    return _list(loaders.call_for_officer(call_id))


def _question_page(question, form: AnswerForm | None = None, promote_form: PromoteForm | None = None,
                   status: int = 200):
    if form is None:
        form = AnswerForm(formdata=None, data={"answer": question.answer})
    if promote_form is None:
        # A private question's words were written for the officers: the officer writes the FAQ's own.
        promote_form = PromoteForm(formdata=None, data={
            "faq_question": "" if question.is_private else question.title, "faq_answer": question.answer})
    return render_template("officer/qa_question.html", call=question.call, question=question, form=form,
                           promote_form=promote_form, entry=faq.promoted(question), asker=question.asker,
                           asker_label=asker_label), status


@bp.route("/questions/<int:question_id>", methods=["GET", "POST"])
@login_required
def qa_answer(question_id: int):
    question = loaders.question_for_officer(question_id)
    form = AnswerForm()
    first = question.state != "answered"
    return flow.post(form, lambda: qa.answer(question, current_user, form.answer.data),
                     page=lambda: _question_page(question, form, status=422 if form.is_submitted() else 200),
                     done=_("답변을 등록했습니다. 질문자와 팔로우하는 분께 알립니다.") if first and not question.is_private
                     else _("답변을 등록했습니다. 질문자에게 알립니다.") if first else _("답변을 수정했습니다."),
                     to=url_for("officer.qa_answer", question_id=question.id))


@bp.route("/questions/<int:question_id>/faq", methods=["POST"])
@login_required
def qa_promote(question_id: int):
    question = loaders.question_for_officer(question_id)
    form = PromoteForm()
    return flow.post(form, lambda: faq.promote(question, current_user, form.faq_question.data, form.faq_answer.data),
                     page=lambda: _question_page(question, promote_form=form, status=422),
                     done=_("FAQ에 올렸습니다. 공모 안내 페이지에 표시됩니다."),
                     to=url_for("officer.qa_list", call_id=question.call_id))


@bp.route("/calls/<int:call_id>/faq/move", methods=["POST"])
@login_required
def faq_move(call_id: int):
    call = loaders.call_for_officer(call_id)
    form = FaqMoveForm()
    return flow.post(form, lambda: faq.move(call, faq.entry_of(call, form.entry_id.data), current_user,
                                            form.direction.data),
                     page=lambda: _refused(call, form), done=_("FAQ 순서를 바꿨습니다."),
                     to=url_for("officer.qa_list", call_id=call.id))


@bp.route("/calls/<int:call_id>/faq/remove", methods=["POST"])
@login_required
def faq_remove(call_id: int):
    call = loaders.call_for_officer(call_id)
    form = FaqRemoveForm()
    return flow.post(form, lambda: faq.remove(call, faq.entry_of(call, form.entry_id.data), current_user),
                     page=lambda: _refused(call, form), done=_("FAQ에서 내렸습니다. 질문과 답변은 게시판에 남습니다."),
                     to=url_for("officer.qa_list", call_id=call.id))


def _refused(call, form):
    # The buttons carry hidden fields only: their refusal is said above the list.
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")
    return _list(call, 422)
