"""A call's public Q&A board: questions and answers, asking, and following the call.

The board is public like the call's page (anonymous visitors read the public questions and
answers); asking and following need an account. A private question is a 404 for everyone but its
asker and the call's officers, whether it exists or not.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.calls import faq, qa
from app.extensions import db
from app.web import flow, loaders
from app.web.calls import bp
from forms.auth import ORG_TYPE_LABELS
from forms.qa import QuestionForm


@bp.record_once
def _template_helpers(state) -> None:
    env = state.app.jinja_env
    env.globals["call_faq"] = faq.entries
    env.globals["call_following"] = lambda call: qa.is_following(current_user, call)
    env.globals["asker_label"] = asker_label


def asker_label(question) -> str:
    """Who asked, as the public reads it: the organisation's type, never a name."""
    org = question.asker.organisation if question.asker is not None else None
    label = ORG_TYPE_LABELS.get(org.type) if org is not None else None
    return str(label) if label else _("신청 희망 기관")


def _board(call, form: QuestionForm | None = None, status: int = 200):
    return render_template("calls/qa.html", call=call, questions=qa.board(call, current_user),
                           form=form or QuestionForm(formdata=None), following=qa.is_following(current_user, call),
                           is_officer=access.is_officer_for_call(current_user, call)), status


@bp.route("/calls/<code>/qa")
def qa_board(code: str):
    return _board(loaders.public_call(code))


@bp.route("/calls/<code>/qa", methods=["POST"])
@login_required
def qa_ask(code: str):
    call = loaders.public_call(code)
    form = QuestionForm()
    return flow.post(form, lambda: qa.ask(call, current_user, form.title.data, form.body.data, form.private.data),
                     page=lambda: _board(call, form, 422),
                     done=lambda q: (_("비공개 질문을 등록했습니다. 담당자가 답변하면 알려 드립니다.") if q.is_private
                                     else _("질문을 등록했습니다. 담당자가 답변하면 알려 드립니다.")),
                     to=lambda q: url_for("calls.qa_question", code=call.code, question_id=q.id))


@bp.route("/calls/<code>/qa/<int:question_id>")
def qa_question(code: str, question_id: int):
    call = loaders.public_call(code)
    question = loaders.question(call, question_id)
    return render_template("calls/qa_question.html", call=call, question=question,
                           is_officer=access.is_officer_for_call(current_user, call))


@bp.route("/calls/<code>/follow", methods=["POST"])
@login_required
def follow(code: str):
    call = loaders.public_call(code)
    if qa.toggle_follow(current_user, call):
        flash(_("이 공모를 팔로우합니다. 새 답변이 등록되면 알려 드립니다."), "success")
    else:
        flash(_("이 공모의 팔로우를 해제했습니다."), "success")
    db.session.commit()
    return redirect(url_for("calls.qa_board", code=call.code), 303)
