"""HTTP clients for the Zendesk stand-in's API and its admin API (the stand-in itself is the root
conftest's `zendesk`)."""

from __future__ import annotations

import pytest

from standins.zendesk import ZendeskSandbox
from tests.standins.zendesk_http import Http, basic


@pytest.fixture()
def zendesk_api(zendesk: ZendeskSandbox) -> Http:
    """Authenticated as the seed's API user (email/token)."""
    email, token = zendesk.credentials
    return Http(zendesk.url, basic(f"{email}/token", token))


@pytest.fixture()
def zendesk_admin(zendesk: ZendeskSandbox) -> Http:
    """The unauthenticated admin API, as a test in another process would use it."""
    return Http(zendesk.url)
