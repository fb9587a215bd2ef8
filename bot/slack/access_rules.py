"""Who may use the bot, decided from facts already in hand: pure, no I/O, no clock.

A full member of the workspace the bot is installed in may act: not a guest, not a member of
another organization (Slack Connect), not deleted, not a bot; with a user group configured, also
only its members. What the bot does not know (yet) is `Unknown`, never a yes; what it knew too
long ago, while refreshing kept failing, is a no.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

T = TypeVar("T")


class Reason(Enum):
    GUEST = "guest"
    EXTERNAL = "external"
    DELETED = "deleted"
    BOT = "bot"
    NOT_IN_GROUP = "not_in_group"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Person:
    """The part of a `users.info` user that decides access."""

    id: str
    team_id: str
    guest: bool  # is_restricted (multi-channel) or is_ultra_restricted (single-channel)
    deleted: bool
    bot: bool


@dataclass(frozen=True)
class Known(Generic[T]):
    """A fact and its age in seconds."""

    value: T
    age: float


@dataclass(frozen=True)
class Facts:
    """What the caches hold for one request. `group` is None when no user group is configured;
    `members` is None while the group's members are not known."""

    user: str
    home_team: str | None
    person: Known[Person] | None
    group: str | None
    members: Known[frozenset[str]] | None
    # user.team_id of an interactivity payload (None for slash commands, which lack it).
    payload_team: str | None = None


@dataclass(frozen=True)
class Allowed:
    pass


@dataclass(frozen=True)
class Denied:
    reason: Reason


@dataclass(frozen=True)
class Unknown:
    """The caches cannot decide: fetch what is missing (after the ack), then decide again."""


Verdict = Allowed | Denied | Unknown


def decide(facts: Facts, max_age: float) -> Verdict:
    """The verdict for one user. Facts older than `max_age` count as missing: the caller fetches
    them anew, and when that fails, `deny_unless_known` turns the Unknown into a denial."""
    if facts.home_team is None:
        return Unknown()
    # Interactivity payloads name the clicker's team: a stranger is denied without a lookup.
    if facts.payload_team is not None and facts.payload_team != facts.home_team:
        return Denied(Reason.EXTERNAL)
    members = facts.members
    # Outside the group is a no whatever users.info would say: no lookup needed.
    group_known = facts.group is not None and members is not None and members.age <= max_age
    if group_known and members is not None and facts.user not in members.value:
        return Denied(Reason.NOT_IN_GROUP)
    person = facts.person
    if person is None or person.age > max_age:
        return Unknown()
    refused = _refusal(person.value, facts.home_team)
    if refused is not None:
        return Denied(refused)
    if facts.group is None:
        return Allowed()
    if members is None or members.age > max_age:
        return Unknown()
    return Allowed() if facts.user in members.value else Denied(Reason.NOT_IN_GROUP)


def deny_unless_known(verdict: Verdict) -> Allowed | Denied:
    """After a fetch: what still cannot be decided is refused (the safe side)."""
    return Denied(Reason.UNAVAILABLE) if isinstance(verdict, Unknown) else verdict


def _refusal(person: Person, home_team: str) -> Reason | None:
    if person.deleted:
        return Reason.DELETED
    if person.bot:
        return Reason.BOT
    if person.team_id != home_team:
        return Reason.EXTERNAL
    if person.guest:
        return Reason.GUEST
    return None


GROUP_DENIAL = (
    "Sorry, partner-fix is only for members of the Support team's user group. Nothing was done. "
    "Ask Support Ops to add you if you need it."
)
MEMBER_DENIAL = (
    "Sorry, partner-fix is only for members of this Slack workspace: guests and people from "
    "other organizations can't use partner-fix. Nothing was done."
)
UNAVAILABLE_DENIAL = (
    "Sorry, Slack did not tell me in time whether you may use partner-fix (it is slow or "
    "unreachable right now). Nothing was done: try again in a minute."
)


def wording(reason: Reason) -> str:
    if reason is Reason.NOT_IN_GROUP:
        return GROUP_DENIAL
    if reason is Reason.UNAVAILABLE:
        return UNAVAILABLE_DENIAL
    return MEMBER_DENIAL
