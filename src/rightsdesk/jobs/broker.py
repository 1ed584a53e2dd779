"""The broker connection a worker keeps: reconnect for ever, and never die of closing a dead one.

kombu 5.7 with redis-py 8 (the versions pinned in pyproject.toml) has a fault that stopped a
worker when its Redis server went away while the worker held an unacknowledged message in a
pending BRPOP: Celery's consumer ``collect()``s the broken connection, where closing the default
channel fails (the BRPOP read raises ``ConnectionError``, swallowed) but the channel stays the
connection's default while the transport's client is dropped; Celery then ``close()``s the same
connection, which closes that channel again, and restoring its unacknowledged message looks up
the detached client: ``AttributeError: 'NoneType' object has no attribute 'hostname'``, not a
connection error, so Celery logs "Unrecoverable error" and the worker exits.
:class:`ResilientConnection` forgets the default channel once it has tried to close it. The
message is not lost: the job's delivery lease lapses and the lease sweep submits it again.
"""

from __future__ import annotations

from kombu.connection import Connection

#: Redis transport options: detect a dead or replaced server within seconds, not at the next
#: write (TCP keepalive, a PING on idle connections), and give up a connect attempt quickly so
#: the consumer's back-off loop, not a hung socket, decides when to try again.
REDIS_OPTIONS = {
    "socket_keepalive": True,
    "health_check_interval": 10,
    "socket_connect_timeout": 5,
    "retry_on_timeout": True,
}


class ResilientConnection(Connection):
    """A kombu connection whose close after a failed ``collect()`` cannot raise."""

    def _do_close_self(self) -> None:
        try:
            super()._do_close_self()  # type: ignore[no-untyped-call]
        finally:
            self._default_channel = None
