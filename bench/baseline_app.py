"""The ack benchmark's baseline: the smallest Bolt app that answers the bot's three surfaces.

`gunicorn --config gunicorn.conf.py 'bench.baseline_app:create()'` serves it with the Procfile's
gunicorn settings (worker class, 2 workers x 32 threads, preload, JSON logging config); only the
app differs. Each listener calls `ack()` and opens a one-block modal in a lazy function, in the
same Bolt mode as the bot (`process_before_response=True`, the ack in the request thread).
What the bot adds before its answer, and the baseline has not: its door (RequestGuard:
signature, the 5-minute window, content type, the replay store), the access middleware, its
routing and logging. The baseline keeps Bolt's own signature check and nothing else.

Settings come from the same environment as the bot's (SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN,
SLACK_API_URL), so both are pointed at the same Slack stand-in with the same secret.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

COMMAND = "/partner-fix"
SHORTCUT = "partner_fix_message"
APPLY = "partner_fix_apply"
VIEW: dict[str, Any] = {
    "type": "modal",
    "callback_id": "baseline",
    "title": {"type": "plain_text", "text": "Baseline"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Acked."}}],
}

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _ack(ack: Ack) -> None:
    ack()


def _open(body: dict[str, Any], client: WebClient) -> None:
    client.views_open(trigger_id=str(body.get("trigger_id") or ""), view=VIEW)


def build_app(token: str, signing_secret: str, api_url: str) -> App:
    # auth.test runs once here, in gunicorn's master (the app is preloaded), as Bolt's default.
    app = App(
        client=WebClient(token=token, base_url=api_url),
        signing_secret=signing_secret,
        process_before_response=True,
    )
    app.command(COMMAND)(ack=_ack, lazy=[_open])
    app.shortcut(SHORTCUT)(ack=_ack, lazy=[_open])
    app.action(APPLY)(ack=_ack, lazy=[_open])
    return app


def create() -> WsgiApp:
    app = build_app(
        os.environ["SLACK_BOT_TOKEN"],
        os.environ["SLACK_SIGNING_SECRET"],
        os.environ.get("SLACK_API_URL", "https://slack.com/api/"),
    )
    handler = SlackRequestHandler(app)

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":  # the bench waits on it, as for the bot
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b'{"ok": true}']
        return handler(environ, start_response)

    return serve
