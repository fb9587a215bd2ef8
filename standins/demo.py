"""`python -m bot demo`: the four scenarios, the finder's typo case, unsure, a refusal and an Undo,
through the real bot.

Slack and Zendesk are embedded stand-ins on 127.0.0.1; the bot is the real WSGI app receiving
signed requests. Each Slack thread is printed as text, with the Zendesk requests it took.

The episodes are a list of small functions; each waits for its own ending (the reply or the
message that closes it, named by `Episode.ended`), so the output is the same on every run.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.slack.alert_blocks import REVIEW
from bot.slack.blocks import APPLY, UNDO
from standins import screen
from standins.harness import ALERT_CHANNEL, Agent, FlowError, Stack, Thread, has_button
from standins.slack import SlackStandIn
from standins.zendesk import ZendeskSandbox

AGENT = "U0AGENT1"
TEAMMATE = "U0AGENT2"
CHANNEL = "C0SUPPORT"

Messages = list[dict[str, Any]]


def summary_posted(messages: Messages) -> bool:
    """The fix is applied: its summary, with Undo, is in the thread."""
    return any(has_button(m, UNDO) for m in messages)


def said(words: str) -> Callable[[Messages], bool]:
    """A message in the thread says `words` (in its text or its blocks)."""
    return lambda messages: any(
        words in json.dumps([m.get("text"), m.get("blocks")]) for m in messages
    )


def writes(count: int) -> str:
    return "no write" if count == 0 else f"{count} write" + ("s" if count > 1 else "")


@dataclass(frozen=True)
class Episode:
    title: str
    act: Callable[[Demo], Thread]
    # How the episode ends, read from its thread: what the act waits for and a test checks.
    ended: Callable[[Messages], bool]


class Demo:
    def __init__(self, zendesk: ZendeskSandbox, slack: SlackStandIn, out: Any) -> None:
        self.zendesk = zendesk
        self.slack = slack
        self.agent = Agent(slack, AGENT, CHANNEL)
        self.out = out
        self.threads: dict[str, Thread] = {}  # by episode title, for the episodes that follow
        self.endings: dict[str, Messages] = {}  # each episode's thread as it ended

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def play(self, episode: Episode) -> Thread:
        self.say(f"\n=== {episode.title} " + "=" * max(0, 70 - len(episode.title)))
        self.zendesk.clear_requests()
        thread = episode.act(self)
        messages = self.slack.thread(thread.channel, thread.ts)
        if not episode.ended(messages):
            raise FlowError(f"{episode.title!r} did not end as it should:\n{self.render(thread)}")
        self.say(self.render(thread))
        calls = self.zendesk.requests()
        put = sum(1 for r in calls if r["method"] == "PUT")
        self.say(f"  (Zendesk: {len(calls)} requests, {writes(put)})")
        self.threads[episode.title] = thread
        self.endings[episode.title] = messages
        return thread

    def run(self, episodes: Sequence[Episode] | None = None) -> list[Thread]:
        return [self.play(episode) for episode in episodes or EPISODES]

    def render(self, thread: Thread) -> str:
        return self.agent.render(thread)

    # ---- what Avery does ------------------------------------------------------------------

    def preview(self, view_id: str, values: dict[str, Any]) -> Thread:
        return self.agent.submit(view_id, values)

    def apply(self, thread: Thread) -> Thread:
        self.say(self.render(thread))
        self.say("  -- Avery clicks Apply --")
        self.agent.click(thread, APPLY, until=summary_posted)
        return thread

    def by_command(self, ticket: str, values: dict[str, Any]) -> Thread:
        return self.apply(self.preview(self.agent.command(ticket), values))

    def by_shortcut(self, text: str, values: dict[str, Any]) -> Thread:
        ts = self.slack.post_user_message(TEAMMATE, CHANNEL, text)
        return self.apply(self.preview(self.agent.shortcut(ts), values))


# ---- the episodes, in order ------------------------------------------------------------------


def customer_account(demo: Demo) -> Thread:
    return demo.by_command(
        "https://gitlab.zendesk.com/agent/tickets/512301",
        {"scenario": "customer_account", "customer_email": "carla@globex.example"},
    )


def services_engagement(demo: Demo) -> Thread:
    return demo.by_shortcut(
        "Partner typo'd the customer email on ZD#512302, can someone fix it?",
        {"scenario": "services_engagement", "customer_email": "ivan@initech.example"},
    )


def partner_commercial(demo: Demo) -> Thread:
    return demo.by_command("512303", {"scenario": "partner_commercial"})


def partner_nfr(demo: Demo) -> Thread:
    return demo.by_command(
        "https://support.gitlab.com/hc/en-us/requests/512304", {"scenario": "partner_nfr"}
    )


def typo_found(demo: Demo) -> Thread:
    view_id = demo.agent.command("512310")
    demo.say("  -- the modal, as the bot filled it in --")
    demo.say(screen.view(demo.slack, view_id))
    demo.say("  -- Avery submits it as prefilled --")
    return demo.apply(demo.preview(view_id, {}))


def unsure(demo: Demo) -> Thread:
    return demo.preview(demo.agent.command("#512305"), {"scenario": "unsure"})


def refused(demo: Demo) -> Thread:
    return demo.preview(
        demo.agent.command("512308"),
        {"scenario": "services_engagement", "customer_email": "contractor@globex.example"},
    )


def undo_first(demo: Demo) -> Thread:
    first = demo.threads[EPISODES[0].title]
    demo.say("  -- Avery clicks Undo on the summary --")
    demo.agent.click(first, UNDO, until=UNDONE)
    return first


UNDONE = said("Correction of ticket #512301 undone")

EPISODES: list[Episode] = [
    Episode(
        "1. customer_account: /partner-fix with an agent link", customer_account, summary_posted
    ),
    Episode(
        "2. services_engagement: the message shortcut on a teammate's message",
        services_engagement,
        summary_posted,
    ),
    Episode("3. partner_commercial: /partner-fix with an id", partner_commercial, summary_posted),
    Episode("4. partner_nfr: /partner-fix with a help-center link", partner_nfr, summary_posted),
    Episode(
        "5. finder: a mistyped Organization Email, the customer found and fixed",
        typo_found,
        summary_posted,
    ),
    Episode(
        "6. unsure: the bot writes nothing and lists what to ask the partner",
        unsure,
        said("Nothing is changed in Zendesk"),
    ),
    Episode("7. refused: a partner's user given as the customer", refused, said(":no_entry:")),
    Episode("8. Undo on the first fix", undo_first, UNDONE),
]


def alert_reviewed(demo: Demo) -> Thread:
    """Zendesk's trigger calls the webhook for a new ticket; Avery reviews the alert and applies
    the fix from its thread (the stand-in's webhook points at the bot: main does that)."""
    ticket_id = demo.zendesk.add_ticket(
        {
            "requester_id": 4101000000001,  # Pat Partner, the partner, as requester
            "ticket_form_id": 360000818199,
            "subject": "Merge request approvals reset on every push",
            "custom_fields": [{"id": 360012194200, "value": "jane@acmecorp.example"}],
        }
    )
    demo.say(f"  -- Zendesk: ticket #{ticket_id} created; the trigger calls the webhook --")
    alert = demo.slack.wait_for_message(
        ALERT_CHANNEL, lambda m: f"Ticket #{ticket_id} looks" in str(m.get("text")), 10
    )
    demo.say(screen.message(demo.slack, alert))
    demo.say("  -- Avery clicks Review on the alert --")
    agent = Agent(demo.slack, AGENT, ALERT_CHANNEL)
    thread = agent.submit(agent.open_from_button(alert["ts"], REVIEW), {})
    demo.say(agent.render(thread))
    demo.say("  -- Avery clicks Apply --")
    agent.click(thread, APPLY, until=summary_posted)
    return thread


EPISODES.append(
    Episode(
        "9. a new partner ticket: the alert, reviewed from Slack", alert_reviewed, summary_posted
    )
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot demo",
        description="Play the four Open Partner scenarios, a mistyped email found, unsure, a "
        "refusal and an Undo through the real bot, on embedded Slack and Zendesk stand-ins (no "
        "accounts needed), and print each Slack thread as text.",
    )
    parser.parse_args(argv)
    with Stack(bot="in-process") as stack:
        print(
            f"partner-fix demo: bot on {stack.url}, Slack stand-in on {stack.slack.url}, "
            f"Zendesk stand-in on {stack.zendesk.url}"
        )
        try:
            Demo(stack.zendesk, stack.slack, sys.stdout).run()
        except (AssertionError, TimeoutError, StopIteration) as error:
            print(f"\ndemo failed: {error!r}", file=sys.stderr)
            return 1
    print(
        "\nDone. Try it yourself: `.venv/bin/python -m bot sandbox`, then "
        "`.venv/bin/python -m bot plan ...`."
    )
    return 0
