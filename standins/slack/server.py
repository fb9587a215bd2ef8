"""HTTP front of the Slack stand-in: the Web API and response URLs.

Routes:
- `GET|POST /api/<method>`: Slack's Web API; arguments from the query string, a form body or a
  JSON body, merged (slack_sdk sends some methods as JSON and others as GET or forms).
- `POST /_response/<id>`: the response_url issued with a command or an interaction.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .webapi import ApiReply, WebApi, failure


class StandInServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # Bursts of connections (benchmarks, concurrent tests) overflow the default backlog of 5.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], api: WebApi) -> None:
        super().__init__(address, _Handler)
        self.api = api


class _Handler(BaseHTTPRequestHandler):
    server: StandInServer
    # HTTP/1.1 keeps connections open for clients that pool them (requests, benchmarks).
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:
        # Quiet: tests read the call log instead of stderr noise.
        return

    def _dispatch(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        raw = self._read_body()
        path = parts.path
        if path.startswith("/api/"):
            self._web_api(path.removeprefix("/api/"), parts.query, raw)
        elif path.startswith("/_response/"):
            reply = self.server.api.respond(path.removeprefix("/_response/"), raw)
            self._send_reply(reply)
        else:
            self._send_json(404, failure("not_found"))

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _web_api(self, method: str, query: str, raw: bytes) -> None:
        args: dict[str, Any] = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        content_type = (self.headers.get("Content-Type") or "").lower()
        if raw and "json" in content_type:
            try:
                decoded = json.loads(raw)
            except ValueError:
                decoded = None
            if not isinstance(decoded, dict):
                self._send_json(200, failure("invalid_json"))
                return
            args.update(decoded)
        elif raw:
            args.update(urllib.parse.parse_qsl(raw.decode("utf-8", "replace"), True))
        auth = self.headers.get("Authorization") or ""
        bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        self._send_reply(self.server.api.handle(method, args, bearer))

    def _send_reply(self, reply: ApiReply) -> None:
        if reply.delay > 0:
            time.sleep(reply.delay)
        self._send_json(reply.status, reply.body, reply.headers)

    def _send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body).encode()
        self._send(status, payload, "application/json; charset=utf-8", headers or {})

    def _send(
        self, status: int, payload: bytes, content_type: str, headers: dict[str, str]
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
