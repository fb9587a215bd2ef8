"""The ticket-reference policy alone: this bot's Zendesk, other instances, learning the host."""

from __future__ import annotations

from bot.domain.refs import RefError, TicketRef
from bot.ports import Fault, ZendeskError
from bot.tickets import TicketRefs

FEDERAL = "https://gitlab-federal-support.zendesk.com/agent/tickets/42"
OURS = "https://gitlab.zendesk.com/agent/tickets/42"


def test_a_known_host_refuses_other_instances_and_echoes_nothing_of_them() -> None:
    refs = TicketRefs(lambda: None, "gitlab.zendesk.com")
    refused = refs.parse(FEDERAL)
    assert isinstance(refused, RefError) and "42" not in refused.reason
    assert refs.parse(OURS) == TicketRef(id=42, host="gitlab.zendesk.com")
    assert [r.id for r in refs.find(f"{FEDERAL} and #7 and {OURS}")] == [7, 42]


def test_an_unknown_host_is_learned_once_from_zendesk() -> None:
    asked: list[int] = []

    def learn() -> str | None:
        asked.append(1)
        return "gitlab.zendesk.com"

    refs = TicketRefs(learn)
    assert not isinstance(refs.parse("#5"), RefError) and asked == []  # ids need no host
    assert not isinstance(refs.parse(FEDERAL, learn=False), RefError)  # the ack's path
    assert asked == []
    assert isinstance(refs.parse(FEDERAL), RefError) and isinstance(refs.parse(FEDERAL), RefError)
    assert asked == [1]


def test_when_zendesk_cannot_say_links_are_refused_not_guessed() -> None:
    def down() -> str | None:
        raise ZendeskError(Fault.UNAVAILABLE, "down")

    assert "could not check" in str(TicketRefs(down).parse(OURS))
    assert "set ZENDESK_SUBDOMAIN" in str(TicketRefs(lambda: None).parse(OURS))
