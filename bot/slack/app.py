"""create_app: the Bolt app with its listeners, pointed at the configured Slack Web API."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.config import Settings
from bot.fixes import Fixes
from bot.slack import access, listeners
from bot.slack.flows import Work

# Acks happen in the request thread. Lazy functions (Slack calls only: open a modal, post
# "working…") run on Bolt's pool; Zendesk calls on a pool of their own (see flows.Work).
SLACK_WORKERS = 32
ZENDESK_WORKERS = 64


def create_client(settings: Settings) -> WebClient:
    client = WebClient(
        token=settings.SLACK_BOT_TOKEN, base_url=str(settings.SLACK_API_URL), timeout=10
    )
    # One polite retry on `ratelimited`, honouring Retry-After; more would delay the user.
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    return client


def create_app(settings: Settings, fixes: Fixes, client: WebClient | None = None) -> App:
    client = client or create_client(settings)
    app = App(
        client=client,
        signing_secret=settings.SLACK_SIGNING_SECRET or "",
        # No auth.test at start: the bot must boot (and answer /healthz) even if Slack is slow;
        # `python -m bot check` verifies the token instead.
        token_verification_enabled=False,
        # Every listener is an `ack=` function (no I/O) plus lazy functions: with this, Bolt runs
        # the ack in the request thread and answers Slack as soon as it returns, whatever the
        # pools are doing.
        process_before_response=True,
        listener_executor=ThreadPoolExecutor(max_workers=SLACK_WORKERS, thread_name_prefix="slack"),
    )
    members = (
        access.Members(client, settings.SLACK_ALLOWED_USERGROUP)
        if settings.SLACK_ALLOWED_USERGROUP
        else None
    )
    app.use(access.middleware(members))
    listeners.register(app, fixes, Work(ZENDESK_WORKERS))
    return app
