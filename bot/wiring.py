"""The one place that builds the object graph: Settings -> Zendesk client -> gateway -> fixes."""

from __future__ import annotations

from bot.config import Settings
from bot.domain.models import ProcessRules
from bot.fixes import SETTLE_WAIT, Fixes
from bot.zendesk.client import ZendeskAuth, ZendeskClients
from bot.zendesk.gateway import FieldIds, ZendeskGateway


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
