"""Fixtures for the Zendesk stand-in tests: one server for the session, reset before every test,
and HTTP clients for its API and its admin API.

Fixture names carry a `zendesk` prefix because other stand-ins' tests share this directory.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from standins.zendesk import ZendeskSandbox
from tests.standins.zendesk_http import Http, basic


@pytest.fixture(scope="session")
def zendesk_server() -> Iterator[ZendeskSandbox]:
    with ZendeskSandbox() as server:
        yield server


@pytest.fixture()
def zendesk(zendesk_server: ZendeskSandbox) -> ZendeskSandbox:
    zendesk_server.reset()
    return zendesk_server


@pytest.fixture()
def zendesk_api(zendesk: ZendeskSandbox) -> Http:
    """Authenticated as the seed's API user (email/token)."""
    email, token = zendesk.credentials
    return Http(zendesk.url, basic(f"{email}/token", token))


@pytest.fixture()
def zendesk_admin(zendesk: ZendeskSandbox) -> Http:
    """The unauthenticated admin API, as a test in another process would use it."""
    return Http(zendesk.url)
