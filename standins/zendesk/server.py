"""An embedded, seeded stand-in for the Zendesk Support API, served over real HTTP.

`ZendeskSandbox` serves on a daemon thread; tests, the demo and benchmarks point the bot (or
zenpy) at `sandbox.url`. Its control methods marked `@_admin` also answer unauthenticated HTTP
under `/_sandbox/` (a JSON body holds their keyword arguments; `{"ok": true}` when they return
nothing), so other processes can reset it, read the request log and inject faults:
`POST reset`, `GET|DELETE requests`, `GET|POST|DELETE faults`, `POST latency {"seconds"}`,
`POST rate_limit {"per_minute"}`, `POST search_rate_limit {"per_minute"}`, `GET tickets/{id}`.

This package imports nothing from the rest of `bot`: a stand-in that shared code with the client
it stands in for would test nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import sys
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pydantic import validate_call

from standins.loopback import Answer, Loopback, LoopbackHandler, Routes
from standins.zendesk import search  # noqa: F401  (it adds the search route to the API's)
from standins.zendesk.api import (
    ApiRequest,
    ZendeskApi,
    error_response,
    parse_json_body,
)
from standins.zendesk.errors import INVALID_ENDPOINT, ApiError, JsonDict, default_body
from standins.zendesk.faults import Fault, RateLimiter, Seconds
from standins.zendesk.webhooks import Delivery, Webhooks
from standins.zendesk.world import SeedError, World, bundled_seed, load_seed_file

__all__ = ["SeedError", "ZendeskSandbox", "main"]

DEFAULT_PORT = 8765

# The admin API: /_sandbox/<path> -> a ZendeskSandbox method (path groups: its leading ids).
_admin: Routes[Callable[..., Any]] = Routes("/_sandbox/")


class _Handler(LoopbackHandler):
    def dispatch(self) -> None:
        sandbox: ZendeskSandbox = self.server.owner
        raw = self.read_body()
        parts = urlsplit(self.path)
        parsed_body, body_error = None, None
        try:
            parsed_body = parse_json_body(raw)
        except ApiError as error:
            body_error = error
        if (parts.path + "/").startswith("/_sandbox/"):
            if body_error:
                self.send(error_response(body_error))
            else:
                self.send(sandbox._serve_admin(self.command, parts.path, parsed_body))
            return
        request = ApiRequest(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            # HTTP header names are case-insensitive: keep them so for lookups.
            headers={name.title(): value for name, value in self.headers.items()},
            body=raw,
            client_ip=self.client_address[0],
            base=f"http://{self.headers.get('Host') or urlsplit(sandbox.url).netloc}",
        )
        outcome = sandbox._serve_api(request, parsed_body)
        if outcome is None:
            self.hang_up()
        else:
            self.send(outcome)


class ZendeskSandbox(Loopback):
    """A seeded Zendesk Support API on 127.0.0.1, with fault injection for tests."""

    handler = _Handler

    def __init__(
        self,
        seed: dict[str, Any] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        verbose: bool = False,
    ) -> None:
        super().__init__(host, port)
        self._seed: JsonDict = copy.deepcopy(seed) if seed is not None else bundled_seed()
        world = World.from_seed(self._seed)  # raises SeedError before anything listens
        self._api = ZendeskApi(world)
        self.verbose = verbose
        self._rate = RateLimiter()
        # Faults still pending (first registered first served) and the request log (every API
        # request in arrival order, admin calls excluded), both guarded by `_lock`.
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._log: list[JsonDict] = []
        self._latency = 0.0
        self._chaos: Callable[[str, str], Fault | None] | None = None
        api_user_id, api_token = world.primary_api_token
        self.credentials: tuple[str, str] = (world.users[api_user_id].email or "", api_token)
        self.oauth_token: str = world.primary_oauth_token or ""
        # The webhook a trigger notifies when a ticket is created (webhooks.py).
        self.webhooks = Webhooks()

    @property
    def url(self) -> str:
        """Where the API is served, once started ("" before)."""
        return self.base_url if self._port else ""

    @property
    def world(self) -> World:
        """The records as they are now (reset replaces them): tests change memberships and
        organizations, or add users, through its methods, which lock it."""
        return self._api.world

    # ---- controls -------------------------------------------------------------------------

    @_admin("POST", "reset")
    def reset(self) -> None:
        """Back to the seed: state, request log, faults (and chaos), latency and rate limit."""
        self._api.world = World.from_seed(self._seed)
        self.clear_requests()
        self.clear_faults()
        self._chaos = None
        self._latency = 0.0
        self._rate.configure(None)
        self._api.search_limit.configure(None)

    @_admin("GET", "requests")
    def requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._log)

    @_admin("DELETE", "requests")
    def clear_requests(self) -> None:
        with self._lock:
            self._log.clear()

    @_admin("POST", "faults")
    def inject(self, method: str, path_pattern: str, **options: Any) -> None:
        """Give the next `count` API requests matching method and path (re.fullmatch) a fault:
        `Fault`'s options (status, count, retry_after, body, delay, apply_first, drop, cut,
        drip); ValueError when they do not make one."""
        fault = Fault.build(method, path_pattern, **options)
        with self._lock:
            self._faults.append(fault)

    @_admin("DELETE", "faults")
    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def set_chaos(self, chooser: Callable[[str, str], Fault | None] | None) -> None:
        """Ask `chooser(method, path)` for a fault for every API request that no injected fault
        matched (None: answer normally): faults at a rate, for benchmarks under faults."""
        self._chaos = chooser

    @_admin("GET", "faults")
    def faults(self) -> list[dict[str, Any]]:
        with self._lock:
            return [fault.model_dump(mode="json") for fault in self._faults]

    @_admin("POST", "latency")
    @validate_call
    def set_latency(self, seconds: Seconds) -> None:
        self._latency = seconds

    @_admin("POST", "rate_limit")
    def set_rate_limit(self, per_minute: int | None) -> None:
        self._rate.configure(per_minute)

    @_admin("POST", "search_rate_limit")
    def set_search_rate_limit(self, per_minute: int | None) -> None:
        self._api.search_limit.configure(per_minute)

    @_admin("GET", r"tickets/(\d+)")
    def ticket(self, ticket_id: int) -> dict[str, Any]:
        """The ticket as the API would show it now; KeyError when there is no such ticket."""
        with self.world.lock:
            return self.world.render_ticket(self.world.tickets[ticket_id], self.url)

    def add_ticket(self, fields: dict[str, Any], notify: bool = True) -> int:
        """A new ticket (see World.add_ticket); with `notify` and a webhook URL set, the
        trigger "ticket created" calls the webhook with `{"ticket_id": "{{ticket.id}}"}`."""
        ticket_id = self.world.add_ticket(fields)
        if notify and self.webhooks.url:
            self.notify_webhook(ticket_id)
        return ticket_id

    def notify_webhook(self, ticket_id: int, duplicate: bool = False) -> list[Delivery]:
        return self.webhooks.notify({"ticket_id": str(ticket_id)}, duplicate)

    # ---- serving --------------------------------------------------------------------------

    def _serve_api(self, request: ApiRequest, parsed_body: Any) -> Answer | None:
        """The answer, or None when a fault drops the connection instead. The request is
        logged on arrival, its status None until answered (and for ever if dropped)."""
        entry = {
            "method": request.method,
            "path": request.path,
            "query": {k: v[0] if len(v) == 1 else list(v) for k, v in request.query.items()},
            "status": None,
            "body": parsed_body,
            "at": time.time(),
        }
        with self._lock:
            self._log.append(entry)
            fault = next((f for f in self._faults if f.matches(request.method, request.path)), None)
            if fault is not None:
                fault.count -= 1  # used up once its count is
                self._faults = [f for f in self._faults if f.count > 0]
        if fault is None and self._chaos is not None:
            fault = self._chaos(request.method, request.path)
        if self._latency:
            time.sleep(self._latency)
        if fault is None:
            return self._finish(entry, self._process(request), None)
        real = self._process(request) if fault.apply_first else None
        time.sleep(fault.delay)
        if not fault.replaces_answer:
            return self._finish(entry, self._process(request) if real is None else real, fault)
        if fault.drop:
            return None
        assert fault.status is not None  # replaces_answer guarantees a status without drop
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        if isinstance(fault.body, str):
            # Proxies in front of Zendesk answer 502/504 with HTML pages, not JSON.
            answer = Answer(fault.status, fault.body, headers, "text/html; charset=utf-8")
        else:
            body = default_body(fault.status) if fault.body is None else copy.deepcopy(fault.body)
            answer = Answer(fault.status, body, headers)
        return self._finish(entry, answer, fault)

    def _finish(self, entry: JsonDict, answer: Answer, fault: Fault | None) -> Answer:
        with self._lock:
            entry["status"] = answer.status
        if fault is not None:
            answer.cut, answer.drip = fault.cut, fault.drip
        return answer

    def _process(self, request: ApiRequest) -> Answer:
        admitted, headers = self._rate.admit()
        if not admitted:
            return Answer(429, default_body(429), headers)
        response = self._api.handle(request)
        response.headers.update(headers)
        return response

    def _serve_admin(self, method: str, path: str, body: Any) -> Answer:
        try:
            found = _admin.find(method, path)
            if found is None:
                return error_response(ApiError(404, INVALID_ENDPOINT))
            control, ids = found
            if body is not None and not isinstance(body, dict):
                raise ValueError("the request body must be a JSON object")
            result = control(self, *map(int, ids), **(body or {}))
        except (TypeError, ValueError) as exc:  # arguments missing, unknown or out of range
            return Answer(400, {"error": "InvalidArgument", "description": str(exc)})
        except KeyError:
            return error_response(ApiError(404))
        except ApiError as error:
            return error_response(error)
        return Answer(200, {"ok": True} if result is None else result)


# ---- command line ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot sandbox",
        description=(
            "Serve the Zendesk stand-in: a seeded subset of the Zendesk Support API "
            "(tickets, users, organizations, audits) on 127.0.0.1, for demos and manual tests. "
            "It prints the settings that point the bot at it, then serves until Ctrl-C."
        ),
        epilog="Admin API (no auth) under /_sandbox/: reset, requests, faults, latency, "
        "rate_limit, tickets/{id} (see standins/zendesk/server.py).",
    )
    add = parser.add_argument
    add("--port", type=int, default=DEFAULT_PORT, help="port (default %(default)s; 0: any free)")
    add("--host", default="127.0.0.1", help="address to bind (the stand-in has no security)")
    add("--seed", metavar="FILE", help="JSON seed file (default: the bundled demo world)")
    add("--verbose", action="store_true", help="log every HTTP request to stderr")
    args = parser.parse_args(argv)
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
    with sandbox, contextlib.suppress(KeyboardInterrupt):
        while True:
            time.sleep(3600)
    print("Zendesk stand-in stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
