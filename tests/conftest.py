"""Shared fixtures: one Zendesk stand-in per test session, reset before each test that uses it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.config import Settings
from bot.fixes import Fixes
from bot.wiring import build_fixes
from standins.zendesk import ZendeskSandbox


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[ZendeskSandbox]:
    with ZendeskSandbox() as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: ZendeskSandbox) -> ZendeskSandbox:
    sandbox_server.reset()
    return sandbox_server


def sandbox_settings(sandbox: ZendeskSandbox, **overrides: object) -> Settings:
    email, token = sandbox.credentials
    values: dict[str, object] = {
        "ZENDESK_URL": sandbox.url,
        "ZENDESK_EMAIL": email,
        "ZENDESK_API_TOKEN": token,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "test-signing-secret",
    }
    values.update(overrides)
    # model_validate reads no environment or .env: tests see exactly these settings.
    return Settings.model_validate(values)


@pytest.fixture
def settings(sandbox: ZendeskSandbox) -> Settings:
    return sandbox_settings(sandbox)


@pytest.fixture
def fixes(settings: Settings) -> Fixes:
    # A short settle wait: the Zendesk stand-in finishes an update before it answers.
    return build_fixes(settings, settle_wait=0.05)
