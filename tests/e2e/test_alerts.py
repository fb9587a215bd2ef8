"""Alerts end to end: the Zendesk stand-in's signed webhook calls reach the Procfile's gunicorn,
the alert lands in the Slack stand-in's C0ALERTS, and Review fixes the ticket from the alert's
thread."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from standins import screen
from standins.harness import ALERT_CHANNEL, Agent, ProcfileServer, Thread, has_button
from standins.slack import SlackStandIn
from standins.zendesk import ZendeskSandbox
from standins.zendesk.webhooks import sign, timestamp
from tests.e2e.test_access import denial_for

PARTNER_FORM = 360000818199
ORG_EMAIL = 360012194200
PAT = 4101000000001  # Pat Partner, of Acme DevOps Partners
JANE = 4101000000106  # Jane Doe, of Acme Corp
REVIEW = "partner_fix_review"
STAMP = "X-Zendesk-Webhook-Signature-Timestamp"


def wrong_ticket(zendesk: ZendeskSandbox, notify: bool = False) -> int:
    """A partner ticket whose requester is the partner, though it names the customer."""
    return zendesk.add_ticket(
        {
            "requester_id": PAT,
            "ticket_form_id": PARTNER_FORM,
            "subject": "Runners stuck after upgrade",
            "custom_fields": [{"id": ORG_EMAIL, "value": "jane@acmecorp.example"}],
        },
        notify=notify,
    )


def fine_ticket(zendesk: ZendeskSandbox) -> int:
    return zendesk.add_ticket(
        {
            "requester_id": JANE,
            "submitter_id": PAT,
            "ticket_form_id": PARTNER_FORM,
            "custom_fields": [{"id": ORG_EMAIL, "value": "jane@acmecorp.example"}],
        },
        notify=False,
    )


@pytest.fixture
def webhook(zendesk: ZendeskSandbox, bot: ProcfileServer, slack: SlackStandIn) -> ZendeskSandbox:
    zendesk.webhooks.url = f"{bot.url}/zendesk/events"
    return zendesk


def alerts_for(slack: SlackStandIn, ticket_id: int) -> list[dict[str, Any]]:
    return [
        m
        for m in slack.messages(ALERT_CHANNEL)
        if f"#{ticket_id}" in str(m.get("text")) and not m.get("thread_ts")
    ]


def wait_for_alert(slack: SlackStandIn, ticket_id: int) -> dict[str, Any]:
    return slack.wait_for_message(
        ALERT_CHANNEL, lambda m: f"Ticket #{ticket_id} looks" in str(m.get("text")), 10
    )


def new_alert(webhook: ZendeskSandbox, slack: SlackStandIn) -> tuple[int, dict[str, Any]]:
    """A new mis-associated ticket (Zendesk's trigger calls the bot) and the alert it gets."""
    ticket_id = wrong_ticket(webhook, notify=True)
    return ticket_id, wait_for_alert(slack, ticket_id)


def review(webhook: ZendeskSandbox, slack: SlackStandIn) -> tuple[int, dict[str, Any], Agent, str]:
    """A new alert, and Avery's modal opened from its Review button (filled in)."""
    ticket_id, alert = new_alert(webhook, slack)
    agent = Agent(slack, "U0AGENT1", ALERT_CHANNEL)
    return ticket_id, alert, agent, agent.open_from_button(alert["ts"], REVIEW)


def checked(bot: ProcfileServer, ticket_id: int, count: int = 1, timeout: float = 10) -> list[str]:
    """The bot's log lines that say it finished checking the ticket, once there are `count`."""
    deadline = time.monotonic() + timeout
    while True:
        lines = [
            line
            for line in bot.log_path.read_text(errors="replace").splitlines()
            if '"alert check"' in line and f'"ticket_id": {ticket_id},' in line
        ]
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def call(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def signed(secret: str, body: bytes, stamp: str | None = None) -> dict[str, str]:
    stamp = stamp or timestamp()
    return {
        "Content-Type": "application/json",
        "X-Zendesk-Webhook-Signature": sign(secret, stamp, body),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
    }


# ---- the webhook -----------------------------------------------------------------------------


def test_a_new_wrong_ticket_gets_one_alert_with_link_reason_scenario_and_review(
    webhook: ZendeskSandbox, slack: SlackStandIn
) -> None:
    ticket_id, alert = new_alert(webhook, slack)
    shown = screen.message(slack, alert)
    assert f"/agent/tickets/{ticket_id}" in json.dumps(alert["blocks"])
    assert "Jane Doe of Acme Corp" in shown and "the requester is the partner Pat Partner" in shown
    assert "customer_account" in shown
    button = alert["blocks"][-1]["elements"][0]
    assert button["action_id"] == REVIEW and json.loads(button["value"]) == {"ticket_id": ticket_id}
    # No email address goes into the alert.
    assert "@" not in json.dumps(alert["blocks"]).replace(f"<@{'U'}", "")
    assert not [r for r in webhook.requests() if r["method"] != "GET"]  # nothing written


def test_a_fine_ticket_gets_no_alert(
    webhook: ZendeskSandbox, slack: SlackStandIn, bot: ProcfileServer
) -> None:
    ticket_id = fine_ticket(webhook)
    assert [d.status for d in webhook.notify_webhook(ticket_id)] == [200]
    assert checked(bot, ticket_id) and '"outcome": "fine"' in checked(bot, ticket_id)[0]
    assert alerts_for(slack, ticket_id) == []


def test_duplicates_and_retries_give_one_alert(
    webhook: ZendeskSandbox, slack: SlackStandIn, bot: ProcfileServer
) -> None:
    ticket_id = wrong_ticket(webhook)
    # Two deliveries at once (both workers may get one): signed in the same second, they are
    # the same call, and the second does nothing.
    sent = webhook.notify_webhook(ticket_id, duplicate=True)
    assert [d.status for d in sent] == [200, 200]
    assert '"outcome": "posted"' in checked(bot, ticket_id)[0]
    # Deliveries signed at other moments are new calls about a ticket alerted already.
    body = json.dumps({"ticket_id": str(ticket_id)}).encode()
    for offset in (-30, -20):
        assert webhook.webhooks.call(body, stamp=timestamp(offset)).status == 200
    outcomes = checked(bot, ticket_id, count=3)
    assert len(outcomes) == 3
    assert all('"outcome": "duplicate"' in line for line in outcomes[1:])
    time.sleep(0.3)
    assert len(alerts_for(slack, ticket_id)) == 1


def test_a_retry_after_a_failed_post_posts(
    webhook: ZendeskSandbox, slack: SlackStandIn, bot: ProcfileServer
) -> None:
    ticket_id = wrong_ticket(webhook)
    slack.inject("chat.postMessage", "internal_error", channel=ALERT_CHANNEL)
    webhook.notify_webhook(ticket_id)
    assert '"outcome": "failed"' in checked(bot, ticket_id)[0]
    # Zendesk's next delivery of the same event, signed at another moment.
    body = json.dumps({"ticket_id": str(ticket_id)}).encode()
    assert webhook.webhooks.call(body, stamp=timestamp(-5)).status == 200
    wait_for_alert(slack, ticket_id)
    assert len(alerts_for(slack, ticket_id)) == 1


@pytest.mark.parametrize(
    "case",
    ["forged", "stale", "future", "malformed_timestamp", "unix_timestamp", "malformed_signature",
     "non_ascii", "missing"],
)  # fmt: skip
def test_calls_that_do_not_verify_get_401_and_change_nothing(
    webhook: ZendeskSandbox, slack: SlackStandIn, bot: ProcfileServer, case: str
) -> None:
    ticket_id = wrong_ticket(webhook)
    body = json.dumps({"ticket_id": str(ticket_id)}).encode()
    secret = webhook.webhooks.secret
    headers = {
        "forged": signed("not-the-secret", body),
        "stale": signed(secret, body, timestamp(-6 * 60)),
        "future": signed(secret, body, timestamp(6 * 60)),
        "malformed_timestamp": {**signed(secret, body), STAMP: "yesterday"},
        "unix_timestamp": signed(secret, body, str(int(time.time()))),
        "malformed_signature": {**signed(secret, body), "X-Zendesk-Webhook-Signature": "abc"},
        "non_ascii": {**signed(secret, body), "X-Zendesk-Webhook-Signature": "é" * 44},
        "missing": {"Content-Type": "application/json"},
    }[case]  # fmt: skip
    webhook.clear_requests()
    status, _ = call(f"{bot.url}/zendesk/events", body, headers)
    assert status == 401
    time.sleep(0.3)
    assert webhook.requests() == []  # the bot read nothing
    assert alerts_for(slack, ticket_id) == []
    assert str(ticket_id) not in bot.log_path.read_text()  # nothing of the body in the logs


def test_a_replayed_call_does_nothing_more(
    webhook: ZendeskSandbox, slack: SlackStandIn, bot: ProcfileServer
) -> None:
    ticket_id = fine_ticket(webhook)
    body = json.dumps({"ticket_id": ticket_id}).encode()  # a number is taken too
    headers = signed(webhook.webhooks.secret, body)
    assert call(f"{bot.url}/zendesk/events", body, headers) == (200, {"ok": True})
    assert len(checked(bot, ticket_id)) == 1
    status, answer = call(f"{bot.url}/zendesk/events", body, headers)
    assert (status, answer.get("duplicate")) == (200, True)
    time.sleep(0.5)
    assert len(checked(bot, ticket_id, timeout=0)) == 1


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b'{"ticket_id": "abc"}', b'{"ticket_id": 0}', b'{"id": 5}',
             b'{"ticket_id": true}', b'{"ticket_id": "99999999999999999999"}'],
)  # fmt: skip
def test_a_signed_body_without_a_ticket_id_is_400(
    webhook: ZendeskSandbox, bot: ProcfileServer, body: bytes
) -> None:
    status, answer = call(f"{bot.url}/zendesk/events", body, signed(webhook.webhooks.secret, body))
    assert status == 400 and answer["error"] == "bad_body"


def test_without_a_secret_the_route_is_404(start_bot: Callable[..., ProcfileServer]) -> None:
    server = start_bot(ZENDESK_WEBHOOK_SECRET="")  # empty is unset, as in a .env file
    body = b'{"ticket_id": "512301"}'
    status, _ = call(f"{server.url}/zendesk/events", body, signed("x", body))
    assert status == 404


# ---- review ----------------------------------------------------------------------------------


def apply_until_reviewed(agent: Agent, thread: Thread) -> None:
    """Apply in the alert's thread, once the alert (the thread's root) says it was reviewed."""
    agent.click(
        thread,
        "partner_fix_apply",
        until=lambda ms: "reviewed by" in json.dumps(ms[0].get("blocks")),
    )


def test_review_prefills_the_modal_previews_in_the_thread_and_marks_the_alert_reviewed(
    webhook: ZendeskSandbox, slack: SlackStandIn
) -> None:
    ticket_id, alert, agent, view_id = review(webhook, slack)
    shown = json.dumps(slack.view(view_id)["blocks"])
    assert '"initial_value": "jane@acmecorp.example"' in shown  # the prefill, as the command's
    thread = agent.submit(view_id, {})
    assert thread.ts == alert["ts"]  # the preview is in the alert's thread
    apply_until_reviewed(agent, thread)
    root = slack.thread(ALERT_CHANNEL, alert["ts"])[0]
    assert "reviewed by <@U0AGENT1>" in json.dumps(root["blocks"])
    assert not any(b.get("type") == "actions" for b in root["blocks"])
    assert webhook.ticket(ticket_id)["requester_id"] == JANE


def test_try_again_in_an_alerts_thread_still_marks_the_alert_reviewed(
    webhook: ZendeskSandbox, slack: SlackStandIn
) -> None:
    ticket_id, alert, agent, view_id = review(webhook, slack)
    # The preview's read fails: the thread gets the failure with Try again, in the alert's thread.
    webhook.inject("GET", rf"/api/v2/tickets/{ticket_id}\.json", status=503)
    thread = agent.submit(view_id, {})
    assert thread.ts == alert["ts"] and "[Try again]" in agent.render(thread)
    agent.click(thread, "partner_fix_retry", until=lambda ms: any(
        has_button(m, "partner_fix_apply") for m in ms))  # fmt: skip
    apply_until_reviewed(agent, thread)
    assert webhook.ticket(ticket_id)["requester_id"] == JANE


def test_a_guest_clicking_review_is_denied_and_gets_no_modal(
    webhook: ZendeskSandbox, slack: SlackStandIn
) -> None:
    _, alert = new_alert(webhook, slack)
    known = len(slack.calls("views.open"))
    answer = slack.click_button("U0GUEST1", ALERT_CHANNEL, alert["ts"], REVIEW)
    denial_for(slack, "U0GUEST1", answer, "Sorry, partner-fix is only for members")
    time.sleep(0.3)
    assert len(slack.calls("views.open")) == known
