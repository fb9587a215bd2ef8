"""After-ack functions of the buttons and the modal's submission, handed the request's own body.

Bolt's lazy listeners build their own copy of the request before the answer: the raw body parsed
again, then the whole request deep-copied, for each lazy function. For an Apply click, whose
payload carries the preview message, that was about as much CPU as the rest of the ack together
(BENCHMARKS.md, ack). Nothing touches the body in the request thread once the ack has returned,
so the function gets it as it is, on a pool that waits for the answers (ack_first.py). Only gated
functions are taken: what runs after the ack decides who may act first (access.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.slack.access import GATED
from bot.slack.ack_first import AfterAnswers
from bot.slack.work import submit_logged

log = logging.getLogger(__name__)

WORKERS = 32
AfterAck = Callable[[dict[str, Any], WebClient], None]


class Handoff:
    """The pool for what a listener does after its ack (Slack calls; Zendesk goes to work.Work)."""

    def __init__(self, workers: int = WORKERS) -> None:
        self._pool = AfterAnswers(max_workers=workers, thread_name_prefix="slack-after")

    def later(self, function: AfterAck, body: dict[str, Any], client: WebClient) -> None:
        if not getattr(function, GATED, False):
            raise ValueError(f"{_name(function)} is not behind the access gate")
        # The request id travels with the work.
        submit_logged(self._pool, log, "after-ack work failed", function, body, client)

    def acking(self, function: AfterAck) -> Callable[..., None]:
        """A listener that acks, then hands `function` (gated) the body."""
        if not getattr(function, GATED, False):
            raise ValueError(f"{_name(function)} is not behind the access gate")
        listener = partial(acknowledge, self, function)
        setattr(listener, GATED, True)
        return listener


def acknowledge(
    handoff: Handoff, function: AfterAck, ack: Ack, body: dict[str, Any], client: WebClient
) -> None:
    """Every button's listener: ack, then hand `function` the body as it is."""
    ack()
    handoff.later(function, body, client)


def _name(function: Callable[..., Any]) -> str:
    return str(getattr(function, "__name__", None) or getattr(function, "func", function))
