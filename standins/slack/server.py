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
from typing import Any

from standins.loopback import LoopbackHandler

from .webapi import ApiReply, WebApi, failure


class Handler(LoopbackHandler):
    def dispatch(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        raw = self.read_body()
        path = parts.path
        api: WebApi = self.server.owner.api
        if path.startswith("/api/"):
            self._web_api(api, path.removeprefix("/api/"), parts.query, raw)
        elif path.startswith("/_response/"):
            self._send_reply(api.respond(path.removeprefix("/_response/"), raw))
        else:
            self._send_json(404, failure("not_found"))

    def _web_api(self, api: WebApi, method: str, query: str, raw: bytes) -> None:
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
        self._send_reply(api.handle(method, args, bearer))

    def _send_reply(self, reply: ApiReply) -> None:
        if reply.delay > 0:
            time.sleep(reply.delay)
        self._send_json(reply.status, reply.body, reply.headers)

    def _send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.send(status, json.dumps(body).encode(), headers=headers)
