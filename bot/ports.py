"""What the use case needs from Zendesk, as a Protocol, and the values that cross it.

`fixes.py` depends on this, never on zenpy; `zendesk/gateway.py` satisfies it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bot.domain.models import Snapshot
from bot.domain.planning import Correction, Plan
from bot.domain.scenarios import Scenario


class Fault(StrEnum):
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"  # the ticket changed since the preview (409)
    INVALID = "invalid"  # 422: Zendesk refused the change (closed ticket, bad organization, ...)
    AUTH = "auth"  # 401: the bot's credentials
    FORBIDDEN = "forbidden"  # 403: the bot's Zendesk role
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"  # 5xx, connection refused
    TIMEOUT = "timeout"  # a read timed out: nothing changed
    UNKNOWN_OUTCOME = "unknown_outcome"  # a write whose answer was lost


class ZendeskError(Exception):
    """A fault talking to Zendesk, with words a support engineer can read."""

    def __init__(
        self, fault: Fault, message: str, status: int | None = None, details: str = ""
    ) -> None:
        super().__init__(message)
        self.fault = fault
        self.message = message
        self.status = status
        self.details = details


@dataclass(frozen=True)
class Trace:
    """Who asked, carried into the ticket's audit (`metadata.custom`) for traceability."""

    request_id: str
    requested_by: str
    slack_user: str | None = None
    slack_team: str | None = None


@dataclass(frozen=True)
class Applied:
    ticket_id: int
    updated_at: str


@dataclass(frozen=True)
class Recorded:
    """A correction the bot wrote, as found in the ticket's audit trail."""

    action: str  # "fix" or "undo"
    scenario: Scenario
    correction: Correction
    requested_by: str
    created_at: str
    # The fix's request id (the one its Slack summary and Undo button carry).
    request_id: str = ""
    # For an undo: the request id of the fix it reversed.
    undoes: str | None = None


@dataclass(frozen=True)
class Scope:
    """What a snapshot reads besides the ticket with its people and organizations: the users
    behind `emails` and `user_ids`, and the organizations `org_ids`. With `complete`, every
    organization of the submitter, of those users (and of the requester, with `requester`) is
    known, unless one of them is already seen on a partner organization (and, for those users
    or that requester, is known to be in each of `org_ids`); without it, sideloads only."""

    emails: tuple[str, ...] = ()
    user_ids: tuple[int, ...] = ()
    complete: bool = True
    requester: bool = False
    org_ids: tuple[int, ...] = ()


# The preview's and the apply's read: the ticket's people, complete.
COMPLETE = Scope()
# A read that judges nobody (the modal, a read back after a lost answer): sideloads only.
SIDELOADS = Scope(complete=False)


class ZendeskPort(Protocol):
    def snapshot(self, ticket_id: int, scope: Scope = COMPLETE) -> Snapshot:
        """The ticket, and what `scope` asks for besides."""
        ...

    def find_people(self, snapshot: Snapshot, terms: Sequence[str]) -> tuple[Snapshot, list[int]]:
        """Users Zendesk's user search finds for each term, added to the snapshot (default
        organizations only); their ids in the order found."""
        ...

    def complete(self, snapshot: Snapshot, user_ids: Sequence[int]) -> Snapshot:
        """The snapshot with every organization of these users read."""
        ...

    def apply(self, plan: Plan, note: str, trace: Trace, undoes: str | None = None) -> Applied: ...

    def corrections(self, ticket_id: int) -> list[Recorded]:
        """The corrections the bot itself wrote on the ticket (audits by its own Zendesk user),
        oldest first."""
        ...

    def ticket_url(self, ticket_id: int) -> str: ...

    def instance_host(self) -> str | None:
        """The Zendesk instance's own `*.zendesk.com` host, as Zendesk names it."""
        ...
