"""Conversations between a firm and a supplier: contact from a listing, the inbox, a thread."""
from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.market import messaging
from app.web import flow, loaders
from app.web.market import bp
from forms.market_messages import ContactForm, ReplyForm


def _contact(listing, kind: str):
    access.require(access.can_contact(current_user, listing))
    form = ContactForm()
    if request.method == "GET" and not form.subject.data:
        form.subject.data = _("[문의] %(title)s", title=listing.title)

    def page(status: int):
        return render_template("market/contact.html", form=form, listing=listing, kind=kind), status

    if request.method == "GET":
        return page(200)
    return flow.post(form, lambda: messaging.start(current_user, listing, form.subject.data, form.body.data),
                     page=lambda: page(422), done=_("메시지를 보냈습니다. 상대 기관에 알림이 전달됩니다."),
                     to=lambda thread: url_for("market.thread", thread_id=thread.id))


@bp.route("/needs/<int:need_id>/contact", methods=["GET", "POST"])
@login_required
def contact_need(need_id: int):
    return _contact(loaders.need(need_id), "need")


@bp.route("/capabilities/<int:capability_id>/contact", methods=["GET", "POST"])
@login_required
def contact_capability(capability_id: int):
    return _contact(loaders.capability(capability_id), "capability")


@bp.route("/messages")
@login_required
def messages():
    access.require_role("applicant")
    return render_template("market/messages.html", threads=messaging.threads_of(current_user))


@bp.route("/messages/<int:thread_id>", methods=["GET", "POST"])
@login_required
def thread(thread_id: int):
    # Outsiders learn nothing, not even that the two organisations talk.
    thread = loaders.message_thread(thread_id)
    form = ReplyForm() if request.method == "POST" else ReplyForm(formdata=None)

    def page(status: int):
        return render_template("market/thread.html", thread=thread, form=form), status

    if request.method == "GET":
        return page(200)
    return flow.post(form, lambda: messaging.reply(thread, current_user, form.body.data), page=lambda: page(422),
                     done=_("답장을 보냈습니다."), to=url_for("market.thread", thread_id=thread.id))
