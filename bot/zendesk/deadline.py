"""A total deadline for one HTTP exchange with Zendesk: connecting, sending and every read.

requests' timeout bounds each socket operation, not the exchange: a server (or a congested
proxy) that sends one byte every two seconds never trips it and can hold a request for minutes.
Here the connections an exchange uses are noted while it runs, through urllib3's own extension
point (the connection class of its pools), and a watchdog shuts their sockets down when the
deadline passes, which ends a blocked read at once.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class DeadlineExceeded(requests.Timeout):
    """The whole exchange took longer than its deadline (each read may have been quick)."""


_local = threading.local()


def _note(connection: HTTPConnection) -> None:
    in_flight: set[HTTPConnection] | None = getattr(_local, "in_flight", None)
    if in_flight is not None:
        in_flight.add(connection)


class _NotedHTTPConnection(HTTPConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        _note(self)
        super().request(*args, **kwargs)


class _NotedHTTPSConnection(HTTPSConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        _note(self)
        super().request(*args, **kwargs)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _NotedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _NotedHTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter, with pools whose connections `within` can cut."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


@contextlib.contextmanager
def within(seconds: float) -> Iterator[threading.Event]:
    """Run one exchange (on this thread) with a total deadline; the event says it expired."""
    in_flight: set[HTTPConnection] = set()
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        for connection in list(in_flight):
            sock = getattr(connection, "sock", None)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    _local.in_flight = in_flight
    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield expired
    finally:
        timer.cancel()
        _local.in_flight = None
