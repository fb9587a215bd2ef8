"""The one place that builds the object graph:

Settings -> Zendesk clients -> gateway -> Fixes -> Slack clients -> access, rooms, work, opener,
handoff -> Conversation -> Bolt app -> WSGI app (behind the door guard).

`create()` is what the Procfile's gunicorn loads; `python -m bot` (bot/serve.py), the harness
and the tests build the same graph through the functions below, each taking what it may be
given instead (a test's access, a guard over a test's folder).
"""

from __future__ import annotations

import gc
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.alerts import ALERT_WINDOW, memory_folder
from bot.config import Settings, settings_or_exit
from bot.domain.models import ProcessRules
from bot.fixes import SETTLE_WAIT, Fixes
from bot.logs import configure
from bot.slack.access import Access
from bot.slack.access_cache import Directory
from bot.slack.app import build_app
from bot.slack.conversation import Conversation
from bot.slack.guard import RequestGuard
from bot.slack.handoff import Handoff
from bot.slack.opening import Opener
from bot.slack.sharing import Rooms
from bot.slack.work import Work
from bot.web import WsgiApp, wsgi_app
from bot.zendesk.client import ZendeskAuth, ZendeskClients
from bot.zendesk.gateway import FieldIds, ZendeskGateway
from bot.zendesk_events import WebhookCheck, ZendeskEvents

if TYPE_CHECKING:
    from bot.slack.alerts import Alerts

log = logging.getLogger(__name__)

# Zendesk calls wait on a pool of their own (bot/slack/work.py).
ZENDESK_WORKERS = 64


# ---- Zendesk and the use case ------------------------------------------------------------


def build_gateway(settings: Settings) -> ZendeskGateway:
    base_url = settings.zendesk_base_url
    if base_url is None:
        raise ValueError("ZENDESK_SUBDOMAIN or ZENDESK_URL is required")
    clients = ZendeskClients(
        base_url,
        ZendeskAuth(
            email=settings.ZENDESK_EMAIL,
            api_token=settings.ZENDESK_API_TOKEN,
            oauth_token=settings.ZENDESK_OAUTH_TOKEN,
        ),
    )
    fields = FieldIds(
        org_email=settings.ZENDESK_ORG_EMAIL_FIELD_ID,
        cc_requests=settings.ZENDESK_CC_REQUEST_FIELD_IDS,
        plan_field=settings.ZENDESK_PLAN_FIELD,
        partner_org_field=settings.ZENDESK_PARTNER_ORG_FIELD,
        customer_name=settings.ZENDESK_CUSTOMER_NAME_FIELD_ID,
        customer_org=settings.ZENDESK_CUSTOMER_ORG_FIELD_ID,
    )
    rules = ProcessRules(
        partner_org_tags=frozenset(settings.ZENDESK_PARTNER_ORG_TAGS),
        partner_org_values=frozenset(settings.ZENDESK_PARTNER_ORG_VALUES),
        partner_form_id=settings.ZENDESK_PARTNER_FORM_ID,
    )
    return ZendeskGateway(clients, fields, rules)


def build_fixes(
    settings: Settings, gateway: ZendeskGateway | None = None, settle_wait: float = SETTLE_WAIT
) -> Fixes:
    return Fixes(
        gateway or build_gateway(settings),
        instance_host=settings.zendesk_instance_host,
        help_center_hosts=settings.ZENDESK_HELP_CENTER_HOSTS,
        settle_wait=settle_wait,
        large_files_url=str(settings.SUPPORT_LARGE_FILES_URL),
    )


# ---- Slack -------------------------------------------------------------------------------


def build_slack_client(settings: Settings) -> WebClient:
    client = WebClient(
        token=settings.SLACK_BOT_TOKEN, base_url=str(settings.SLACK_API_URL), timeout=10
    )
    # One polite retry on `ratelimited`, honouring Retry-After; more would delay the user.
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    return client


def build_lookup_client(settings: Settings) -> WebClient:
    """For the access and sharing lookups: no retry handler (a sleep on Retry-After would hold
    a request's decision), and a short timeout; access_cache retries on its own schedule."""
    return WebClient(
        token=settings.SLACK_BOT_TOKEN, base_url=str(settings.SLACK_API_URL), timeout=5
    )


def build_access(settings: Settings, client: WebClient | None = None) -> Access:
    directory = Directory(client or build_lookup_client(settings), settings.SLACK_ALLOWED_USERGROUP)
    return Access(directory, settings.SLACK_BOT_TOKEN or "")


def build_conversation(fixes: Fixes, access: Access) -> Conversation:
    # The sharing lookups share the access lookups' client: no retry sleeps after the ack either.
    rooms = Rooms(access.directory.client)
    return Conversation(fixes, Work(ZENDESK_WORKERS), rooms, Opener(), Handoff())


def build_slack_app(
    settings: Settings, fixes: Fixes | None = None, access: Access | None = None
) -> App:
    fixes = fixes or build_fixes(settings)
    access = access or build_access(settings)
    return build_app(
        build_slack_client(settings),
        settings.SLACK_SIGNING_SECRET or "",
        access,
        build_conversation(fixes, access),
    )


# ---- the web -----------------------------------------------------------------------------


def build_wsgi(
    settings: Settings, fixes: Fixes | None = None, guard: RequestGuard | None = None
) -> WsgiApp:
    """The routes over the Bolt app, behind the door check, and Zendesk's webhook door."""
    fixes = fixes or build_fixes(settings)
    return wsgi_app(
        build_slack_app(settings, fixes),
        guard or RequestGuard(settings.SLACK_SIGNING_SECRET or ""),
        build_zendesk_events(settings, fixes),
    )


def create() -> WsgiApp:
    """The Procfile's app (`gunicorn 'bot.wiring:create()'`), built once in the master from
    the environment; missing settings exit 2, naming each."""
    settings = settings_or_exit(need=("slack", "zendesk"))
    configure(settings.LOG_LEVEL)
    route = build_wsgi(settings)
    # What is built now lives as long as the process: out of the collector's sight. A full
    # collection otherwise walks the ~56k objects of the libraries and the app (about 35 ms on
    # 2 busy cores, 4x a bare Bolt app's, holding the GIL), and one that falls in a burst holds
    # every ack of that worker. Done before gunicorn forks (the app is preloaded), so the
    # workers also keep those pages shared.
    gc.collect()
    gc.freeze()
    return route


# ---- alerts ------------------------------------------------------------------------------


def build_alerts(settings: Settings, fixes: Fixes, memory: Path | None = None) -> Alerts | None:
    """Alerts in SLACK_ALERT_CHANNEL; None when no channel is set. The 10-minute memory is a
    folder every process of this deployment on this machine shares (see bot/alerts.py)."""
    from bot.slack.alerts import AlertPoster, Alerts
    from bot.slack.guard import SeenSignatures
    from bot.slack.sharing import Rooms

    channel = settings.SLACK_ALERT_CHANNEL
    if channel is None:
        return None
    folder = memory or memory_folder(f"{settings.zendesk_base_url}|{channel}")
    poster = AlertPoster(
        build_slack_client(settings),
        Rooms(build_lookup_client(settings)),
        channel,
        SeenSignatures(folder, window=ALERT_WINDOW, prefix="alerts"),
    )
    return Alerts(fixes, poster)


def build_zendesk_events(settings: Settings, fixes: Fixes) -> ZendeskEvents | None:
    """The webhook door; None (so POST /zendesk/events is 404) without ZENDESK_WEBHOOK_SECRET."""
    secret = settings.ZENDESK_WEBHOOK_SECRET
    if secret is None:
        return None
    alerts = build_alerts(settings, fixes)
    if alerts is None:

        def nowhere(ticket_id: int) -> None:
            log.warning("no SLACK_ALERT_CHANNEL: no alert posted", extra={"ticket_id": ticket_id})

        return ZendeskEvents(WebhookCheck(secret), nowhere)
    return ZendeskEvents(WebhookCheck(secret), alerts.handle)
