"""Officer console: a programme's webhooks (outbound notices to other systems) and their deliveries.

The page lists the endpoints and the latest deliveries, adds an endpoint (its secret is shown on
the answer to that one request and never again) and turns one off; each change is audited by the
service. Only the programme's agency's officers (and admins) see it: 404 for anyone else.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.models.webhooks import Webhook
from app.notifications import webhook_delivery, webhooks
from app.web import flow
from app.web.loaders import programme_for_officer
from app.web.officer import bp
from forms.webhooks import EVENT_LABELS, DisableForm, WebhookForm


def _page(programme, form: WebhookForm | None = None, *, secret: str = "", created: Webhook | None = None,
          status: int = 200):
    return render_template(
        "officer/webhooks.html", programme=programme, form=form or WebhookForm(formdata=None), disable_form=DisableForm(formdata=None),
        hooks=webhooks.endpoints_of(programme), deliveries=webhooks.recent_deliveries(programme),
        labels=EVENT_LABELS, secret=secret, created=created, signature_header=webhook_delivery.SIGNATURE_HEADER,
    ), status


@bp.route("/programmes/<int:programme_id>/webhooks")
@login_required
def webhooks_page(programme_id: int):
    return _page(programme_for_officer(programme_id))


@bp.route("/programmes/<int:programme_id>/webhooks", methods=["POST"])
@login_required
def webhook_add(programme_id: int):
    programme = programme_for_officer(programme_id)
    form = WebhookForm()
    if not form.validate_on_submit():
        return _page(programme, form, status=422)
    try:
        hook, secret = webhooks.register(programme, current_user, form.url.data, form.events.data or [],
                                         form.description.data or "")
    except webhooks.WebhookError as error:
        db.session.rollback()
        flow.place(form, [(error.field, error.message)])
        return _page(programme, form, status=422)
    db.session.commit()
    # No redirect: the secret is on this answer only, and nowhere it could be read again.
    return _page(programme, secret=secret, created=hook, status=201)


@bp.route("/programmes/<int:programme_id>/webhooks/disable", methods=["POST"])
@login_required
def webhook_disable(programme_id: int):
    programme = programme_for_officer(programme_id)
    form = DisableForm()
    hook = db.session.get(Webhook, form.webhook_id.data) if form.validate_on_submit() else None
    if hook is None or hook.programme_id != programme.id:
        flash(_("끌 주소를 찾을 수 없습니다."), "error")
        return _page(programme, status=422)
    if webhooks.disable(hook, current_user):
        db.session.commit()
        flash(_("이 주소로 보내기를 중단했습니다: %(url)s", url=hook.url), "success")
    return redirect(url_for("officer.webhooks_page", programme_id=programme.id), 303)
