"""The Procfile's gunicorn worker: gthread, except that a request is read whole before a thread
takes it, within a deadline.

gunicorn's gthread worker gives a connection to a thread as soon as its first bytes arrive; the
thread then reads the headers and the body blocking, with no deadline (`timeout` only watches
the worker's heartbeat, `keepalive` only idle connections, `limit_request_*` only sizes). So a
few dozen half-sent requests (slow-loris) hold every thread, and /healthz stops answering too.
Here the worker's own event loop, which never blocks, reads what each connection sends until
the request is whole (headers, then as many body bytes as Content-Length says) and only then
hands it to a thread, with the bytes put back in front of gunicorn's parser. A request that is
not whole within READ_DEADLINE seconds gets a 408 and is closed; one that could never be read
this way (too large, chunked) gets its 4xx at once. A thread never waits on a client.

This leans on gunicorn 27's gthread internals (enqueue_req, handle, murder_pending, TConn), so
pyproject.toml pins gunicorn 27. Over TLS or HTTP/2, which the Procfile does not use (the
platform's router terminates TLS), the worker behaves exactly as gthread.
"""

from __future__ import annotations

import contextlib
import logging
import selectors
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from gunicorn.http2 import negotiation
from gunicorn.workers.gthread import ThreadWorker

from bot.slack.guard import MAX_BODY

log = logging.getLogger(__name__)

# Slack sends a few kilobytes at once and wants its answer within 3 s: a request still arriving
# after this long is not one worth waiting for.
READ_DEADLINE = 5.0
HEADER_LIMIT = 64 * 1024
RECV_SIZE = 64 * 1024

_REASONS = {
    408: "Request Timeout",
    411: "Length Required",
    413: "Content Too Large",
    431: "Request Header Fields Too Large",
}


@dataclass
class _Reading:
    deadline: float
    data: bytearray = field(default_factory=bytearray)
    continued: bool = False  # "100 Continue" already sent


def request_state(data: bytes | bytearray) -> tuple[str, int]:
    """Where one HTTP/1.x request in `data` stands: ("whole", 0), ("more", 0),
    ("continue", 0) when the client waits for 100 Continue before its body, or ("refuse", status).

    Only as much parsing as telling "whole" needs: gunicorn's parser does the real one, and
    rejects anything malformed, once the bytes are handed to it.
    """
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return ("refuse", 431) if len(data) > HEADER_LIMIT else ("more", 0)
    if end > HEADER_LIMIT:
        return "refuse", 431
    head = bytes(data[:end]).decode("latin-1").split("\r\n")
    length, expect = 0, False
    for line in head[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "transfer-encoding":
            return "refuse", 411  # Slack sends Content-Length; chunked has no known end here
        if name == "content-length":
            if not value.isascii() or not value.isdigit():
                return "whole", 0  # gunicorn's parser answers 400
            length = int(value)
        if name == "expect" and value.lower() == "100-continue":
            expect = True
    if length > MAX_BODY:
        return "refuse", 413
    if len(data) >= end + 4 + length:
        return "whole", 0
    if expect and len(data) == end + 4:
        return "continue", 0
    return "more", 0


class BufferingThreadWorker(ThreadWorker):
    """gunicorn's gthread worker, reading each request whole in its event loop first."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reading: dict[Any, _Reading] = {}

    def _plain(self, conn: Any) -> bool:
        return not self.cfg.is_ssl and not negotiation.prior_knowledge_allowed(
            self.cfg, conn.client
        )

    def enqueue_req(self, conn: Any) -> None:
        """Called for a new connection, a kept-alive one that became readable, and one whose
        last read went past its request: read the next request whole before a thread."""
        if not self._plain(conn):
            super().enqueue_req(conn)
            return
        reading = _Reading(deadline=time.monotonic() + READ_DEADLINE)
        if conn.parser is not None:
            reading.data += conn.parser.unreader.take_buffered()  # pipelined read-ahead
        if self._advance(conn, reading):
            return
        conn.sock.setblocking(False)
        self._reading[conn] = reading
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))

    def _on_readable(self, conn: Any, _sock: Any) -> None:
        reading = self._reading.get(conn)
        if reading is None:
            return
        try:
            data = conn.sock.recv(RECV_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client went away
            self._forget(conn)
            self._close(conn)
            return
        reading.data += data
        if self._advance(conn, reading):
            # Still on the event loop's thread: unregistered before it polls again.
            self._forget(conn)

    def _advance(self, conn: Any, reading: _Reading) -> bool:
        """Act on what has arrived; True when the request left the reading state (handed to a
        thread, or refused)."""
        state, status = request_state(reading.data)
        if state == "more":
            return False
        if state == "continue":
            if not reading.continued:
                reading.continued = True
                self._send(conn, b"HTTP/1.1 100 Continue\r\n\r\n")
            return False
        if state == "refuse":
            log.info("refused a request before reading it", extra={"status": status})
            self._refuse(conn, status)
            return True
        conn.data_ready = True  # skip gthread's own wait for data: it has all arrived
        conn.preread = bytes(reading.data)
        super().enqueue_req(conn)
        return True

    def handle(self, conn: Any) -> Any:
        preread = getattr(conn, "preread", b"")
        if preread:
            conn.preread = b""
            conn.sock.setblocking(True)
            conn.init()
            conn.parser.unreader.unread(preread)
        return super().handle(conn)

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        late = [conn for conn, reading in self._reading.items() if reading.deadline <= now]
        if late:
            log.info(
                "closed connections that did not send a request in time",
                extra={
                    "connections": len(late),
                    "seconds": READ_DEADLINE,
                },
            )
        for conn in late:
            self._forget(conn)
            self._refuse(conn, 408)

    def _forget(self, conn: Any) -> None:
        self._reading.pop(conn, None)
        # KeyError: never registered (the request had arrived whole before it had to wait).
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(conn.sock)

    def _refuse(self, conn: Any, status: int) -> None:
        body = f"{status} {_REASONS[status]}\n".encode()
        self._send(
            conn,
            f"HTTP/1.1 {status} {_REASONS[status]}\r\nConnection: close\r\n"
            f"Content-Type: text/plain\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body,
        )
        self._close(conn)

    @staticmethod
    def _send(conn: Any, data: bytes) -> None:
        # Non-blocking and best effort: a client too slow to take a few bytes is not waited for.
        with contextlib.suppress(OSError):
            conn.sock.send(data)

    def _close(self, conn: Any) -> None:
        self.nr_conns -= 1
        conn.close()
