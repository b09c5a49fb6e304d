"""Home page, the user's notifications and the development mail sink."""
from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.web import loaders
from app.extensions import db
from app.models.outbox import OutboxStatus
from app import audit
from app.calls import calls
from app.notifications import mailer, outbox, reminders, webhook_delivery
from app.core.safe_redirect import safe_next
from app.worklist import tasks as worklist

bp = Blueprint("main", __name__)

_last_tick = 0.0
TICK_SECONDS = 60


@bp.before_app_request
def _clock_without_beat():
    """Without a broker there is no beat: let a request do the minute's clock work.

    Only in development (TASKS_EAGER and not testing); a worker's beat does it otherwise.
    """
    global _last_tick
    cfg = current_app.config
    if not cfg.get("TASKS_EAGER") or cfg.get("TESTING") or not cfg.get("CLOCK_IN_REQUESTS", True):
        return
    if time.monotonic() - _last_tick < TICK_SECONDS:
        return
    _last_tick = time.monotonic()
    try:
        reminders.run()
        # The retries beat's sweep makes with a worker: mails and webhook deliveries now due.
        outbox.sweep()
        webhook_delivery.sweep()
    except Exception:  # noqa: BLE001 - the page must render even if the clock work failed
        db.session.rollback()
        current_app.logger.exception("in-process clock work failed")


@bp.route("/")
def index():
    return render_template("main/index.html", groups=calls.public_calls(), tasks=worklist.for_user(current_user))


@bp.route("/notifications")
@login_required
def notifications():
    return render_template("main/notifications.html", items=outbox.notices_of(current_user),
                           unread=outbox.unread_count(current_user),
                           programmes=reminders.programmes_with_subscription(current_user))


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_read():
    outbox.mark_all_read(current_user)
    db.session.commit()
    return redirect(url_for("main.notifications"))


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def mark_one_read(notification_id: int):
    n = loaders.notification(notification_id)  # someone else's notice: not even its existence is shown
    n.read = True
    db.session.commit()
    # Stored links are paths (app/core/links.py); checked again here, so not even a row
    # written before that rule can send anyone off the site.
    return redirect(safe_next(n.url) or url_for("main.notifications"))


@bp.route("/notifications/programmes/<int:programme_id>", methods=["POST"])
@login_required
def toggle_subscription(programme_id: int):
    programme = loaders.programme(programme_id)
    if reminders.is_subscribed(current_user, programme):
        reminders.unsubscribe(current_user, programme)
        flash(_("'%(name)s'의 새 공모 알림을 해제했습니다.", name=programme.name), "success")
    else:
        reminders.subscribe(current_user, programme)
        flash(_("'%(name)s'에서 새 공모가 열리면 알려 드립니다.", name=programme.name), "success")
    db.session.commit()
    return redirect(url_for("main.notifications"))


def _mail_sink_enabled() -> bool:
    # Only the file backend has a sink to show.
    return current_app.config["MAIL_BACKEND"] == "file"


@bp.route("/dev/mail")
@login_required
def dev_mail():
    # Everybody's mail and the delivery failures: for admins only. A development tool, so hidden
    # from everyone else (404) rather than refused like a role's page.
    if not current_user.has_role("admin"):
        abort(404)
    mails = mailer.stored_mails() if _mail_sink_enabled() else None
    return render_template("main/dev_mail.html", mails=mails, failed=outbox.failed_messages(),
                           duplicates=outbox.possible_duplicates(), counts=outbox.status_counts())


@bp.route("/dev/mail/outbox/<int:message_id>/retry", methods=["POST"])
@login_required
def retry_mail(message_id: int):
    message = loaders.outbox_message_for_admin(message_id)
    if message.status == OutboxStatus.FAILED:
        outbox.retry(message)
        audit.record(current_user, "outbox.retried", message, key=message.key)
        db.session.commit()
        flash(_("메일을 다시 보내도록 예약했습니다."), "success")
    return redirect(url_for("main.dev_mail"))
