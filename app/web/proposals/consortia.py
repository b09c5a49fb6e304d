"""Forming a consortium: the lead organisation and members by business registration number."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.web.proposals import bp
from app.extensions import db
from app.models import Consortium
from app import access
from app.web import loaders
from app.proposals import consortia as consortia_service
from app.proposals.consortia import ROLE_LABELS, STATUS_LABELS, ConsortiumError
from forms.consortium import AddMemberForm, AnswerInvitationForm, ConsortiumForm, RemoveMemberForm


@bp.route("/my/consortia", methods=["GET", "POST"])
@login_required
def consortia():
    access.require_role("applicant")
    form = ConsortiumForm()
    if form.validate_on_submit():
        try:
            consortium = consortia_service.create(current_user, form.name.data)
        except ConsortiumError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("컨소시엄을 만들었습니다. 참여기관을 추가하십시오."), "success")
            return redirect(url_for("proposals.consortium", consortium_id=consortium.id))
    return render_template(
        "proposals/consortia.html", form=form, items=consortia_service.consortia_of(current_user),
        invitations=consortia_service.invitations_for(current_user), role_labels=ROLE_LABELS,
    ), 422 if form.errors else 200


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
    try:
        consortia_service.answer(member, current_user, accept)
    except ConsortiumError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("proposals.invitations"), 303)
    db.session.commit()
    if accept:
        flash(_("컨소시엄 '%(name)s'에 참여기관으로 참여합니다.", name=member.consortium.name), "success")
        return redirect(url_for("proposals.consortium", consortium_id=member.consortium_id), 303)
    flash(_("컨소시엄 '%(name)s' 참여 요청을 거절했습니다.", name=member.consortium.name), "success")
    return redirect(url_for("proposals.invitations"), 303)


@bp.route("/my/consortia/<int:consortium_id>", methods=["GET", "POST"])
@login_required
def consortium(consortium_id: int):
    # Outsiders learn nothing, not even that the consortium exists.
    consortium = loaders.consortium(consortium_id)
    can_manage = access.can_manage_consortium(current_user, consortium)
    add_form = AddMemberForm(formdata=None)
    refused = False
    if request.method == "POST":
        access.require(can_manage)
        if request.form.get("action") == "remove":
            return _remove(consortium)
        add_form = AddMemberForm()
        if add_form.validate_on_submit():
            try:
                member = consortia_service.add_member(consortium, current_user, add_form.brn.data, add_form.role.data)
            except ConsortiumError as exc:
                db.session.rollback()
                refused = True
                target = getattr(add_form, exc.field, None) if exc.field else None
                if target is not None:
                    target.errors = [*target.errors, exc.message]
                else:
                    flash(exc.message, "error")
            else:
                db.session.commit()
                flash(_("%(name)s 을(를) 참여기관으로 추가했습니다. 그 기관이 참여를 확인해야 컨소시엄에 포함됩니다.",
                        name=member.organisation.name), "success")
                return redirect(url_for("proposals.consortium", consortium_id=consortium.id))
    return render_template(
        "proposals/consortium.html", consortium=consortium, can_manage=can_manage, add_form=add_form,
        remove_form=RemoveMemberForm(formdata=None), role_labels=ROLE_LABELS, status_labels=STATUS_LABELS,
    ), 422 if refused or any(f.errors for f in add_form) else 200


def _remove(consortium: Consortium):
    form = RemoveMemberForm()
    try:
        member_id = int(form.member_id.data or "")
    except ValueError:
        abort(400)
    if not form.validate_on_submit():
        abort(400)
    try:
        consortia_service.remove_member(consortium, current_user, member_id)
    except ConsortiumError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("참여기관을 컨소시엄에서 뺐습니다."), "success")
    return redirect(url_for("proposals.consortium", consortium_id=consortium.id))
