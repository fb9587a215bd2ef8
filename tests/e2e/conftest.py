"""The production server (the Procfile's gunicorn command) against both stand-ins, over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from standins.harness import (
    Agent,
    ProcfileServer,
    free_port,
    new_signing_secret,
    stand_in_environment,
)
from standins.slack import SlackStandIn
from standins.zendesk import ZendeskSandbox

ALLOWED_GROUP = "S0SUPPORT"


@dataclass(frozen=True)
class BotProcess:
    url: str
    log_path: Path


@pytest.fixture(scope="session")
def slack_server() -> Iterator[SlackStandIn]:
    with SlackStandIn(signing_secret=new_signing_secret()) as server:
        yield server


@pytest.fixture(scope="session")
def bot(
    sandbox_server: ZendeskSandbox,
    slack_server: SlackStandIn,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[BotProcess]:
    env = stand_in_environment(
        sandbox_server, slack_server, free_port(), SLACK_ALLOWED_USERGROUP=ALLOWED_GROUP
    )
    server = ProcfileServer(env, tmp_path_factory.mktemp("bot") / "bot.log").start()
    slack_server.app_url = f"{server.url}/slack/events"
    yield BotProcess(server.url, server.log_path)
    server.stop()


@pytest.fixture
def slack(slack_server: SlackStandIn, sandbox: ZendeskSandbox, bot: BotProcess) -> SlackStandIn:
    slack_server.reset()
    slack_server.app_url = f"{bot.url}/slack/events"
    return slack_server


@pytest.fixture
def avery(slack: SlackStandIn) -> Agent:
    return Agent(slack, "U0AGENT1", "C0SUPPORT")


@pytest.fixture
def fresh_server(
    sandbox_server: ZendeskSandbox, slack_server: SlackStandIn, tmp_path: Path
) -> Iterator[ProcfileServer]:
    """A Procfile gunicorn of the test's own, for tests that signal, flood or clog it: its
    leftover work dies with it instead of reaching the next test."""
    sandbox_server.reset()
    slack_server.reset()
    env = stand_in_environment(sandbox_server, slack_server, free_port())
    started = ProcfileServer(env, tmp_path / "bot.log").start()
    slack_server.app_url = f"{started.url}/slack/events"
    yield started
    started.stop()
