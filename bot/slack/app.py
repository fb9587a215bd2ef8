"""create_app: the Bolt app with its listeners, pointed at the configured Slack Web API."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.config import Settings
from bot.fixes import Fixes
from bot.slack import access, listeners

# Slow Zendesk calls run here after ack(); enough workers that they never queue an ack.
LISTENER_WORKERS = 32


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
        # Bolt's default is false for slash commands and interactivity; requests are acked
        # before the slow work in every listener.
        process_before_response=False,
        listener_executor=ThreadPoolExecutor(
            max_workers=LISTENER_WORKERS, thread_name_prefix="listener"
        ),
    )
    members = (
        access.Members(client, settings.SLACK_ALLOWED_USERGROUP)
        if settings.SLACK_ALLOWED_USERGROUP
        else None
    )
    app.use(access.middleware(members))
    listeners.register(app, fixes)
    return app
