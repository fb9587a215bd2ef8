"""The one place that builds the object graph: Settings -> Zendesk client -> gateway -> fixes."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from bot.alerts import ALERT_WINDOW, memory_folder
from bot.config import Settings
from bot.domain.models import ProcessRules
from bot.fixes import SETTLE_WAIT, Fixes
from bot.zendesk.client import ZendeskAuth, ZendeskClients
from bot.zendesk.gateway import FieldIds, ZendeskGateway
from bot.zendesk_events import WebhookCheck, ZendeskEvents

if TYPE_CHECKING:
    from bot.slack.alerts import Alerts

log = logging.getLogger(__name__)


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


def build_alerts(settings: Settings, fixes: Fixes, memory: Path | None = None) -> Alerts | None:
    """Alerts in SLACK_ALERT_CHANNEL; None when no channel is set. The 10-minute memory is a
    folder every process of this deployment on this machine shares (see bot/alerts.py)."""
    from bot.slack.alerts import AlertPoster, Alerts
    from bot.slack.app import create_client, create_lookup_client
    from bot.slack.guard import SeenSignatures
    from bot.slack.sharing import Rooms

    channel = settings.SLACK_ALERT_CHANNEL
    if channel is None:
        return None
    folder = memory or memory_folder(f"{settings.zendesk_base_url}|{channel}")
    poster = AlertPoster(
        create_client(settings),
        Rooms(create_lookup_client(settings)),
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
