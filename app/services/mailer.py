"""Turning an outbox row into a mail and handing it to a transport.

Development writes .eml files under instance/mail (listed at /dev/mail);
production and the tests speak SMTP.
"""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale


def build(message) -> EmailMessage:
    with force_locale(message.locale or "ko"):
        ctx = dict(message.context or {})
        subject = render_template(f"mail/{message.template}.subject.txt", **ctx).strip()
        body = render_template(f"mail/{message.template}.txt", **ctx)
        html = render_template(f"mail/{message.template}.html", **ctx)
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = current_app.config["MAIL_SENDER"]
    mail["To"] = message.to_email
    # The outbox key in the Message-ID makes a duplicate delivery recognisable downstream.
    mail["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}", domain="gongmo.local")
    mail["X-Gongmo-Key"] = message.key
    mail.set_content(body)
    mail.add_alternative(html, subtype="html")
    return mail


def send(mail: EmailMessage) -> None:
    cfg = current_app.config
    if cfg["MAIL_BACKEND"] == "file":
        folder = Path(cfg["MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        name = mail["X-Gongmo-Key"].replace("/", "_").replace(":", "_")
        (folder / f"{name}.eml").write_bytes(bytes(mail))
        return
    with smtplib.SMTP(cfg["MAIL_HOST"], cfg["MAIL_PORT"], timeout=30) as smtp:
        if cfg["MAIL_STARTTLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(mail)
