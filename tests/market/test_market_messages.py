"""Messages between a firm and a supplier: a thread both sides see, the other side told, nobody else."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Notification, OutboxMessage
from app.models.marketplace import Message, MessageThread
from tests.factories import UserFactory
from tests.support import read_mails
from tests.market.market_world import market


def _outbox(template="market_message"):
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)
                                   .order_by(OutboxMessage.id)))


def test_a_supplier_contacts_a_firm_and_they_exchange_messages(client, login, mailbox):
    m = market()
    firm_colleague = UserFactory(organisation=m.firm.organisation)
    db.session.commit()
    login(m.supplier)

    page = client.get(f"/market/needs/{m.need.id}").get_data(as_text=True)
    assert f"/market/needs/{m.need.id}/contact" in page
    resp = client.post(f"/market/needs/{m.need.id}/contact",
                       data={"subject": "외관 검사 제안", "body": "머신비전 실증을 제안합니다."})
    assert resp.status_code == 303
    thread = db.session.scalar(select(MessageThread))
    assert resp.headers["Location"].endswith(f"/market/messages/{thread.id}")
    assert (thread.from_org_id, thread.to_org_id, thread.need_id) == (m.supplier.organisation_id,
                                                                      m.firm.organisation_id, m.need.id)
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "market.thread_started")).all()
    assert entry.actor_id == m.supplier.id and entry.object_id == thread.id
    # The firm's two people are told, by mail and notice; the supplier's side is not.
    told = {row.user_id for row in _outbox()}
    assert told == {m.firm.id, firm_colleague.id}
    notices = db.session.scalars(select(Notification).where(Notification.kind == "market_message")).all()
    assert {n.user_id for n in notices} == told
    [mail] = read_mails(mailbox, to=firm_colleague.email)
    assert "외관 검사 제안" in mail["Subject"] and f"/market/messages/{thread.id}" in mail.get_body(("plain",)).get_content()

    login(firm_colleague)
    assert "/market/messages" in client.get(f"/market/needs/{m.need.id}").get_data(as_text=True)
    inbox = client.get("/market/messages").get_data(as_text=True)
    assert "외관 검사 제안" in inbox and "㈜비전에이아이" in inbox
    assert "머신비전 실증을 제안합니다." in client.get(f"/market/messages/{thread.id}").get_data(as_text=True)
    resp = client.post(f"/market/messages/{thread.id}", data={"body": "다음 주에 뵙겠습니다."})
    assert resp.status_code == 303
    assert db.session.scalar(select(db.func.count(Message.id))) == 2
    # The reply goes to the supplier's side only.
    assert {row.user_id for row in _outbox()} - told == {m.supplier.id}


def test_nobody_else_sees_the_thread(client, login, isolated_dirs):
    m = market()
    login(m.supplier)
    client.post(f"/market/needs/{m.need.id}/contact", data={"subject": "제안", "body": "내용"})
    thread = db.session.scalar(select(MessageThread))

    login(m.outsider)
    assert client.get(f"/market/messages/{thread.id}").status_code == 404
    assert client.post(f"/market/messages/{thread.id}", data={"body": "끼어들기"}).status_code == 404
    assert client.get(f"/market/messages/{thread.id + 1000}").status_code == 404
    assert "제안" not in client.get("/market/messages").get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Message.id))) == 1


def test_an_empty_message_is_refused_beside_its_field_and_saves_nothing(client, login, isolated_dirs):
    m = market()
    login(m.supplier)
    resp = client.post(f"/market/needs/{m.need.id}/contact", data={"subject": "제안", "body": "   "})
    assert resp.status_code == 422
    assert "내용을 입력하십시오." in resp.get_data(as_text=True)
    assert db.session.scalar(select(MessageThread)) is None and _outbox() == []


def test_nobody_contacts_their_own_listing_or_a_closed_one(client, login, isolated_dirs):
    m = market()
    login(m.firm)
    assert f"/market/needs/{m.need.id}/contact" not in client.get(f"/market/needs/{m.need.id}").get_data(as_text=True)
    assert client.post(f"/market/needs/{m.need.id}/contact", data={"subject": "a", "body": "b"}).status_code == 403
    m.capability.state = "closed"
    db.session.commit()
    assert client.post(f"/market/capabilities/{m.capability.id}/contact",
                       data={"subject": "a", "body": "b"}).status_code == 403
    assert db.session.scalar(select(MessageThread)) is None
