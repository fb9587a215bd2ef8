"""Who may use the bot, enforced on every request: a global middleware before the ack, and a
gate around every lazy function after it.

The middleware decides from the caches alone (no Slack call, no sleep) and denies in the ack
when they already say no. When they cannot decide yet (a cold worker, a person never seen),
the request is acked as usual and the gate decides after the ack, fetching what is missing; a
denied person then gets the denial and nothing else runs. A denial is only ever shown to the
person denied.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from slack_bolt import Ack, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient

from bot.slack import blocks
from bot.slack.access_cache import Directory
from bot.slack.access_rules import (
    Allowed,
    Denied,
    Reason,
    Verdict,
    decide,
    deny_unless_known,
    wording,
)
from bot.slack.replies import tell
from bot.slack.turn import note_where_of
from bot.slack.turn import user_id as user_of

log = logging.getLogger(__name__)

# How long a lazy function waits for Slack to say who is asking. A trigger_id dies 3 s after
# the click, so surfaces that open a modal wait less than that; the rest may wait longer.
TRIGGER_WAIT = 1.8
WAIT = 8.0

LazyFunction = Callable[[dict[str, Any], WebClient], None]


def _payload_team(body: dict[str, Any]) -> str | None:
    """The clicker's own team, as interactivity payloads carry it (`user.team_id`)."""
    user = body.get("user")
    if isinstance(user, dict) and user.get("team_id"):
        return str(user["team_id"])
    return None


class Access:
    """The access decision for requests, from a `Directory`."""

    def __init__(self, directory: Directory, token: str) -> None:
        self.directory = directory
        self._token = token
        # Lookups and denials after the ack. Roomy: under a slow Slack, lookups that outlived
        # their request's wait still hold a thread, and must not queue up the next person's.
        self._pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="access-check")

    def verdict_now(self, body: dict[str, Any]) -> Verdict:
        """From the caches alone: safe before the ack."""
        facts = self.directory.facts(user_of(body), _payload_team(body))
        return decide(facts, self.directory.max_age)

    def verdict_after_ack(self, body: dict[str, Any], wait: float) -> Allowed | Denied:
        """From the caches, else from Slack, waiting at most `wait` seconds; unknown denies."""
        verdict = self.verdict_now(body)
        if not isinstance(verdict, Allowed | Denied):
            lookup = self._pool.submit(self.directory.fetch, user_of(body))
            try:
                lookup.result(timeout=wait)
            except FutureTimeout:
                # It goes on in the background and fills the cache for the next try.
                log.warning("access lookup is slow", extra={"user": user_of(body)})
            verdict = self.verdict_now(body)
        return deny_unless_known(verdict)

    def deny(self, client: WebClient, body: dict[str, Any], reason: Reason) -> None:
        log.info("denied", extra={"user": user_of(body), "reason": reason.value})
        tell(client, note_where_of(body), blocks.notice(wording(reason)))

    # ---- Bolt hooks ------------------------------------------------------------------------

    def middleware(self) -> Callable[..., BoltResponse | None]:
        """The global middleware (a plain function: Bolt passes arguments by parameter name)."""

        def check_access(
            body: dict[str, Any], ack: Ack, client: WebClient, next: Callable[[], None]
        ) -> BoltResponse | None:
            return self._check(body, ack, client, next)

        return check_access

    def _check(
        self, body: dict[str, Any], ack: Ack, client: WebClient, next: Callable[[], None]
    ) -> BoltResponse | None:
        """Deny in the ack what the caches already refuse; let everything else through to its
        listener, whose lazy functions are gated."""
        verdict = self.verdict_now(body)
        if not isinstance(verdict, Denied):
            next()
            return None
        text = wording(verdict.reason)
        log.info("denied", extra={"user": user_of(body), "reason": verdict.reason.value})
        if body.get("type") == "view_submission":
            return ack(response_action="errors", errors={"ticket": text[:150]})
        if "command" in body:
            return ack(text=text)
        response = ack()
        # The note is a Slack call: after the answer, never before it.
        self._pool.submit(tell, client, note_where_of(body), blocks.notice(text))
        return response

    def gate(self, lazy: LazyFunction, wait: float = WAIT) -> LazyFunction:
        """`lazy`, run only for a person who may act; the others get the denial instead."""

        def gated(body: dict[str, Any], client: WebClient) -> None:
            verdict = self.verdict_after_ack(body, wait)
            if isinstance(verdict, Denied):
                self.deny(client, body, verdict.reason)
                return
            lazy(body, client)

        # A handler with its dependencies bound (functools.partial) is named after the handler.
        named = getattr(lazy, "func", lazy)
        gated.__name__ = getattr(named, "__name__", "after_ack")
        gated.__qualname__ = getattr(named, "__qualname__", gated.__name__)
        setattr(gated, GATED, True)
        return gated

    def authorize(self) -> Callable[..., AuthorizeResult]:
        """Bolt's `authorize=`: from the settings and the cached auth.test, no Slack call (Bolt's
        default calls auth.test on the first request of each worker, before the ack)."""

        def from_cache(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
            return AuthorizeResult(
                enterprise_id=enterprise_id,
                team_id=self.directory.home_team or team_id,
                bot_user_id=self.directory.bot_user,
                bot_token=self._token,
            )

        return from_cache


# Marks a gated lazy function, so a test can check that every listener is behind the gate.
GATED = "partner_fix_gated"
