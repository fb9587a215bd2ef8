"""HTTP front of the Slack stand-in: the Web API and response URLs.

Routes:
- `GET|POST /api/<method>`: Slack's Web API; arguments from the query string, a form body or a
  JSON body, merged (slack_sdk sends some methods as JSON and others as GET or forms).
- `GET|POST /_response/<id>`: the response_url issued with a command or an interaction.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from standins.loopback import LoopbackHandler, Routes

from .webapi import ApiReply, WebApi, failure

# (handler, the stand-in's WebApi, the query string, the body, the path's group) -> the reply.
_route: Routes[Callable[[Handler, WebApi, str, bytes, str], ApiReply | None]] = Routes()


class Handler(LoopbackHandler):
    def dispatch(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        raw = self.read_body()
        found = _route.find(self.command, parts.path)
        if found is None:
            self._send_json(404, failure("not_found"))
            return
        answer, (name,) = found
        reply = answer(self, self.server.owner.api, parts.query, raw, name)
        if reply is not None:
            if reply.delay > 0:
                time.sleep(reply.delay)
            self._send_json(reply.status, reply.body, reply.headers)

    def _send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.send(status, json.dumps(body).encode(), headers=headers)


@_route("GET", "/api/(.+)")
@_route("POST", "/api/(.+)")
def _web_api(handler: Handler, api: WebApi, query: str, raw: bytes, method: str) -> ApiReply | None:
    args: dict[str, Any] = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    content_type = (handler.headers.get("Content-Type") or "").lower()
    if raw and "json" in content_type:
        try:
            decoded = json.loads(raw)
        except ValueError:
            decoded = None
        if not isinstance(decoded, dict):
            handler._send_json(200, failure("invalid_json"))
            return None
        args.update(decoded)
    elif raw:
        args.update(urllib.parse.parse_qsl(raw.decode("utf-8", "replace"), True))
    auth = handler.headers.get("Authorization") or ""
    bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else None
    return api.handle(method, args, bearer)


@_route("GET", "/_response/(.+)")
@_route("POST", "/_response/(.+)")
def _response_url(handler: Handler, api: WebApi, query: str, raw: bytes, ident: str) -> ApiReply:
    return api.respond(ident, raw)
