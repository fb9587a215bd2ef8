"""The production server (the Procfile's gunicorn command) against both stand-ins, over HTTP:
the session Stack's bot, and what only the end-to-end tests use.

    bot        the Procfile's gunicorn, for the e2e package, restricted to Support's user group
    slack      (overrides the root one) the Slack stand-in, reset, aimed at `bot`
    avery      the scripted support engineer, U0AGENT1 in C0SUPPORT
    fresh_bot  a Procfile gunicorn of the test's own (Slack aimed at it)
"""

from __future__ import annotations

from collections.abc import Iterator
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
def fresh_bot(stack: Stack, slack: SlackStandIn, tmp_path: Path) -> Iterator[ProcfileServer]:
    """A Procfile gunicorn of the test's own, for tests that signal, flood or clog it: its
    leftover work dies with it instead of reaching the next test."""
    started = stack.procfile(tmp_path / "bot.log").start()
    slack.app_url = f"{started.url}/slack/events"
    yield started
    started.stop()
