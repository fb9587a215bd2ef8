"""The production server (the Procfile's gunicorn command) against both stand-ins, over HTTP:
the session Stack's bot, and what only the end-to-end tests use.

    bot        the Procfile's gunicorn, for the e2e package, restricted to Support's user group
    slack      (overrides the root one) the Slack stand-in, reset, aimed at `bot`
    avery      the scripted support engineer, U0AGENT1 in C0SUPPORT
    start_bot  start_bot(**env): a Procfile gunicorn of the test's own, `env` added, started when
               the test says (Slack aimed at it), stopped with the test
    fresh_bot  start_bot(), for tests that signal, flood or clog their bot
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from standins.harness import ALLOWED_GROUP, Agent, ProcfileServer, Stack
from standins.slack import SlackStandIn
from standins.zendesk import ZendeskSandbox


@pytest.fixture(scope="package")
def bot(stack: Stack) -> Iterator[ProcfileServer]:
    server = stack.start_bot(SLACK_ALLOWED_USERGROUP=ALLOWED_GROUP)
    assert isinstance(server, ProcfileServer)
    yield server
    # Stopped with the package: nothing of it reaches the tests that follow.
    stack.stop_bot()


@pytest.fixture
def slack(slack: SlackStandIn, zendesk: ZendeskSandbox, bot: ProcfileServer) -> SlackStandIn:
    slack.app_url = f"{bot.url}/slack/events"
    return slack


@pytest.fixture
def avery(stack: Stack, slack: SlackStandIn) -> Agent:
    return stack.agent("U0AGENT1", "C0SUPPORT")


@pytest.fixture
def start_bot(
    stack: Stack, slack: SlackStandIn, tmp_path: Path
) -> Iterator[Callable[..., ProcfileServer]]:
    """Procfile gunicorns of the test's own: their leftover work dies with them instead of
    reaching the next test, and a test may set Slack up first (a cold worker meets it)."""
    started: list[ProcfileServer] = []

    def start(**env: str) -> ProcfileServer:
        server = stack.procfile(tmp_path / f"bot-{len(started) + 1}.log", env).start()
        started.append(server)
        slack.app_url = f"{server.url}/slack/events"
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def fresh_bot(start_bot: Callable[..., ProcfileServer]) -> ProcfileServer:
    return start_bot()
