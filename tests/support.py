"""What tests do through the web client: sign in, fill the officer's forms, read mails and pages.

Data is built by ``tests/factories.py`` (rows) and ``tests/app/builders.py`` (proposal content,
review pools, documents); this module only drives the portal the way its users would.
"""
from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select

from app.accounts import sessions
from app.demo import ax2025
from app.extensions import db
from app.models import OutboxMessage
from tests.factories import PASSWORD


def sign_in(client, user):
    """Sign ``user`` in without the login form (test_auth.py tests the form); ``None`` stays anonymous.

    As a real login does, it starts a server-side session (app/accounts/sessions.py) and puts
    only its token in the cookie; committed at once, so the row exists whatever runs next.
    """
    if user is None:
        return client
    token = sessions.start(user)
    db.session.commit()
    with client.session_transaction() as s:
        s["_user_id"] = token
        s["_fresh"] = True
    return client


def rubric_form(rubric=ax2025.RUBRIC, policy=ax2025.POLICY) -> dict:
    """The officer's rubric form filled in with ``rubric`` and ``policy`` (the 2025 AX call's by default)."""
    data = {"total_points": "100", "pass_mark": policy["pass_mark"], "criterion_floor": policy["criterion_floor"],
            "trim_from": str(policy["trim_from"]), "decimals": "2",
            "one_per_complex": "y", "apply_budget_cap": "y", "grades_on": "y", "bonus_cap": rubric["bonus_cap"]}
    data.update({f"tie_breaks-{i}-rule": rule for i, rule in enumerate(policy["tie_breaks"])})
    for i, c in enumerate(rubric["criteria"]):
        data.update({f"criteria-{i}-key": c["key"], f"criteria-{i}-label": c["label"],
                     f"criteria-{i}-label_en": c.get("label_en", ""), f"criteria-{i}-max_points": c["max_points"],
                     f"criteria-{i}-kind": c["kind"], f"criteria-{i}-description": c.get("description", "")})
        data.update(rule_fields(f"criteria-{i}-", c.get("rule")))
    return data


def rule_fields(prefix: str, rule: dict | None) -> dict:
    """The rubric editor's rule builder filled in with ``rule`` (the engine's form of it)."""
    if not rule:
        return {}
    data = {prefix + "fact": rule["fact"], prefix + "rule_type": rule["type"], prefix + "target": str(rule.get("target", ""))}
    if rule.get("required"):
        data[prefix + "required"] = list(rule["required"])
    for j, (threshold, ratio) in enumerate(rule.get("steps") or []):
        data.update({f"{prefix}steps-{j}-threshold": threshold, f"{prefix}steps-{j}-ratio": ratio})
    return data


def call_rows(infra_types=ax2025.INFRA_TYPES, attachment_kinds=ax2025.ATTACHMENT_KINDS,
              site_label=ax2025.SITE_LABEL) -> dict:
    """The call editor's rows of infrastructure types and attachment kinds, as posted (with the
    site label a CallFactory call has: the form posts it with every save)."""
    data: dict = {"site_label_ko": site_label[0], "site_label_en": site_label[1]}
    for i, (key, ko, en) in enumerate(infra_types):
        data.update({f"infra_types-{i}-key": key, f"infra_types-{i}-label_ko": ko, f"infra_types-{i}-label_en": en})
    for i, (key, ko, en, required) in enumerate(attachment_kinds):
        data.update({f"attachment_kinds-{i}-key": key, f"attachment_kinds-{i}-label_ko": ko,
                     f"attachment_kinds-{i}-label_en": en})
        if required:
            data[f"attachment_kinds-{i}-required"] = "y"
    return data


def visible_text(html: str) -> str:
    """The page without attribute values, so random CSRF tokens cannot match a needle."""
    return re.sub(r'="[^"]*"', '=""', html)


def read_mails(folder, to: str | None = None, subject: str | None = None) -> list[EmailMessage]:
    """The mails the file backend wrote to ``folder``, oldest first; only those to ``to``, with ``subject``, if given."""
    folder = Path(folder)
    paths = sorted(folder.glob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name)) if folder.exists() else []
    found = [BytesParser(policy=policy.default).parsebytes(p.read_bytes()) for p in paths]
    return [m for m in found if (to is None or m["To"] == to) and (subject is None or m["Subject"] == subject)]


def mails(app) -> dict[str, EmailMessage]:
    """The delivered mails of ``app`` by outbox key."""
    return {m["X-Gongmo-Key"]: m for m in read_mails(app.config["MAIL_DIR"])}


def link_path(mail, pattern: str) -> str:
    """The path of the first link in the mail's text that matches ``pattern``."""
    body = mail.get_body(preferencelist=("plain",)).get_content()
    return urlsplit(re.search(pattern, body).group(0)).path


def verification_path(email: str) -> str:
    """The path of the newest verification link mailed to ``email`` (as queued in the outbox)."""
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_email == email.lower(),
                                    OutboxMessage.template == "email_verification")
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None, f"no verification mail to {email}"
    return urlsplit(message.context["verify_url"]).path


def verify_by_mail(client, email: str, password: str = PASSWORD):
    """Open the mailed link and type the registration's password, as the owner of the mailbox would."""
    return client.post(verification_path(email), data={"password": password})
