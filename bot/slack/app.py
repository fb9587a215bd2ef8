"""create_app: the Bolt app with its listeners, pointed at the configured Slack Web API."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.config import Settings
from bot.fixes import Fixes
from bot.slack import listeners
from bot.slack.access import Access
from bot.slack.access_cache import Directory
from bot.slack.ack_first import AfterAnswers
from bot.slack.sharing import Rooms
from bot.slack.work import Work

# Acks happen in the request thread. What follows (Slack calls only: open a modal, post
# "working…") runs on the listeners' own pools (opening.Opener, handoff.Handoff); Zendesk calls
# on a pool of their own (see flows.Work). Bolt's pool is left for any lazy function.
SLACK_WORKERS = 32
ZENDESK_WORKERS = 64


def create_client(settings: Settings) -> WebClient:
    client = WebClient(
        token=settings.SLACK_BOT_TOKEN, base_url=str(settings.SLACK_API_URL), timeout=10
    )
    # One polite retry on `ratelimited`, honouring Retry-After; more would delay the user.
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    return client


def create_lookup_client(settings: Settings) -> WebClient:
    """For the access and sharing lookups: no retry handler (a sleep on Retry-After would hold
    a request's decision), and a short timeout; access_cache retries on its own schedule."""
    return WebClient(
        token=settings.SLACK_BOT_TOKEN, base_url=str(settings.SLACK_API_URL), timeout=5
    )


def create_access(settings: Settings, client: WebClient | None = None) -> Access:
    directory = Directory(
        client or create_lookup_client(settings), settings.SLACK_ALLOWED_USERGROUP
    )
    return Access(directory, settings.SLACK_BOT_TOKEN or "")


def create_app(
    settings: Settings,
    fixes: Fixes,
    client: WebClient | None = None,
    access: Access | None = None,
) -> App:
    client = client or create_client(settings)
    access = access or create_access(settings)
    app = App(
        client=client,
        signing_secret=settings.SLACK_SIGNING_SECRET or "",
        # Bolt's default (a token alone) calls auth.test at start, or on the first request of
        # each worker, before the ack. This answers from the settings and the cached auth.test:
        # the bot boots and acks even when Slack is slow; `python -m bot check` tests the token.
        authorize=access.authorize(),
        # Every listener is an ack function (no I/O) that hands the rest to a pool: with this,
        # Bolt runs the ack in the request thread and answers Slack as soon as it returns,
        # whatever the pools are doing.
        process_before_response=True,
        # Lazy functions, should a listener use them, wait as the other pools do until the
        # instance has answered the requests in hand (ack_first.py).
        listener_executor=AfterAnswers(max_workers=SLACK_WORKERS, thread_name_prefix="slack"),
    )
    app.use(access.middleware())
    # The sharing lookups share the access lookups' client: no retry sleeps after the ack either.
    rooms = Rooms(access.directory.client)
    listeners.register(app, fixes, Work(ZENDESK_WORKERS), access, rooms)
    return app
