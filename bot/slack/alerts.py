"""Posting alerts in SLACK_ALERT_CHANNEL: one per ticket within 10 minutes, across every process
that shares the memory folder, and never in a channel shared with another organization.

The memory is the replay store's mechanism (`SeenSignatures`: one O_EXCL file per key, so "first
time?" is atomic across gunicorn workers without locks), keyed by ticket. A ticket is claimed
only once it looks mis-associated (a fine ticket may turn wrong a minute later), and released
again when the post fails, so Zendesk's retry can post it.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from slack_sdk import WebClient

from bot.alerts import Suspect, assess
from bot.domain.scenarios import Scenario
from bot.fixes import Failed, Fixes
from bot.slack import alert_blocks
from bot.slack.guard import SeenSignatures
from bot.slack.replies import slack_error
from bot.slack.sharing import Rooms

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    POSTED = "posted"
    FINE = "fine"
    DUPLICATE = "duplicate"  # alerted within the window already
    SHARED_CHANNEL = "shared_channel"  # refused: customer data stays out of shared channels
    FAILED = "failed"


def _key(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


class AlertPoster:
    def __init__(
        self, client: WebClient, rooms: Rooms, channel: str, memory: SeenSignatures
    ) -> None:
        self.client = client
        self.channel = channel
        self._rooms = rooms
        self._memory = memory

    def already(self, ticket_id: int) -> bool:
        return self._memory.recently(_key(ticket_id))

    def post(self, suspect: Suspect) -> Outcome:
        ticket_id = suspect.suspicion.ticket_id
        if self._rooms.is_shared(self.channel):
            log.warning(
                "alert channel is shared with another organization: no alert posted",
                extra={"channel": self.channel, "ticket_id": ticket_id},
            )
            return Outcome.SHARED_CHANNEL
        if not self._memory.first_time(_key(ticket_id)):
            return Outcome.DUPLICATE
        try:
            self.client.chat_postMessage(
                channel=self.channel, **alert_blocks.alert(suspect.suspicion, suspect.url)
            )
        except Exception as error:
            self._memory.forget(_key(ticket_id))
            log.warning(
                "posting an alert failed",
                extra={"ticket_id": ticket_id, "error": slack_error(error)},
            )
            return Outcome.FAILED
        return Outcome.POSTED


class Alerts:
    """One ticket, from its id to an alert (or none)."""

    def __init__(self, fixes: Fixes, poster: AlertPoster) -> None:
        self._fixes = fixes
        self.poster = poster

    def handle(self, ticket_id: int) -> Outcome:
        # A duplicate delivery costs no Zendesk read.
        if self.poster.already(ticket_id):
            outcome = Outcome.DUPLICATE
        else:
            found = assess(self._fixes, ticket_id)
            if isinstance(found, Failed):
                outcome = Outcome.FAILED
            elif found is None:
                outcome = Outcome.FINE
            else:
                outcome = self.poster.post(found)
        log.info("alert check", extra={"ticket_id": ticket_id, "outcome": outcome.value})
        return outcome


def mark_reviewed(
    client: WebClient,
    channel: str | None,
    alert_ts: str,
    ticket_id: int,
    url: str,
    user_id: str,
    scenario: Scenario,
) -> None:
    """The alert becomes "reviewed by @who"; a failure only leaves the alert as it was."""
    if not channel:
        return
    try:
        client.chat_update(
            channel=channel,
            ts=alert_ts,
            **alert_blocks.reviewed(ticket_id, url, user_id, scenario),
        )
    except Exception as error:
        log.warning("marking the alert reviewed failed", extra={"error": slack_error(error)})
