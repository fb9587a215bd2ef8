"""The one loopback HTTP server both stand-ins run on: a threaded server, a handler with the
HTTP/1.1 basics, and the start/stop lifecycle on a daemon thread.

A stand-in subclasses `Loopback` and names its `handler`, a `LoopbackHandler` subclass whose
`dispatch` answers one request (finding its code in a `Routes` table); the handler reaches its
stand-in as `self.server.owner`.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Generic, Self, TypeVar

JSON_TYPE = "application/json; charset=utf-8"


@dataclass
class Answer:
    """One answer of a stand-in, and how it travels: after `delay` seconds; `cut` sends half
    the body then hangs up, `drip` sends it a byte every `drip` seconds."""

    status: int
    body: Any  # JSON, or a str sent as it is
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = JSON_TYPE
    delay: float = 0.0
    cut: bool = False
    drip: float = 0.0

    def payload(self) -> bytes:
        return (self.body if isinstance(self.body, str) else json.dumps(self.body)).encode("utf-8")


H = TypeVar("H")


class Routes(Generic[H]):
    """A route table: handlers registered by method and path (a regular expression between
    `prefix` and `suffix`), found again with the path's groups."""

    def __init__(self, prefix: str = "", suffix: str = "") -> None:
        self._prefix, self._suffix = re.escape(prefix), suffix
        self._routes: list[tuple[str, re.Pattern[str], H]] = []

    def __call__(self, method: str, path: str) -> Callable[[H], H]:
        pattern = re.compile(self._prefix + path + self._suffix)

        def register(handler: H) -> H:
            self._routes.append((method, pattern, handler))
            return handler

        return register

    def find(self, method: str, path: str) -> tuple[H, tuple[str, ...]] | None:
        for verb, pattern, handler in self._routes:
            found = pattern.fullmatch(path)
            if found and verb == method:
                return handler, found.groups()
        return None


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # Bursts of connections (benchmarks, concurrent tests) overflow the default backlog of 5.
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], handler: type[LoopbackHandler], owner: Loopback
    ) -> None:
        super().__init__(address, handler)
        self.owner: Any = owner  # Any: each handler knows its own stand-in's type
        self._open_lock = threading.Lock()
        self._open: set[socket.socket] = set()

    def track(self, connection: socket.socket, is_open: bool) -> None:
        with self._open_lock:
            if is_open:
                self._open.add(connection)
            else:
                self._open.discard(connection)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-answer (a test's timeout) is normal here, not worth a
        # traceback; anything else is a stand-in bug and gets the default report.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)

    def close_open_connections(self) -> None:
        # A stopped stand-in must look down to clients too, including on kept-alive connections
        # whose handler threads would otherwise go on answering.
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class LoopbackHandler(BaseHTTPRequestHandler):
    # HTTP/1.1 lets clients keep connections alive; every answer carries Content-Length.
    protocol_version = "HTTP/1.1"
    # Buffer the answer so headers and body leave in one write: two small writes on a kept-alive
    # connection meet the client's delayed ACK and cost 40 ms per request.
    wbufsize = -1
    server: LoopbackServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, True)

    def finish(self) -> None:
        self.server.track(self.connection, False)
        with contextlib.suppress(OSError):
            super().finish()

    def dispatch(self) -> None:
        raise NotImplementedError

    def _dispatch(self) -> None:
        self.dispatch()

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = _dispatch

    def log_message(self, format: str, *args: Any) -> None:
        # Quiet unless asked: tests read the stand-ins' request logs instead of stderr noise.
        if self.server.owner.verbose:
            super().log_message(format, *args)

    def read_body(self) -> bytes:
        # The stand-ins' clients (zenpy's requests, slack_sdk's urllib) always send a length.
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def hang_up(self) -> None:
        """Close the connection without (the rest of) an answer."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def send(self, answer: Answer) -> None:
        payload, cut, drip = answer.payload(), answer.cut, answer.drip
        time.sleep(answer.delay)
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if self.close_connection:
                # The client asked to close (or spoke HTTP/1.0): say so, as HTTP/1.1 wants.
                self.send_header("Connection", "close")
            self.end_headers()
            if cut:
                self.wfile.write(payload[: len(payload) // 2])
                self.wfile.flush()
                self.hang_up()
                return
            if drip:
                self.wfile.flush()
                for offset in range(len(payload)):
                    self.wfile.write(payload[offset : offset + 1])
                    self.wfile.flush()
                    time.sleep(drip)
            else:
                self.wfile.write(payload)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a timeout in a test); nothing left to tell it.
            self.close_connection = True


class Loopback:
    """Serve `handler` on host:port (0: any free port) on a daemon thread, until `stop`."""

    handler: type[LoopbackHandler]
    verbose = False

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host = host
        self._port = port
        self._server: LoopbackServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        """Returns self, so that `standin = StandIn().start()` works."""
        if self._server is not None:
            return self
        server = LoopbackServer((self._host, self._port), self.handler, self)
        self._server = server
        self._port = server.server_address[1]
        self._bound()
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}-{self._port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def _bound(self) -> None:
        """Called once the port is known, before the first request can arrive."""

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        server.close_open_connections()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT`, without a path."""
        return f"http://{self._host}:{self._port}"
