"""Outbound webhooks: telling another system that a call was published, closed or announced.

An agency's officer registers an endpoint for a programme with the events it wants; the
portal makes the signing secret, shows it once and keeps it sealed (app/core/sealing.py),
since signing needs the secret itself. ``announce`` writes one ``WebhookDelivery`` per
endpoint in the transaction of the change it tells about, like a mail in the outbox: if
the change rolls back, nothing is announced; once it commits, the rows are handed to the
worker (app/notifications/webhook_delivery.py), which POSTs them and retries with the
outbox's backoff. A row is unique per endpoint, event and call, so an event is delivered
once per endpoint however often the code that announces it runs.
"""
from __future__ import annotations

import json
import secrets
import uuid
from urllib.parse import urlsplit

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app import audit
from app.core import sealing
from app.core.clock import now
from app.core.errors import NotificationsError
from app.core.links import portal_url
from app.extensions import db
from app.models import Call, Programme
from app.models.webhooks import Webhook, WebhookDelivery, WebhookEvent
from app.notifications import webhook_delivery

SESSION_KEY = "webhook_delivery_ids"


class WebhookError(NotificationsError):
    pass


# --- registering -----------------------------------------------------------------------

def url_problem(url: str) -> str | None:
    """Why the portal will not POST to ``url``, or None."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises on a port that is no number
    except ValueError:
        return _("http:// 또는 https://로 시작하는 주소를 입력하십시오.")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("http:// 또는 https://로 시작하는 주소를 입력하십시오.")
    if parts.username or parts.password:
        return _("주소에 사용자 이름이나 비밀번호를 넣을 수 없습니다. 서명으로 확인하십시오.")
    if parts.fragment:
        return _("주소에 #으로 시작하는 부분을 넣을 수 없습니다.")
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and current_app.config.get("WEBHOOK_HTTPS_ONLY") and not loopback:
        return _("운영 환경에서는 https:// 주소만 등록할 수 있습니다.")
    return None


def register(programme: Programme, actor, url: str, events: list[str], description: str = "") -> tuple[Webhook, str]:
    """A new endpoint and its secret, which the caller shows once and nobody can read again."""
    url = url.strip()
    problem = url_problem(url)
    if problem:
        raise WebhookError(problem, field="url")
    chosen = [e.value for e in WebhookEvent if e.value in set(events)]
    if not chosen:
        raise WebhookError(_("받을 이벤트를 하나 이상 고르십시오."), field="events")
    secret = "whsec_" + secrets.token_urlsafe(32)
    hook = Webhook(programme_id=programme.id, url=url, description=description.strip(), events=chosen,
                   secret_sealed="", created_by_id=getattr(actor, "id", None), created_at=now())
    db.session.add(hook)
    db.session.flush()
    hook.secret_sealed = sealing.seal(secret, webhook_delivery.secret_context(hook.id))
    # The secret is never written to the log: only where it goes and what it is told.
    audit.record(actor, "webhook.created", hook, programme_id=programme.id, url=url, events=chosen)
    return hook, secret


def disable(webhook: Webhook, actor) -> bool:
    """Stop sending to the endpoint (pending deliveries are given up); False when already off."""
    if not webhook.active:
        return False
    webhook.active = False
    webhook.disabled_at = now()
    webhook.disabled_by_id = getattr(actor, "id", None)
    audit.record(actor, "webhook.disabled", webhook, programme_id=webhook.programme_id, url=webhook.url)
    return True


def endpoints_of(programme: Programme) -> list[Webhook]:
    return list(db.session.scalars(
        select(Webhook).where(Webhook.programme_id == programme.id).order_by(Webhook.active.desc(), Webhook.id)))


def recent_deliveries(programme: Programme, limit: int = 50) -> list[WebhookDelivery]:
    return list(db.session.scalars(
        select(WebhookDelivery).join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(Webhook.programme_id == programme.id).order_by(WebhookDelivery.id.desc()).limit(limit)))


# --- announcing ------------------------------------------------------------------------

def payload(event_name: str, call: Call, delivery_id: str) -> bytes:
    """The body every attempt sends, fixed when the delivery is written."""
    body = {
        "event": event_name,
        "delivery_id": delivery_id,
        "occurred_at": now().isoformat(),
        "call": {
            "code": call.code,
            "title": call.title,
            "opens_at": call.opens_at.isoformat(),
            "closes_at": call.closes_at.isoformat(),
            "url": portal_url("calls.show", code=call.code),
        },
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def announce(call: Call, event_name: WebhookEvent | str) -> list[WebhookDelivery]:
    """Queue ``event_name`` about ``call`` for every active endpoint of its programme that wants it."""
    event_name = WebhookEvent(event_name).value
    hooks = db.session.scalars(select(Webhook).where(
        Webhook.programme_id == call.programme_id, Webhook.active.is_(True)).order_by(Webhook.id)).all()
    done = set(db.session.scalars(select(WebhookDelivery.webhook_id).where(
        WebhookDelivery.call_id == call.id, WebhookDelivery.event == event_name)))
    queued = []
    for hook in hooks:
        if not hook.wants(event_name) or hook.id in done:
            continue
        delivery_id = str(uuid.uuid4())
        row = WebhookDelivery(webhook_id=hook.id, delivery_id=delivery_id, event=event_name, call_id=call.id,
                              body=payload(event_name, call, delivery_id), next_attempt_at=now(), created_at=now())
        db.session.add(row)
        queued.append(row)
    if queued:
        db.session.flush()
        db.session.info.setdefault(SESSION_KEY, []).extend(r.id for r in queued)
    return queued


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: the transaction around it may still roll back
    ids = session.info.pop(SESSION_KEY, None)
    if ids and has_app_context():
        webhook_delivery.dispatch(ids)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(SESSION_KEY, None)
