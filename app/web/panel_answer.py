"""The page an invited candidate opens from the mail: accept, or decline with a reason.

No login: the link's token is the key (only its hash is stored), so a person without a usable
account yet answers as easily as a signed-in reviewer. The page shows no more than the call's
title, the stage, its dates and the honorarium basis; an unknown token is a 404 like any object
one may not see.
"""
from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _

from app.core import clock
from app.models.panels import InvitationStatus
from app.review import recruitment
from app.web import flow, loaders
from app.web.review import bp
from forms.panels import AcceptForm, DeclineForm


def _page(invitation, accept_form=None, decline_form=None, status: int = 200):
    return render_template(
        "review/invitation.html", invitation=invitation, facts=recruitment.stage_facts(invitation.stage),
        expired=invitation.open and clock.now() >= invitation.respond_by, statuses=InvitationStatus,
        accept_form=accept_form or AcceptForm(), decline_form=decline_form or DeclineForm()), status


@bp.route("/invitations/<token>")
def invitation(token: str):
    return _page(loaders.panel_invitation(token))


@bp.route("/invitations/<token>/accept", methods=["POST"])
def invitation_accept(token: str):
    invitation = loaders.panel_invitation(token)
    form = AcceptForm()

    def done(answered) -> str:
        if answered.status == InvitationStatus.ACCEPTED:
            return _("평가위원 위촉을 수락했습니다. 위촉 안내 메일을 확인하십시오.")
        return _("평가위원 구성이 이미 완료되어 수락할 수 없었습니다. 응해 주셔서 감사합니다.")

    return flow.post(form, lambda: recruitment.accept(invitation), page=lambda: _page(invitation, form, status=409),
                     done=done, to=url_for("review.invitation", token=token))


@bp.route("/invitations/<token>/decline", methods=["POST"])
def invitation_decline(token: str):
    invitation = loaders.panel_invitation(token)
    form = DeclineForm()
    return flow.post(form, lambda: recruitment.decline(invitation, form.reason.data),
                     page=lambda: _page(invitation, decline_form=form, status=422), field=form.reason,
                     done=_("사양 의사를 전달했습니다. 알려 주셔서 감사합니다."), to=url_for("review.invitation", token=token))
