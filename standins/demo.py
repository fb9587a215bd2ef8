"""`python -m bot demo`: the four scenarios, a refusal and an Undo, through the real bot.

Slack and Zendesk are embedded stand-ins on 127.0.0.1; the bot is the real WSGI app receiving
signed requests. Each Slack thread is printed as text, with the Zendesk requests it took.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from bot.slack.alert_blocks import REVIEW
from bot.slack.blocks import UNDO
from standins.harness import (
    ALERT_CHANNEL,
    Agent,
    BotServer,
    Thread,
    has_button,
    new_signing_secret,
    stand_in_settings,
)
from standins.slack import SlackStandIn
from standins.zendesk import ZendeskSandbox

AGENT = "U0AGENT1"
CHANNEL = "C0SUPPORT"


def _summary_posted(messages: list[dict[str, Any]]) -> bool:
    return any(has_button(m, UNDO) for m in messages) or any(
        "Nothing was changed" in str(m.get("text")) or "changed" in str(m.get("text"))
        for m in messages[-1:]
    )


class Demo:
    def __init__(self, zendesk: ZendeskSandbox, slack: SlackStandIn, out: Any) -> None:
        self.zendesk = zendesk
        self.slack = slack
        self.agent = Agent(slack, AGENT, CHANNEL)
        self.out = out

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def episode(self, title: str, act: Callable[[], Thread]) -> Thread:
        self.say(f"\n=== {title} " + "=" * max(0, 70 - len(title)))
        self.zendesk.clear_requests()
        thread = act()
        self.say(self.agent.render(thread))
        calls = self.zendesk.requests()
        writes = sum(1 for r in calls if r["method"] == "PUT")
        self.say(f"  (Zendesk: {len(calls)} requests, {writes} write)")
        return thread

    def by_command(self, ticket: str, values: dict[str, Any], apply: bool = True) -> Thread:
        view = self.agent.command(ticket)
        thread = self.agent.submit(view, values)
        if apply:
            self.apply(thread)
        return thread

    def apply(self, thread: Thread) -> None:
        self.say(self.agent.render(thread))
        self.say("  -- Avery clicks Apply --")
        self.agent.click(thread, "partner_fix_apply", until=_summary_posted)

    def by_shortcut(self, text: str, values: dict[str, Any]) -> Thread:
        ts = self.slack.post_user_message("U0AGENT2", CHANNEL, text)
        view = self.agent.shortcut(ts)
        thread = self.agent.submit(view, values)
        self.apply(thread)
        return thread

    def run(self) -> None:
        first = self.episode(
            "1. customer_account: /partner-fix with an agent link",
            lambda: self.by_command(
                "https://gitlab.zendesk.com/agent/tickets/512301",
                {"scenario": "customer_account", "customer_email": "carla@globex.example"},
            ),
        )
        self.episode(
            "2. services_engagement: the message shortcut on a teammate's message",
            lambda: self.by_shortcut(
                "Partner typo'd the customer email on ZD#512302, can someone fix it?",
                {"scenario": "services_engagement", "customer_email": "ivan@initech.example"},
            ),
        )
        self.episode(
            "3. partner_commercial: /partner-fix with an id",
            lambda: self.by_command("512303", {"scenario": "partner_commercial"}),
        )
        self.episode(
            "4. partner_nfr: /partner-fix with a help-center link",
            lambda: self.by_command(
                "https://support.gitlab.com/hc/en-us/requests/512304", {"scenario": "partner_nfr"}
            ),
        )
        self.episode(
            "5. unsure: the bot writes nothing and lists what to ask the partner",
            lambda: self.by_command("#512305", {"scenario": "unsure"}, apply=False),
        )
        self.episode(
            "6. refused: a partner's user given as the customer",
            lambda: self.by_command(
                "512308",
                {"scenario": "services_engagement", "customer_email": "contractor@globex.example"},
                apply=False,
            ),
        )

        def undo_first() -> Thread:
            self.say("  -- Avery clicks Undo on the summary --")
            self.agent.click(first, "partner_fix_undo")
            return first

        self.episode("7. Undo on the first fix", undo_first)

    def run_alert(self) -> None:
        """Needs the sandbox's webhook pointed at the bot (main does that)."""
        self.episode("8. A new partner ticket arrives: the alert, reviewed from Slack", self.alert)

    def alert(self) -> Thread:
        """Zendesk's trigger calls the webhook; Avery reviews the alert and applies the fix."""
        ticket_id = self.zendesk.add_ticket(
            {
                "requester_id": 4101000000001,  # Pat Partner, the partner, as requester
                "ticket_form_id": 360000818199,
                "subject": "Merge request approvals reset on every push",
                "custom_fields": [{"id": 360012194200, "value": "jane@acmecorp.example"}],
            }
        )
        self.say(f"  -- Zendesk: ticket #{ticket_id} created; the trigger calls the webhook --")
        alert = self.slack.wait_for_message(
            ALERT_CHANNEL, lambda m: f"Ticket #{ticket_id} looks" in str(m.get("text")), 10
        )
        self.say(self.slack.render_message(alert))
        self.say("  -- Avery clicks Review on the alert --")
        agent = Agent(self.slack, AGENT, ALERT_CHANNEL)
        known = len(self.slack.calls("views.open"))
        self.slack.click_button(AGENT, ALERT_CHANNEL, alert["ts"], REVIEW)
        view = agent.opened_view(known)
        thread = agent.submit(view, {})
        self.say(agent.render(thread))
        self.say("  -- Avery clicks Apply --")
        agent.click(thread, "partner_fix_apply", until=_summary_posted)
        return thread


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot demo",
        description="Play the four Open Partner scenarios, a refusal and an Undo through the real "
        "bot, on embedded Slack and Zendesk stand-ins (no accounts needed), and print each "
        "Slack thread as text.",
    )
    parser.parse_args(argv)
    zendesk = ZendeskSandbox().start()
    slack = SlackStandIn(signing_secret=new_signing_secret()).start()
    settings = stand_in_settings(
        zendesk,
        slack,
        ZENDESK_WEBHOOK_SECRET=zendesk.webhooks.secret,
        SLACK_ALERT_CHANNEL=ALERT_CHANNEL,
    )
    server = BotServer(settings).start()
    slack.app_url = f"{server.url}/slack/events"
    zendesk.webhooks.url = f"{server.url}/zendesk/events"
    try:
        print(
            f"partner-fix demo: bot on {server.url}, Slack stand-in on {slack.url}, "
            f"Zendesk stand-in on {zendesk.url}"
        )
        demo = Demo(zendesk, slack, sys.stdout)
        demo.run()
        demo.run_alert()
    except (AssertionError, TimeoutError, StopIteration) as error:
        print(f"\ndemo failed: {error!r}", file=sys.stderr)
        return 1
    finally:
        server.stop()
        slack.stop()
        zendesk.stop()
    print("\nDone. Try it yourself: `python -m bot sandbox`, then `python -m bot plan ...`.")
    return 0
