"""kombu's Redis transport, made to survive losing Redis while the worker holds a job.

Celery 5.7.0 and kombu 5.7.0 (the newest releases) crash the worker with ``Unrecoverable
error: AttributeError("'NoneType' object has no attribute 'hostname'")`` right after
``Restoring 1 unacknowledged message(s)`` when Redis goes away while a pool process runs a
task and the consumer is waiting in BRPOP. On the lost connection the consumer first
``collect()``s it: that closes the channels and then detaches the transport from its
connection (``transport.client = None``). Closing the consumer's channel stops at its first
step, reading the reply of the BRPOP that was in flight, because that raises the connection
error; so the channel stays open with the held job unacknowledged. Celery then ``close()``s
the connection again; this time the channel gets as far as putting the job back into the
queue, which needs a fresh Redis pool, whose address is read from ``transport.client``, now
None. An AttributeError is no connection error, so nothing catches it and the worker exits.

The channel here keeps the connection it was opened for and reads the broker's address from
it when the transport has already been detached. Putting the job back then fails (Redis is
down) with a connection error, which the close ignores as it should, and the worker goes on
reconnecting. The outbox row, not the broker message, records whether the mail went out.
"""
from __future__ import annotations

from kombu.transport import redis


class Channel(redis.Channel):
    def __init__(self, connection, *args, **kwargs):
        # The kombu Connection this channel was opened for (the transport forgets it on collect).
        self._opened_for = connection.client
        super().__init__(connection, *args, **kwargs)

    def _connparams(self, asynchronous=False):
        transport = self.connection
        if transport.client is not None or self._opened_for is None:
            return super()._connparams(asynchronous=asynchronous)
        transport.client = self._opened_for
        try:
            return super()._connparams(asynchronous=asynchronous)
        finally:
            transport.client = None


class Transport(redis.Transport):
    Channel = Channel


# ``broker_transport`` for a redis:// URL (rediss:// keeps kombu's own, which switches TLS on).
TRANSPORT = f"{__name__}:Transport"
