"""Home page, the user's notifications and the development mail sink."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.extensions import db
from app.models import Call, Notification

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    calls = db.session.scalars(select(Call).where(Call.phase != "draft").order_by(Call.closes_at.desc())).all()
    return render_template("main/index.html", calls=calls)


@bp.route("/notifications")
@login_required
def notifications():
    items = db.session.scalars(
        select(Notification).where(Notification.user_id == current_user.id).order_by(Notification.id.desc()).limit(200)
    ).all()
    return render_template("main/notifications.html", items=items)


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_read():
    for n in db.session.scalars(select(Notification).where(Notification.user_id == current_user.id,
                                                           Notification.read.is_(False))):
        n.read = True
    db.session.commit()
    return redirect(url_for("main.notifications"))


def _mail_sink_enabled() -> bool:
    # Only the file backend has a sink to show, and only an admin may read everybody's mail.
    return current_app.config["MAIL_BACKEND"] == "file"


@bp.route("/dev/mail")
@login_required
def dev_mail():
    if not _mail_sink_enabled() or not current_user.has_role("admin"):
        abort(404)
    folder = Path(current_app.config["MAIL_DIR"])
    files = sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True) if folder.exists() else []
    from email import policy
    from email.parser import BytesParser

    mails = []
    for f in files[:200]:
        msg = BytesParser(policy=policy.default).parsebytes(f.read_bytes())
        body = msg.get_body(preferencelist=("plain",))
        mails.append({"to": msg["To"], "subject": msg["Subject"], "body": body.get_content() if body else ""})
    return render_template("main/dev_mail.html", mails=mails)
