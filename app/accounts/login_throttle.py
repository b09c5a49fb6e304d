"""Growing delays after failed sign-ins, instead of a lock that a stranger could trigger.

Two counters per typed address, kept in the database so every web process sees them:

* per client address: three failures are free, then each further attempt waits
  2^(n-3) seconds after the last failure (1 s, 2 s, 4 s ... at most 15 minutes);
* across all addresses (``client == "*"``): looser, ten free failures, then the same
  growing wait, to slow guessing spread over many addresses. A client that signed in
  to the account within the last 30 days is exempt, so a guesser elsewhere cannot keep
  the owner out.

An attempt that comes early is refused without looking at the password and without
counting, so it tells nothing and does not lengthen the wait. Unknown addresses are
counted like known ones: the answers cannot tell them apart. A day without failures
starts a counter afresh. Functions leave the commit to their caller.
"""
from __future__ import annotations

import ipaddress
import math
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models.sessions import LoginThrottle

FREE_FAILURES = 3
ACCOUNT_FREE_FAILURES = 10
MAX_WAIT = timedelta(minutes=15)
QUIET_RESET = timedelta(hours=24)
KNOWN_CLIENT = timedelta(days=30)
RETENTION = timedelta(days=30)
PRUNE_BATCH = 100
ALL_CLIENTS = "*"


def client_key(remote_addr: str | None) -> str:
    """The client as counted: an IPv4 address, or the /64 network of an IPv6 one (one subscriber's)."""
    try:
        address = ipaddress.ip_address((remote_addr or "").strip())
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def wait_after(failures: int, free: int) -> timedelta:
    """How long after the last failure the next attempt must wait."""
    if failures < free:
        return timedelta(0)
    # 2**10 s already exceeds the cap: no need for huge powers.
    return min(timedelta(seconds=2 ** min(failures - free, 10)), MAX_WAIT)


def _row(email: str, client: str) -> LoginThrottle | None:
    # Locked so concurrent attempts from several processes count one after the other.
    return db.session.scalar(select(LoginThrottle).where(
        LoginThrottle.email == email, LoginThrottle.client == client).with_for_update())


def _row_or_new(email: str, client: str, moment: datetime) -> LoginThrottle:
    row = _row(email, client)
    if row is not None:
        return row
    # ON CONFLICT DO NOTHING: another process may create the same row a moment earlier. (Not a
    # savepoint: releasing one fires the session's after-commit hooks, the outbox's among them,
    # while the request's transaction is still open.)
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.session.execute(insert(LoginThrottle).values(email=email, client=client, failures=0, updated_at=moment)
                       .on_conflict_do_nothing(index_elements=["email", "client"]))
    return _row(email, client)


def _counted(row: LoginThrottle | None, moment: datetime) -> int:
    if row is None or row.last_failure_at is None or moment - row.last_failure_at >= QUIET_RESET:
        return 0
    return row.failures


def _remaining(row: LoginThrottle | None, free: int, moment: datetime) -> timedelta:
    failures = _counted(row, moment)
    if not failures:
        return timedelta(0)
    return max(row.last_failure_at + wait_after(failures, free) - moment, timedelta(0))


def _known(row: LoginThrottle | None, moment: datetime) -> bool:
    return row is not None and row.last_success_at is not None and moment - row.last_success_at < KNOWN_CLIENT


def refusal(email: str, client: str, moment: datetime) -> timedelta | None:
    """How long this client must still wait before trying ``email`` again, or None to go ahead."""
    pair = _row(email, client)
    waits = [_remaining(pair, FREE_FAILURES, moment)]
    if not _known(pair, moment):
        waits.append(_remaining(_row(email, ALL_CLIENTS), ACCOUNT_FREE_FAILURES, moment))
    wait = max(waits)
    return wait if wait > timedelta(0) else None


def fail(email: str, client: str, moment: datetime) -> int:
    """Count a failure from ``client``; returns this client's failures in a row."""
    counts = []
    for key in (client, ALL_CLIENTS):
        row = _row_or_new(email, key, moment)
        row.failures = _counted(row, moment) + 1
        row.last_failure_at = moment
        row.updated_at = moment
        counts.append(row.failures)
    # Rows of addresses nobody tried for a month go (unknown addresses typed by guessers, mostly), a
    # batch at a time; rows another attempt holds are skipped, so two failures never wait on each other.
    stale = (select(LoginThrottle.id).where(LoginThrottle.updated_at < moment - RETENTION)
             .limit(PRUNE_BATCH).with_for_update(skip_locked=True))
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.id.in_(stale.scalar_subquery())))
    return counts[0]


def succeed(email: str, client: str, moment: datetime) -> None:
    """A complete sign-in: both counters start afresh and this client becomes a known one."""
    pair = _row_or_new(email, client, moment)
    pair.failures = 0
    pair.last_success_at = moment
    pair.updated_at = moment
    overall = _row(email, ALL_CLIENTS)
    if overall is not None:
        overall.failures = 0
        overall.updated_at = moment


def forget(email: str) -> None:
    """A reset through the mailbox proves the owner: every wait on the address ends."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.email == email))


def wait_seconds(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds()))
