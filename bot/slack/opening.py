"""The modal's own way out: a pool and a client for `views.open` alone.

A trigger_id dies 3 s after the click, once. Bolt runs lazy functions on one pool that every
`chat.*` call shares, with their timeouts and retry sleeps: a burst of slow `chat.update`s (a
row of Cancel clicks while Slack is slow) could hold all of it for seconds, and the next modal
would queue behind them and miss its trigger. So the acks of the surfaces that open the modal
hand the opening to this small pool, whose threads do nothing else, and `views.open` goes out
on a client that gives up before the trigger would (no retries: a trigger is good once).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ParamSpec

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.slack.ack_first import AfterAnswers
from bot.slack.work import submit_logged

log = logging.getLogger(__name__)

P = ParamSpec("P")

OPEN_WORKERS = 8
# Slack's answer to views.open usually takes well under a second; past this the trigger is as
# good as dead, and the person is better told to try again than left waiting.
OPEN_TIMEOUT = 2


class Opener:
    """A pool that only opens modals."""

    def __init__(self, workers: int = OPEN_WORKERS) -> None:
        # Held while this process answers the requests in hand, as Bolt's lazy pool is; well
        # within the trigger's 3 s (bot/slack/ack_first.py).
        self._pool = AfterAnswers(max_workers=workers, thread_name_prefix="modal")

    def later(self, function: Callable[P, None], /, *args: P.args, **kwargs: P.kwargs) -> None:
        # The request id travels with the work.
        submit_logged(self._pool, log, "opening the modal failed", function, *args, **kwargs)


def acknowledge(
    opener: Opener,
    open_form: Callable[[dict[str, Any], WebClient], None],
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
) -> None:
    """The ack of a surface that opens the modal: empty, and the opening handed to `opener`
    (the trigger dies in 3 s). Not a Bolt lazy function: those share one pool with every
    chat.* call."""
    ack()
    opener.later(open_form, body, client)


def quick_client(client: WebClient) -> WebClient:
    """The same workspace and token as `client`, with a short timeout and no retries."""
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=OPEN_TIMEOUT,
        ssl=client.ssl,
        proxy=client.proxy,
        headers=dict(client.headers),
        retry_handlers=[],
        logger=client.logger,
    )
