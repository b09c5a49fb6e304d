"""Forming a consortium: the lead organisation and members by business registration number."""
from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.web.proposals import bp
from app.models import Consortium
from app import access
from app.web import flow, loaders
from app.proposals import consortia as consortia_service
from app.proposals.consortia import ROLE_LABELS, STATUS_LABELS
from forms.consortium import AddMemberForm, AnswerInvitationForm, ConsortiumForm, RemoveMemberForm


@bp.route("/my/consortia", methods=["GET", "POST"])
@login_required
def consortia():
    access.require_role("applicant")
    form = ConsortiumForm()

    def page(status: int):
        return render_template(
            "proposals/consortia.html", form=form, items=consortia_service.consortia_of(current_user),
            invitations=consortia_service.invitations_for(current_user), role_labels=ROLE_LABELS,
        ), status

    if request.method == "GET":
        return page(200)
    return flow.post(form, lambda: consortia_service.create(current_user, form.name.data), page=lambda: page(422),
                     done=_("컨소시엄을 만들었습니다. 참여기관을 추가하십시오."),
                     to=lambda consortium: url_for("proposals.consortium", consortium_id=consortium.id))


@bp.route("/my/consortia/invitations")
@login_required
def invitations():
    access.require_role("applicant")
    return render_template(
        "proposals/invitations.html", items=consortia_service.invitations_for(current_user),
        form=AnswerInvitationForm(formdata=None), role_labels=ROLE_LABELS, status_labels=STATUS_LABELS,
    )


@bp.route("/my/consortia/invitations/<int:member_id>", methods=["POST"])
@login_required
def invitation_answer(member_id: int):
    # Another organisation's invitation is nobody else's business, not even its existence.
    member = loaders.invitation(member_id)
    form = AnswerInvitationForm()
    if not form.validate_on_submit():
        abort(400)
    accept = form.decision.data == "accept"
    name = member.consortium.name
    if accept:
        return flow.act(lambda: consortia_service.answer(member, current_user, True),
                        done=_("컨소시엄 '%(name)s'에 참여기관으로 참여합니다.", name=name),
                        to=url_for("proposals.consortium", consortium_id=member.consortium_id),
                        back=url_for("proposals.invitations"))
    return flow.act(lambda: consortia_service.answer(member, current_user, False),
                    done=_("컨소시엄 '%(name)s' 참여 요청을 거절했습니다.", name=name),
                    to=url_for("proposals.invitations"))


@bp.route("/my/consortia/<int:consortium_id>", methods=["GET", "POST"])
@login_required
def consortium(consortium_id: int):
    # Outsiders learn nothing, not even that the consortium exists.
    consortium = loaders.consortium(consortium_id)
    can_manage = access.can_manage_consortium(current_user, consortium)
    if request.method == "GET":
        return _consortium_page(consortium, can_manage, AddMemberForm(formdata=None), 200)
    access.require(can_manage)
    if request.form.get("action") == "remove":
        return _remove(consortium)
    form = AddMemberForm()
    return flow.post(
        form, lambda: consortia_service.add_member(consortium, current_user, form.brn.data, form.role.data),
        page=lambda: _consortium_page(consortium, can_manage, form, 422), field=None,
        done=lambda member: _("%(name)s 을(를) 참여기관으로 추가했습니다. 그 기관이 참여를 확인해야 컨소시엄에 포함됩니다.",
                              name=member.organisation.name),
        to=url_for("proposals.consortium", consortium_id=consortium.id))


def _consortium_page(consortium: Consortium, can_manage: bool, add_form: AddMemberForm, status: int):
    return render_template(
        "proposals/consortium.html", consortium=consortium, can_manage=can_manage, add_form=add_form,
        remove_form=RemoveMemberForm(formdata=None), role_labels=ROLE_LABELS, status_labels=STATUS_LABELS,
    ), status


def _remove(consortium: Consortium):
    form = RemoveMemberForm()
    try:
        member_id = int(form.member_id.data or "")
    except ValueError:
        abort(400)
    if not form.validate_on_submit():
        abort(400)
    return flow.act(lambda: consortia_service.remove_member(consortium, current_user, member_id),
                    done=_("참여기관을 컨소시엄에서 뺐습니다."),
                    to=url_for("proposals.consortium", consortium_id=consortium.id))
