"""Who may act: the pure decision, and the caches against the Slack stand-in over HTTP."""

from __future__ import annotations

import time
from functools import partial

import pytest
from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.access import GATED, Access
from bot.slack.access_cache import Directory
from bot.slack.access_rules import (
    Allowed,
    Denied,
    Facts,
    Known,
    Person,
    Reason,
    Unknown,
    decide,
    deny_unless_known,
)
from bot.slack.handoff import Handoff
from bot.slack.opening import Opener
from bot.slack.sharing import Rooms, shared_with_another_org
from bot.wiring import build_fixes, build_slack_app
from standins.harness import stand_in_settings
from standins.slack import SlackStandIn
from standins.zendesk import ZendeskSandbox

HOME = "T0PARTNER"
MAX_AGE = 900.0


def person(**changes: object) -> Person:
    values: dict[str, object] = {
        "id": "U1",
        "team_id": HOME,
        "guest": False,
        "deleted": False,
        "bot": False,
    }
    values.update(changes)
    return Person(**values)  # type: ignore[arg-type]


def facts(
    who: Person | None = None,
    age: float = 1.0,
    group: str | None = None,
    members: frozenset[str] | None = None,
    members_age: float = 1.0,
    home: str | None = HOME,
    payload_team: str | None = None,
) -> Facts:
    return Facts(
        user="U1",
        home_team=home,
        person=Known(who, age) if who else None,
        group=group,
        members=Known(members, members_age) if members is not None else None,
        payload_team=payload_team,
    )


@pytest.mark.parametrize(
    ("given", "verdict"),
    [
        (facts(person()), Allowed()),
        (facts(person(guest=True)), Denied(Reason.GUEST)),
        (facts(person(team_id="T0OTHER")), Denied(Reason.EXTERNAL)),
        (facts(person(deleted=True)), Denied(Reason.DELETED)),
        (facts(person(bot=True)), Denied(Reason.BOT)),
        # Interactivity says who the clicker's team is: no users.info needed to refuse.
        (facts(None, payload_team="T0OTHER"), Denied(Reason.EXTERNAL)),
        (facts(person(), payload_team=HOME), Allowed()),
        (facts(person(), group="S1", members=frozenset({"U1"})), Allowed()),
        (facts(person(), group="S1", members=frozenset({"U2"})), Denied(Reason.NOT_IN_GROUP)),
        # Outside the group is a no before users.info is known.
        (facts(None, group="S1", members=frozenset({"U2"})), Denied(Reason.NOT_IN_GROUP)),
        # In the group is not enough: a guest in the group is still a guest.
        (facts(person(guest=True), group="S1", members=frozenset({"U1"})), Denied(Reason.GUEST)),
        # Cold: nothing known yet.
        (facts(None), Unknown()),
        (facts(person(), home=None), Unknown()),
        (facts(person(), group="S1", members=None), Unknown()),
        # Beyond the maximum age, the old facts count for nothing.
        (facts(person(), age=MAX_AGE + 1), Unknown()),
        (
            facts(person(), group="S1", members=frozenset({"U1"}), members_age=MAX_AGE + 1),
            Unknown(),
        ),
        (
            facts(person(), group="S1", members=frozenset({"U2"}), members_age=MAX_AGE + 1),
            Unknown(),
        ),
    ],
)
def test_the_decision(given: Facts, verdict: object) -> None:
    assert decide(given, MAX_AGE) == verdict


def test_what_stays_unknown_after_a_fetch_is_refused() -> None:
    assert deny_unless_known(Unknown()) == Denied(Reason.UNAVAILABLE)
    assert deny_unless_known(Allowed()) == Allowed()


def test_shared_means_with_another_organization() -> None:
    assert shared_with_another_org({"is_shared": True, "is_ext_shared": True})
    assert shared_with_another_org({"is_pending_ext_shared": True})
    assert not shared_with_another_org({"is_shared": True, "is_org_shared": True})
    assert not shared_with_another_org({"is_shared": False, "is_ext_shared": False})


# ---- the caches, over HTTP ------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def directory(client: WebClient, group: str | None = None, clock: Clock | None = None) -> Directory:
    found = Directory(client, group, clock=clock or time.monotonic)
    return found


def verdict(found: Directory, user: str, fetch: bool = True) -> object:
    if fetch:
        found.fetch(user)
    return decide(found.facts(user), found.max_age)


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("U0AGENT1", Allowed()),
        ("U0GUEST1", Denied(Reason.GUEST)),
        ("U0GUEST2", Denied(Reason.GUEST)),
        ("U0EXTERNAL", Denied(Reason.EXTERNAL)),
        ("U0DEPARTED", Denied(Reason.DELETED)),
        ("U0PARTNERBOT", Denied(Reason.BOT)),
        ("U0NOSUCH", Denied(Reason.DELETED)),
    ],
)
def test_people_as_slack_describes_them(client: WebClient, user: str, expected: object) -> None:
    found = directory(client)
    try:
        assert verdict(found, user) == expected
    finally:
        found.stop()


def test_warmed_in_the_background_then_no_call_on_a_decision(
    slack: SlackStandIn, client: WebClient
) -> None:
    found = directory(client, "S0SUPPORT")
    try:
        assert found.wait_ready(5)
        assert found.home_team == "T0PARTNER" and found.bot_user == "U0PARTNERBOT"
        assert verdict(found, "U0OUTSIDER", fetch=False) == Denied(Reason.NOT_IN_GROUP)
        assert verdict(found, "U0AGENT1", fetch=False) == Unknown()  # users.info not yet read
        assert verdict(found, "U0AGENT1") == Allowed()
        calls = len(slack.calls())
        assert verdict(found, "U0AGENT1", fetch=False) == Allowed()
        assert len(slack.calls()) == calls
        assert len(slack.calls("usergroups.users.list")) == 1
    finally:
        found.stop()


def test_past_its_ttl_a_person_is_served_while_refreshed(
    slack: SlackStandIn, client: WebClient
) -> None:
    clock = Clock()
    found = directory(client, clock=clock)
    try:
        assert verdict(found, "U0AGENT1") == Allowed()
        clock.now += found.person_ttl + 1
        assert verdict(found, "U0AGENT1", fetch=False) == Allowed()  # from the cache
        slack.wait_for_call("users.info", lambda c: len(slack.calls("users.info")) > 1)
    finally:
        found.stop()


def test_unknown_denies_and_so_does_old_news_while_refreshes_fail(
    slack: SlackStandIn, client: WebClient
) -> None:
    clock = Clock()
    found = directory(client, "S0SUPPORT", clock=clock)
    try:
        assert verdict(found, "U0AGENT1") == Allowed()
        # Removed from the group, and Slack now refuses every read: within the maximum age the
        # cache still answers, beyond it the answer is no.
        slack.workspace.usergroups["S0SUPPORT"]["users"].remove("U0AGENT1")
        slack.inject("usergroups.users.list", "ratelimited", count=100, retry_after=30)
        slack.inject("users.info", "ratelimited", count=100, retry_after=30)
        clock.now += found.max_age - 10
        assert verdict(found, "U0AGENT1", fetch=False) == Allowed()
        clock.now += 20
        assert deny_unless_known(verdict(found, "U0AGENT1")) == Denied(Reason.UNAVAILABLE)
        # Cold, with Slack refusing: unknown, then denied.
        other = directory(client, "S0SUPPORT", clock=clock)
        try:
            assert deny_unless_known(verdict(other, "U0AGENT2")) == Denied(Reason.UNAVAILABLE)
        finally:
            other.stop()
    finally:
        slack.workspace.usergroups["S0SUPPORT"]["users"].insert(0, "U0AGENT1")
        found.stop()


def test_conversations_info_failing_counts_as_shared(
    slack: SlackStandIn, client: WebClient
) -> None:
    rooms = Rooms(client)
    assert rooms.is_shared("C0SHARED") and not rooms.is_shared("C0SUPPORT")
    assert not rooms.is_shared("D0AGENT1")  # the bot's DM: no lookup
    slack.inject("conversations.info", "internal_error", channel="C0PUBLIC2")
    assert rooms.is_shared("C0PUBLIC2")
    assert not rooms.is_shared("C0PUBLIC2")  # a failure is not cached
    calls = len(slack.calls("conversations.info"))
    assert not rooms.is_shared("C0SUPPORT")  # cached
    assert len(slack.calls("conversations.info")) == calls


def test_every_lazy_function_is_behind_the_gate(
    slack: SlackStandIn, zendesk: ZendeskSandbox
) -> None:
    settings = stand_in_settings(zendesk, slack)
    app: App = build_slack_app(settings, build_fixes(settings))
    # No Bolt lazy functions: every listener acks and hands the rest to a pool. The buttons'
    # listeners are made by Handoff.acking, which takes gated functions only (and so does
    # Handoff.later, for the modal's submission); the command and the shortcut hand a gated
    # opening to the modal's own pool (tests/e2e/test_access.py tries them all).
    assert [lazy for listener in app._listeners for lazy in listener.lazy_functions] == []
    buttons = [listener for listener in app._listeners if getattr(listener, "ack_function", None)]
    assert sum(getattr(b.ack_function, GATED, False) for b in buttons) >= 4
    # Every listener is a module-level ack function with what it hands over bound to it
    # (functools.partial): what it hands over after the ack is gated, whatever the surface.
    # command, shortcut, submission, four kinds of button, and an alert's Review
    assert len(app._listeners) == 8
    for listener in app._listeners:
        bound = listener.ack_function
        assert isinstance(bound, partial), bound
        handed = [a for a in bound.args if callable(a) and not isinstance(a, Handoff | Opener)]
        assert handed and all(getattr(a, GATED, False) for a in handed), bound


def test_the_handoff_takes_only_gated_functions(client: WebClient) -> None:
    def ungated(body: dict, client: WebClient) -> None:
        pass

    handoff = Handoff(workers=1)
    with pytest.raises(ValueError, match="access gate"):
        handoff.later(ungated, {}, client)
    with pytest.raises(ValueError, match="access gate"):
        handoff.acking(ungated)


def test_authorize_makes_no_call(slack: SlackStandIn, client: WebClient) -> None:
    access = Access(directory(client), "xoxb-test")
    result = access.authorize()(None, "T0PARTNER")
    assert result.bot_token == "xoxb-test" and result.team_id == "T0PARTNER"
    assert slack.calls() == []
    access.directory.stop()
