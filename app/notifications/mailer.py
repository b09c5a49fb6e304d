"""Turning an outbox row into a mail and handing it to a transport.

Development writes .eml files under instance/mail (listed at /dev/mail);
production and the tests speak SMTP (``MAIL_HOST``, ``MAIL_PORT``, ``MAIL_STARTTLS``,
``MAIL_USERNAME``, ``MAIL_PASSWORD``, ``MAIL_SENDER``).

An SMTP server has taken a mail only when it answers 250 to the message. A refusal
(any other answer) means nothing was delivered; but when the connection breaks after
the message went out and before that answer came, nobody knows: ``send`` raises
``OutcomeUnknown`` then, and the outbox treats the mail as possibly delivered.
"""
from __future__ import annotations

import contextlib
import hashlib
import smtplib
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale

from app.notifications import ics

SMTP_TIMEOUT_SECONDS = 30


class OutcomeUnknown(OSError):
    """The connection failed after the message was handed over, before the server answered."""


def message_id_for(key: str) -> str:
    """The Message-ID of the outbox row with ``key``, fixed when the row is queued.

    The key is unique per installation and the host of SITE_URL tells installations
    apart, so the id is unique everywhere, as RFC 5322 wants.
    """
    host = urlsplit(current_app.config.get("SITE_URL") or "").hostname or "gongmo.local"
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return f"<outbox.{digest}@{host}>"


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
    # Every attempt at the row sends the same Message-ID, so a receiving system can drop the
    # second copy of the one case the outbox cannot rule out (see OutcomeUnknown).
    mail["Message-ID"] = message.message_id or message_id_for(message.key)
    mail["X-Gongmo-Key"] = message.key
    mail.set_content(body)
    mail.add_alternative(html, subtype="html")
    if ctx.get("ics"):
        # Built from the row's facts at each attempt: the same file every time, nothing stored twice.
        mail.add_attachment(ics.event_ics(ctx["ics"]), maintype="text", subtype="calendar",
                            filename=ics.FILENAME, params={"method": "PUBLISH"})
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
    smtp = _SMTP(cfg["MAIL_HOST"], int(cfg["MAIL_PORT"]), timeout=timeout)
    try:
        if cfg["MAIL_STARTTLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(mail)
    except smtplib.SMTPResponseException:
        raise  # the server answered, with a refusal: nothing was delivered
    except OSError as exc:  # smtplib's own errors are OSErrors too
        if smtp.in_data:
            raise OutcomeUnknown(f"{type(exc).__name__}: {exc}") from exc
        raise
    else:
        # Accepted: a failure while saying goodbye must not turn into a retry.
        with contextlib.suppress(OSError):
            smtp.quit()
    finally:
        smtp.close()


class _SMTP(smtplib.SMTP):
    # From the DATA command on, a broken connection may have lost only the server's answer.
    in_data = False

    def data(self, msg):
        self.in_data = True
        return super().data(msg)


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
