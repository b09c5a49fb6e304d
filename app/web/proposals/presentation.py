"""The consortium's side of a 발표평가: its published slot, the confirmation and the slides.

The consortium's people see the slot; its lead organisation confirms it and uploads the
slides until the cut-off. The proposal's page shows the slot through ``presentation_slots``.
"""
from __future__ import annotations

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.proposals import blobs, filetypes
from app.review import presentation, presentation_day
from app.web import flow, loaders
from app.web.documents import send_document
from app.web.proposals import bp
from forms.presentation import ActionForm, SlidesForm


@bp.app_template_global("presentation_slots")
def presentation_slots(proposal):
    """The proposal's published slots, for its consortium's people (nobody else is shown them)."""
    if not access.can_view_consortium(current_user, proposal.consortium):
        return []
    return presentation.published_slots_of(proposal)


def _slot(proposal):
    """The latest published slot of the proposal, or None."""
    slots = presentation.published_slots_of(proposal)
    return slots[-1] if slots else None


def _page(proposal, form: SlidesForm | None = None, status: int = 200):
    slot = _slot(proposal)
    return render_template(
        "proposals/presentation.html", proposal=proposal, slot=slot, schedule=slot.schedule if slot else None,
        place=presentation.place_text(slot.schedule) if slot else "", form=form or SlidesForm(),
        confirm_form=ActionForm(), can_act=access.can_manage_consortium(current_user, proposal.consortium),
        accepted=", ".join(filetypes.ACCEPTED_EXTENSIONS)), status


@bp.route("/my/proposals/<int:proposal_id>/presentation", methods=["GET", "POST"])
@login_required
def presentation_page(proposal_id: int):
    proposal = loaders.proposal_for_member(proposal_id)
    form = SlidesForm()
    if not form.is_submitted():
        return _page(proposal)
    access.require(access.can_manage_consortium(current_user, proposal.consortium))

    def upload():
        slot = _slot(proposal)
        if slot is None:
            raise presentation.PresentationError(_("공개된 발표 일정이 없습니다."), field="slides")
        presentation_day.ensure_slides_open(slot)  # before reading the file at all
        stored = blobs.keep(form.slides.data.stream, form.slides.data.filename, proposal.call.max_attachment_bytes)
        return presentation_day.store_slides(slot, current_user, stored)

    return flow.post(form, upload, page=lambda: _page(proposal, form, 422), field=form.slides,
                     done=lambda slot: _("발표자료 '%(name)s'을(를) 올렸습니다.", name=slot.slides_filename),
                     to=url_for("proposals.presentation_page", proposal_id=proposal.id))


@bp.route("/my/proposals/<int:proposal_id>/presentation/confirm", methods=["POST"])
@login_required
def presentation_confirm(proposal_id: int):
    proposal = loaders.proposal_for_member(proposal_id)
    access.require(access.can_manage_consortium(current_user, proposal.consortium))
    if not ActionForm().validate_on_submit():
        abort(400)

    def confirm():
        slot = _slot(proposal)
        if slot is None:
            raise presentation.PresentationError(_("공개된 발표 일정이 없습니다."))
        return presentation_day.confirm(slot, current_user)

    return flow.act(confirm, done=_("발표 일정을 확인했습니다."),
                    to=url_for("proposals.presentation_page", proposal_id=proposal.id))


@bp.route("/my/proposals/<int:proposal_id>/presentation/slides")
@login_required
def presentation_slides(proposal_id: int):
    proposal = loaders.proposal_for_member(proposal_id)
    slot = _slot(proposal)
    key = presentation_day.slides_key(slot) if slot else None
    if key is None:
        abort(404)
    return send_document(key, slot.slides_filename, slot.slides_type, f"slides of slot {slot.id}")
