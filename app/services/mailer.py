"""Turning an outbox row into a mail and handing it to a transport.

Development writes .eml files under instance/mail (listed at /dev/mail);
production and the tests speak SMTP (``MAIL_HOST``, ``MAIL_PORT``, ``MAIL_STARTTLS``,
``MAIL_USERNAME``, ``MAIL_PASSWORD``, ``MAIL_SENDER``).
"""
from __future__ import annotations

import hashlib
import smtplib
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from flask import current_app
from flask_babel import force_locale

SMTP_TIMEOUT_SECONDS = 30


def build(message) -> EmailMessage:
    """The mail for one outbox row, rendered in the recipient's locale."""
    with force_locale(message.locale or "ko"):
        ctx = dict(message.context or {})
        ctx.setdefault("site_url", current_app.config.get("SITE_URL", "").rstrip("/"))
        subject = _render(f"mail/{message.template}.subject.txt", ctx).strip()
        body = _render(f"mail/{message.template}.txt", ctx)
        html = _render(f"mail/{message.template}.html", ctx)
    mail = EmailMessage()
    mail["Subject"] = " ".join(subject.split())  # a header must be one line
    mail["From"] = current_app.config["MAIL_SENDER"]
    mail["To"] = message.to_email
    # The same row always gets the same Message-ID, so a receiving system can drop the
    # duplicate of the one case the outbox cannot rule out (crash right after SMTP accepted).
    digest = hashlib.sha256(message.key.encode()).hexdigest()[:16]
    mail["Message-ID"] = f"<outbox-{message.id}-{digest}@gongmo.local>"
    mail["X-Gongmo-Key"] = message.key
    mail.set_content(body)
    mail.add_alternative(html, subtype="html")
    return mail


def _render(name: str, ctx: dict) -> str:
    # Straight from the Jinja environment: the site's context processors assume a
    # request and a logged-in user, and a worker has neither.
    return current_app.jinja_env.get_template(name).render(**ctx)


def send(mail: EmailMessage) -> None:
    cfg = current_app.config
    if cfg["MAIL_BACKEND"] == "file":
        folder = Path(cfg["MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        name = mail["X-Gongmo-Key"].replace("/", "_").replace(":", "_")
        (folder / f"{name}.eml").write_bytes(bytes(mail))
        return
    timeout = float(cfg.get("MAIL_TIMEOUT", SMTP_TIMEOUT_SECONDS))
    with smtplib.SMTP(cfg["MAIL_HOST"], int(cfg["MAIL_PORT"]), timeout=timeout) as smtp:
        if cfg["MAIL_STARTTLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(mail)


def stored_mails(limit: int = 200) -> list[dict]:
    """The development sink's mails, newest first: to, subject, plain body, file name."""
    folder = Path(current_app.config["MAIL_DIR"])
    if not folder.exists():
        return []
    files = sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True)
    mails = []
    for f in files[:limit]:
        msg = BytesParser(policy=policy.default).parsebytes(f.read_bytes())
        body = msg.get_body(preferencelist=("plain",))
        mails.append({"to": msg["To"], "subject": msg["Subject"], "key": msg["X-Gongmo-Key"] or f.stem,
                      "body": body.get_content() if body else ""})
    return mails
