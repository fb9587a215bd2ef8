"""The one fixture set: one Stack for the session (both stand-ins; the Procfile bot starts once an
end-to-end test asks for `bot`), each stand-in reset before every test that uses it.

    zendesk   the Zendesk stand-in, reset
    slack     the Slack stand-in, reset, aimed at nothing (tests/e2e: at the bot)
    client    slack_sdk's WebClient on `slack`
    settings  Settings pointing the bot at `zendesk`; fixes: the use case built from them
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from slack_sdk import WebClient

from bot.config import Settings
from bot.fixes import Fixes
from bot.wiring import build_fixes
from standins.harness import Stack
from standins.slack import SlackStandIn
from standins.zendesk import ZendeskSandbox


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    with Stack(bot=None) as started:
        yield started


@pytest.fixture
def zendesk(stack: Stack) -> ZendeskSandbox:
    stack.zendesk.reset()
    return stack.zendesk


@pytest.fixture
def slack(stack: Stack) -> SlackStandIn:
    stack.slack.reset()
    stack.slack.app_url = None
    return stack.slack


@pytest.fixture
def client(slack: SlackStandIn) -> WebClient:
    """slack_sdk's WebClient on the Slack stand-in's Web API, as the bot's token."""
    return WebClient(token=slack.bot_token, base_url=slack.url, timeout=5)


def zendesk_settings(zendesk: ZendeskSandbox, **overrides: object) -> Settings:
    email, token = zendesk.credentials
    values: dict[str, object] = {
        "ZENDESK_URL": zendesk.url,
        "ZENDESK_EMAIL": email,
        "ZENDESK_API_TOKEN": token,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "test-signing-secret",
    }
    values.update(overrides)
    # model_validate reads no environment or .env: tests see exactly these settings.
    return Settings.model_validate(values)


@pytest.fixture
def settings(zendesk: ZendeskSandbox) -> Settings:
    return zendesk_settings(zendesk)


@pytest.fixture
def fixes(settings: Settings) -> Fixes:
    # A short settle wait: the Zendesk stand-in finishes an update before it answers.
    return build_fixes(settings, settle_wait=0.05)


def put_as_colleague(zendesk: ZendeskSandbox, ticket_id: int, changes: dict[str, Any]) -> None:
    """Robin, another agent of the same Zendesk, writing with a script of their own."""
    answer = requests.put(
        f"{zendesk.url}/api/v2/tickets/{ticket_id}.json",
        json={"ticket": changes},
        auth=("robin@gitlab.example/token", "sandbox-colleague-token"),
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
