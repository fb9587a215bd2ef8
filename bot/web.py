"""The WSGI routes: POST /slack/events (Bolt, behind the door check), POST /zendesk/events
(Zendesk's webhook, when ZENDESK_WEBHOOK_SECRET is set) and GET /healthz.

Only the routes: bot/wiring.py builds what they serve (`create()` is the Procfile's app).
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.slack.ack_first import answering
from bot.slack.guard import MAX_BODY, Refused, RequestGuard
from bot.zendesk_events import MAX_BODY as MAX_EVENT_BODY
from bot.zendesk_events import ZendeskEvents

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
ZENDESK_EVENTS_PATH = "/zendesk/events"
_STATUS = {200: "200 OK", 400: "400 Bad Request", 401: "401 Unauthorized"}
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _answer(start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


def _read_body(environ: dict[str, Any]) -> bytes | None:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length < 0 or length > MAX_BODY:
        return None
    body: bytes = environ["wsgi.input"].read(length) if length else b""
    # Short means the client stopped sending (or the server gave up waiting: bot/worker.py).
    return body if len(body) == length else None


def wsgi_app(app: App, guard: RequestGuard, zendesk_events: ZendeskEvents | None = None) -> WsgiApp:
    events = SlackRequestHandler(app, path=EVENTS_PATH)

    def events_route(
        environ: dict[str, Any], start_response: StartResponse, method: str
    ) -> Iterable[bytes]:
        if method != "POST":
            return _answer(start_response, "405 Method Not Allowed", {"ok": False})
        body = _read_body(environ)
        if body is None:
            return _answer(start_response, "400 Bad Request", {"error": "bad_length"})
        try:
            guard.check(
                environ.get("CONTENT_TYPE") or "",
                environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
                environ.get("HTTP_X_SLACK_SIGNATURE"),
                body,
            )
        except Refused as refused:
            log.info("refused a request", extra={"reason": refused.reason})
            status = "401 Unauthorized" if refused.status == 401 else "400 Bad Request"
            return _answer(start_response, status, {"error": refused.reason})
        environ["wsgi.input"] = io.BytesIO(body)
        return events(environ, start_response)

    def route(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        method = environ.get("REQUEST_METHOD") or "GET"
        if path == "/healthz":
            if method not in ("GET", "HEAD"):
                return _answer(start_response, "405 Method Not Allowed", {"ok": False})
            # Touches neither Slack nor Zendesk: it says this process can check and serve a
            # request, so the platform takes a worker that cannot out of rotation.
            if not guard.ready():
                log.warning("not ready: the door check cannot run")
                return _answer(
                    start_response,
                    "503 Service Unavailable",
                    {"ok": False, "service": "partner-fix", "error": "guard_not_ready"},
                )
            return _answer(start_response, "200 OK", {"ok": True, "service": "partner-fix"})
        if path == EVENTS_PATH:
            # Counted as being answered until gunicorn has written the answer: the pools that
            # start after-ack work hold it till then (bot/slack/ack_first.py).
            answering.enter()
            try:
                answer = events_route(environ, start_response, method)
            except BaseException:
                answering.leave()
                raise
            return answering.track(answer)
        if path == ZENDESK_EVENTS_PATH and zendesk_events is not None:
            # Without ZENDESK_WEBHOOK_SECRET the route does not exist (404, below).
            if method != "POST":
                return _answer(start_response, "405 Method Not Allowed", {"ok": False})
            body = _read_body(environ)
            if body is None or len(body) > MAX_EVENT_BODY:
                return _answer(start_response, "400 Bad Request", {"error": "bad_length"})
            code, said = zendesk_events.answer(
                environ.get("HTTP_X_ZENDESK_WEBHOOK_SIGNATURE_TIMESTAMP"),
                environ.get("HTTP_X_ZENDESK_WEBHOOK_SIGNATURE"),
                body,
            )
            return _answer(start_response, _STATUS[code], said)
        return _answer(start_response, "404 Not Found", {"ok": False, "error": "not_found"})

    return route
