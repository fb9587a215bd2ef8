"""An embedded, seeded stand-in for the Zendesk Support API, served over real HTTP.

`ZendeskSandbox` runs the server in a daemon thread; tests, the demo and benchmarks point the bot
(or zenpy) at `sandbox.url`. Besides the API it serves an unauthenticated admin API under
`/_sandbox/` so other processes can reset it, read the request log, and inject faults:

    POST   /_sandbox/reset                  back to the seed; clears log, faults, latency, limit
    GET    /_sandbox/requests               the request log (a JSON list)
    DELETE /_sandbox/requests               clear it
    POST   /_sandbox/faults                 {"method", "path_pattern", "status", "count", ...}
    GET    /_sandbox/faults                 faults still pending
    DELETE /_sandbox/faults                 drop them all
    POST   /_sandbox/latency                {"seconds": s}
    POST   /_sandbox/rate_limit             {"per_minute": n | null}
    GET    /_sandbox/tickets/{id}           the ticket's current JSON
    POST   /_sandbox/tickets                a new ticket (zendesk_new_tickets), webhook told
    POST   /_sandbox/webhooks               {"url"}: where the webhook points; answers its secret
    POST   /_sandbox/webhooks/notify        {"ticket_id", "duplicate"}: signed calls, as a trigger
    POST   /_sandbox/search_rate_limit      {"per_minute": n | null}: the search API's own limit

This package imports nothing from the rest of `bot`: a stand-in that shared code with the client
it stands in for would test nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from standins.zendesk import search as zendesk_search
from standins.zendesk.api import (
    ApiRequest,
    ApiResponse,
    ZendeskApi,
    error_response,
    parse_json_body,
)
from standins.zendesk.errors import (
    RATE_LIMITED_BODY,
    ApiError,
    JsonDict,
    default_body,
    invalid_endpoint,
    record_not_found,
)
from standins.zendesk.faults import FAULT_KEYS, Fault, FaultBook, RateLimiter, RequestLog
from standins.zendesk.new_tickets import add_ticket
from standins.zendesk.webhooks import Delivery, Webhooks
from standins.zendesk.world import SeedError, World, bundled_seed, load_seed_file, now_utc

__all__ = ["SeedError", "ZendeskSandbox", "main"]

DEFAULT_PORT = 8765


@dataclass
class _Dropped:
    """The answer is: no answer; the connection is closed."""


_DROP = _Dropped()


class ZendeskSandbox:
    """A seeded Zendesk Support API on 127.0.0.1, with fault injection for tests."""

    def __init__(
        self,
        seed: dict[str, Any] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        verbose: bool = False,
    ) -> None:
        self._seed: JsonDict = copy.deepcopy(seed) if seed is not None else bundled_seed()
        world = World.from_seed(self._seed)  # raises SeedError before anything listens
        self._api = ZendeskApi(world)
        self._host = host
        self._port = port
        self.verbose = verbose
        self._faults = FaultBook()
        self._rate = RateLimiter()
        self._log = RequestLog()
        self._latency = 0.0
        self._chaos: Callable[[str, str], Fault | None] | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""
        assert world.primary_api_token is not None  # the seed reader insists on one
        api_user_id, api_token = world.primary_api_token
        email = world.users[api_user_id].email or ""
        self.credentials: tuple[str, str] = (email, api_token)
        self.oauth_token: str = world.primary_oauth_token or ""
        # The webhook a trigger notifies when a ticket is created (zendesk_webhooks).
        self.webhooks = Webhooks()

    # ---- lifecycle ------------------------------------------------------------------------

    def start(self) -> ZendeskSandbox:
        if self._server is not None:
            return self
        server = _Server((self._host, self._port), _Handler)
        server.sandbox = self
        self._server = server
        host, port = server.server_address[:2]
        self.url = f"http://{host!s}:{port}"
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"zendesk-sandbox-{port}",
            daemon=True,
        )
        self._thread.start()
        return self

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

    def __enter__(self) -> ZendeskSandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---- controls -------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the seed: state, request log, faults (and chaos), latency and rate limit."""
        self._api.world = World.from_seed(self._seed)
        self._log.clear()
        self._faults.clear()
        self._chaos = None
        self._latency = 0.0
        self._rate.configure(None)
        zendesk_search.limit(self._api, None)

    def requests(self) -> list[dict[str, Any]]:
        return self._log.entries()

    def clear_requests(self) -> None:
        self._log.clear()

    def inject(
        self,
        method: str,
        path_pattern: str,
        *,
        status: int | None = None,
        count: int = 1,
        retry_after: int | None = None,
        body: str | dict[str, Any] | None = None,
        delay: float = 0.0,
        apply_first: bool = False,
        drop: bool = False,
        cut: bool = False,
        drip: float = 0.0,
    ) -> None:
        """Give the next `count` API requests matching method and path (re.fullmatch) a fault."""
        self._faults.add(
            Fault.build(
                method,
                path_pattern,
                status=status,
                count=count,
                retry_after=retry_after,
                body=body,
                delay=delay,
                apply_first=apply_first,
                drop=drop,
                cut=cut,
                drip=drip,
            )
        )

    def clear_faults(self) -> None:
        self._faults.clear()

    def set_chaos(self, chooser: Callable[[str, str], Fault | None] | None) -> None:
        """Ask `chooser(method, path)` for a fault for every API request that no injected fault
        matched (None: answer normally): faults at a rate, for benchmarks under faults."""
        self._chaos = chooser

    def faults(self) -> list[dict[str, Any]]:
        return self._faults.pending()

    def set_latency(self, seconds: float) -> None:
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise ValueError("latency must be a non-negative number of seconds")
        self._latency = float(seconds)

    def set_rate_limit(self, per_minute: int | None) -> None:
        self._rate.configure(per_minute)

    def add_membership(self, user_id: int, org_id: int, default: bool = False) -> None:
        world = self._api.world
        with world.lock:
            world.add_membership(user_id, org_id, default)

    def add_organization(self, name: str, tags: list[str] | None = None) -> int:
        world = self._api.world
        with world.lock:
            return world.add_organization(name, tags)

    def add_user(self, name: str, email: str) -> int:
        """An end user, as Zendesk makes one for a new requester's address."""
        world = self._api.world
        with world.lock:
            return world.create_end_user(name, email, now_utc()).id

    def remove_membership(self, user_id: int, org_id: int) -> None:
        world = self._api.world
        with world.lock:
            world.remove_membership(user_id, org_id)

    def update_organization(
        self, org_id: int, tags: list[str] | None = None, fields: dict[str, Any] | None = None
    ) -> None:
        world = self._api.world
        with world.lock:
            world.update_organization(org_id, tags, fields)

    def organization_ids_of(self, user_id: int) -> list[int]:
        """Every organization the user belongs to now (all memberships, the default first)."""
        world = self._api.world
        with world.lock:
            return world.organization_ids_of(user_id)

    def organization(self, org_id: int) -> dict[str, Any]:
        """The organization as the API would show it now; KeyError when there is none."""
        world = self._api.world
        with world.lock:
            return world.render_organization(world.organizations[org_id], self.url)

    def audits(self, ticket_id: int) -> list[dict[str, Any]]:
        """The ticket's audit trail as the API would show it (oldest first)."""
        world = self._api.world
        with world.lock:
            return copy.deepcopy(world.audits.get(ticket_id, []))

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        """The ticket as the API would show it now; KeyError when there is no such ticket."""
        world = self._api.world
        with world.lock:
            found = world.tickets.get(ticket_id)
            if found is None:
                raise KeyError(ticket_id)
            return world.render_ticket(found, self.url)

    def add_ticket(self, fields: dict[str, Any], notify: bool = True) -> int:
        """A new ticket (see zendesk_new_tickets); with `notify` and a webhook URL set, the
        trigger "ticket created" calls the webhook with `{"ticket_id": "{{ticket.id}}"}`."""
        world = self._api.world
        with world.lock:
            ticket_id = add_ticket(world, fields)
        if notify and self.webhooks.url:
            self.notify_webhook(ticket_id)
        return ticket_id

    def notify_webhook(self, ticket_id: int, duplicate: bool = False) -> list[Delivery]:
        return self.webhooks.notify({"ticket_id": str(ticket_id)}, duplicate)

    def set_search_rate_limit(self, per_minute: int | None) -> None:
        zendesk_search.limit(self._api, per_minute)

    # ---- serving --------------------------------------------------------------------------

    def _serve_api(self, request: ApiRequest, parsed_body: Any) -> ApiResponse | _Dropped:
        entry = self._log.record(
            {
                "method": request.method,
                "path": request.path,
                "query": {k: v[0] if len(v) == 1 else list(v) for k, v in request.query.items()},
                "status": None,
                "body": parsed_body,
                "at": time.time(),
            }
        )
        fault = self._faults.take(request.method, request.path)
        if fault is None and self._chaos is not None:
            fault = self._chaos(request.method, request.path)
        if self._latency:
            time.sleep(self._latency)
        if fault is None:
            outcome: ApiResponse | _Dropped = self._process(request)
        elif fault.apply_first:
            # The request really happens; only its answer is delayed, replaced or lost.
            real = self._process(request)
            time.sleep(fault.delay)
            outcome = self._fault_answer(fault) if fault.replaces_answer else real
        else:
            time.sleep(fault.delay)
            outcome = self._fault_answer(fault) if fault.replaces_answer else self._process(request)
        if isinstance(outcome, ApiResponse):
            self._log.finish(entry, outcome.status)
            if fault is not None:
                outcome.cut, outcome.drip = fault.cut, fault.drip
        return outcome

    def _process(self, request: ApiRequest) -> ApiResponse:
        admitted, headers = self._rate.admit()
        if not admitted:
            return ApiResponse(429, dict(RATE_LIMITED_BODY), headers)
        response = self._api.handle(request)
        response.headers.update(headers)
        return response

    @staticmethod
    def _fault_answer(fault: Fault) -> ApiResponse | _Dropped:
        if fault.drop:
            return _DROP
        assert fault.status is not None  # replaces_answer guarantees a status without drop
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        if isinstance(fault.body, str):
            # Proxies in front of Zendesk answer 502/504 with HTML pages, not JSON.
            return ApiResponse(fault.status, fault.body, headers, "text/html; charset=utf-8")
        body = copy.deepcopy(fault.body) if fault.body is not None else default_body(fault.status)
        return ApiResponse(fault.status, body, headers)

    def _serve_admin(self, method: str, path: str, body: Any) -> ApiResponse:
        ok = ApiResponse(200, {"ok": True})
        try:
            if path == "/_sandbox/reset" and method == "POST":
                self.reset()
                return ok
            if path == "/_sandbox/requests" and method == "GET":
                return ApiResponse(200, self.requests())
            if path == "/_sandbox/requests" and method == "DELETE":
                self.clear_requests()
                return ok
            if path == "/_sandbox/faults" and method == "GET":
                return ApiResponse(200, self.faults())
            if path == "/_sandbox/faults" and method == "DELETE":
                self.clear_faults()
                return ok
            if path == "/_sandbox/faults" and method == "POST":
                arguments = _object(body)
                unknown = sorted(set(arguments) - set(FAULT_KEYS))
                if unknown:
                    raise ValueError(f"unknown fault arguments: {', '.join(unknown)}")
                if "method" not in arguments or "path_pattern" not in arguments:
                    raise ValueError("a fault needs 'method' and 'path_pattern'")
                # null means "the default" for the options that have one.
                options = {
                    k: v
                    for k, v in arguments.items()
                    if k not in ("method", "path_pattern")
                    and not (
                        v is None and k in ("count", "delay", "apply_first", "drop", "cut", "drip")
                    )
                }
                self.inject(arguments["method"], arguments["path_pattern"], **options)
                return ok
            if path == "/_sandbox/latency" and method == "POST":
                self.set_latency(_object(body).get("seconds", 0))
                return ok
            if path == "/_sandbox/rate_limit" and method == "POST":
                self.set_rate_limit(_object(body).get("per_minute"))
                return ok
            if path == "/_sandbox/memberships" and method in ("POST", "DELETE"):
                arguments = _object(body)
                user_id, org_id = arguments.get("user_id"), arguments.get("organization_id")
                if not isinstance(user_id, int) or not isinstance(org_id, int):
                    raise ValueError("a membership needs integer 'user_id' and 'organization_id'")
                try:
                    if method == "POST":
                        self.add_membership(user_id, org_id, bool(arguments.get("default")))
                    else:
                        self.remove_membership(user_id, org_id)
                except KeyError:
                    raise record_not_found() from None
                return ok
            found = re.fullmatch(r"/_sandbox/organizations/(\d+)", path)
            if found and method == "POST":
                arguments = _object(body)
                tags, fields = arguments.get("tags"), arguments.get("organization_fields")
                if tags is not None and not isinstance(tags, list):
                    raise ValueError("'tags' must be a list")
                if fields is not None and not isinstance(fields, dict):
                    raise ValueError("'organization_fields' must be an object")
                try:
                    self.update_organization(int(found.group(1)), tags, fields)
                except KeyError:
                    raise record_not_found() from None
                return ok
            if path == "/_sandbox/tickets" and method == "POST":
                return ApiResponse(201, {"id": self.add_ticket(_object(body))})
            if path == "/_sandbox/webhooks" and method == "POST":
                self.webhooks.url = _object(body).get("url")
                return ApiResponse(200, {"url": self.webhooks.url, "secret": self.webhooks.secret})
            if path == "/_sandbox/webhooks/notify" and method == "POST":
                arguments = _object(body)
                sent = self.notify_webhook(
                    int(arguments.get("ticket_id", "")), bool(arguments.get("duplicate"))
                )
                return ApiResponse(
                    200, [{"status": d.status, "timestamp": d.timestamp} for d in sent]
                )
            if path == "/_sandbox/search_rate_limit" and method == "POST":
                self.set_search_rate_limit(_object(body).get("per_minute"))
                return ok
            found = re.fullmatch(r"/_sandbox/tickets/(\d+)", path)
            if found and method == "GET":
                try:
                    return ApiResponse(200, self.ticket(int(found.group(1))))
                except KeyError:
                    raise record_not_found() from None
            raise invalid_endpoint()
        except ValueError as exc:
            return ApiResponse(400, {"error": "InvalidArgument", "description": str(exc)})
        except ApiError as error:
            return error_response(error)


def _object(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ValueError("the request body must be a JSON object")
    return body


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # Bursts of connections (benchmarks, concurrent tests) overflow the default backlog of 5.
    request_queue_size = 128
    sandbox: ZendeskSandbox

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
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


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 lets clients keep connections alive; every answer carries Content-Length.
    protocol_version = "HTTP/1.1"
    # Buffer the answer so headers and body leave in one write: two small writes on a kept-alive
    # connection meet the client's delayed ACK and cost 40 ms per request.
    wbufsize = -1
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, True)

    def finish(self) -> None:
        self.server.track(self.connection, False)
        with contextlib.suppress(OSError):
            super().finish()

    def do_GET(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.sandbox.verbose:
            super().log_message(format, *args)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self) -> None:
        sandbox = self.server.sandbox
        raw = self._read_body()
        parts = urlsplit(self.path)
        path = parts.path
        query = parse_qs(parts.query, keep_blank_values=True)
        parsed_body: Any = None
        body_error: ApiError | None = None
        try:
            parsed_body = parse_json_body(raw)
        except ApiError as error:
            body_error = error
        if path == "/_sandbox" or path.startswith("/_sandbox/"):
            if body_error is not None:
                self._send(error_response(body_error))
            else:
                self._send(sandbox._serve_admin(self.command, path, parsed_body))
            return
        host = self.headers.get("Host") or urlsplit(sandbox.url).netloc
        request = ApiRequest(
            method=self.command,
            path=path,
            query=query,
            # HTTP header names are case-insensitive: keep them so for lookups.
            headers={name.title(): value for name, value in self.headers.items()},
            body=raw,
            client_ip=self.client_address[0],
            base=f"http://{host}",
        )
        outcome = sandbox._serve_api(request, parsed_body)
        if isinstance(outcome, _Dropped):
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(outcome)

    def _send(self, response: ApiResponse) -> None:
        payload = response.payload()
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            if self.close_connection:
                # The client asked to close (or spoke HTTP/1.0): say so, as HTTP/1.1 wants.
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command == "HEAD":
                pass
            elif response.cut:
                self.wfile.write(payload[: len(payload) // 2])
                self.wfile.flush()
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            elif response.drip:
                self.wfile.flush()
                for offset in range(len(payload)):
                    self.wfile.write(payload[offset : offset + 1])
                    self.wfile.flush()
                    time.sleep(response.drip)
            else:
                self.wfile.write(payload)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a timeout in a test); nothing left to tell it.
            self.close_connection = True


# ---- command line ----------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot sandbox",
        description=(
            "Serve the Zendesk stand-in: a seeded subset of the Zendesk Support API "
            "(tickets, users, organizations, audits) on 127.0.0.1, for demos and manual tests. "
            "It prints the settings that point the bot at it, then serves until Ctrl-C."
        ),
        epilog=(
            "Admin API (no auth): POST /_sandbox/reset, GET|DELETE /_sandbox/requests, "
            "POST|GET|DELETE /_sandbox/faults, POST /_sandbox/latency, "
            "POST /_sandbox/rate_limit, GET /_sandbox/tickets/{id}."
        ),
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        metavar="N",
        help=f"TCP port to listen on (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1; the Zendesk stand-in has no real security)",
    )
    parser.add_argument(
        "--seed",
        metavar="FILE",
        help="JSON seed file describing the world (default: the bundled demo world)",
    )
    parser.add_argument("--verbose", action="store_true", help="log every HTTP request to stderr")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        seed = load_seed_file(args.seed) if args.seed else None
        sandbox = ZendeskSandbox(seed, host=args.host, port=args.port, verbose=args.verbose)
    except SeedError as exc:
        print(f"error: bad seed: {exc}", file=sys.stderr)
        return 2
    try:
        sandbox.start()
    except OSError as exc:
        print(
            f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc} "
            "(try another --port)",
            file=sys.stderr,
        )
        return 1
    email, token = sandbox.credentials
    print(
        f"Zendesk stand-in serving {sandbox.url} "
        f"(seed: {args.seed or 'bundled demo world'})\n"
        "Point the bot at it with:\n"
        f"  ZENDESK_URL={sandbox.url}\n"
        f"  ZENDESK_EMAIL={email}\n"
        f"  ZENDESK_API_TOKEN={token}\n"
        f"(or ZENDESK_OAUTH_TOKEN={sandbox.oauth_token} instead of email and token)\n"
        f"Admin API: {sandbox.url}/_sandbox/ (reset, requests, faults). Ctrl-C stops it.",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    print("Zendesk stand-in stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
