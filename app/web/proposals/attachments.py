"""Uploading and downloading a proposal's attachments."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.web.proposals import bp
from app.web.proposals.submission import require_edit, respond_closed
from app.extensions import db
from app import access
from app.web import _error_page as error_page, loaders
from app.web.documents import send_document
from app.calls import deadline
from app.proposals import filetypes
from app.proposals import attachments as files
from app.proposals.validation import human_bytes
from forms.attachments import DeleteForm, UploadForm


@bp.route("/proposals/<int:proposal_id>/attachments", methods=["GET", "POST"])
@login_required
def attachments(proposal_id: int):
    proposal = loaders.proposal(proposal_id)
    can_edit = access.can_edit_proposal(current_user, proposal)
    form = UploadForm(kinds=files.kind_choices(proposal.call))
    status = 200
    if request.method == "POST":
        require_edit(proposal)
        back = url_for("proposals.attachments", proposal_id=proposal.id)
        try:
            deadline.ensure_writable(proposal)
        except deadline.ClosedError as exc:
            return respond_closed(exc, back)
        if form.validate_on_submit():
            upload = form.file.data
            try:
                attachment = files.store(proposal, current_user, form.kind.data, upload.stream, upload.filename)
            except deadline.ClosedError as exc:
                return respond_closed(exc, back)
            except files.AttachmentError as exc:
                db.session.rollback()
                form.file.errors = [*form.file.errors, exc.message]
                status = exc.status
            else:
                db.session.commit()
                flash(_("'%(name)s' 파일을 올렸습니다.", name=attachment.filename), "success")
                return redirect(back, 303)
        else:
            status = 422
    return _page(proposal, form, can_edit), status


def upload_limit(proposal) -> int:
    """The largest file that can arrive: the call's limit per file, or the request's if smaller."""
    request_limit = current_app.config.get("MAX_CONTENT_LENGTH") or proposal.call.max_attachment_bytes
    return min(proposal.call.max_attachment_bytes, request_limit)


def _page(proposal, form, can_edit: bool):
    limit = upload_limit(proposal)
    # Read by app/static/js/proposal.js, which refuses a file over the limit before sending it.
    form.file.render_kw = {**(form.file.render_kw or {}), "data-max-bytes": limit}
    return render_template(
        "proposals/attachments.html", proposal=proposal, call=proposal.call, form=form,
        delete_form=DeleteForm(formdata=None), groups=files.grouped(proposal),
        writable=can_edit and deadline.writable(proposal), can_edit=can_edit,
        used=files.total_size(proposal), human_bytes=human_bytes, limit=human_bytes(limit),
        accepted=", ".join(filetypes.ACCEPTED_EXTENSIONS),
    )


@bp.errorhandler(413)
def too_large(error):
    """A request over MAX_CONTENT_LENGTH: on the upload form, the form again with the limit by the
    file field; elsewhere the portal's error page. The body was never read, so nothing was saved."""
    if request.endpoint != "proposals.attachments":
        return error_page(413)(error)
    db.session.rollback()
    proposal = loaders.proposal(request.view_args["proposal_id"])
    # formdata=None: reading the refused body again would raise the same error.
    form = UploadForm(formdata=None, kinds=files.kind_choices(proposal.call))
    limit = human_bytes(upload_limit(proposal))
    form.file.errors = [_("파일이 너무 큽니다. 파일당 최대 %(limit)s까지 올릴 수 있습니다. 아무것도 저장되지 않았습니다.",
                          limit=limit)]
    return _page(proposal, form, access.can_edit_proposal(current_user, proposal)), 413


@bp.route("/proposals/<int:proposal_id>/attachments/<int:attachment_id>")
@login_required
def attachment_download(proposal_id: int, attachment_id: int):
    proposal = loaders.proposal(proposal_id)
    attachment = loaders.attachment(proposal, attachment_id)
    return send_document(attachment.storage_key, attachment.filename, attachment.detected_type,
                         f"attachment {attachment.id}")


@bp.route("/proposals/<int:proposal_id>/attachments/<int:attachment_id>/delete", methods=["POST"])
@login_required
def attachment_delete(proposal_id: int, attachment_id: int):
    proposal = loaders.proposal(proposal_id)
    require_edit(proposal)
    attachment = loaders.attachment(proposal, attachment_id)
    back = url_for("proposals.attachments", proposal_id=proposal.id)
    if not DeleteForm().validate_on_submit():
        abort(400)
    name = attachment.filename
    try:
        files.delete(proposal, current_user, attachment)
    except deadline.ClosedError as exc:
        return respond_closed(exc, back)
    db.session.commit()
    flash(_("'%(name)s' 파일을 삭제했습니다.", name=name), "success")
    return redirect(back, 303)
