"""`python -m bot sweep` as an operator runs it (a subprocess) against the Zendesk and Slack
stand-ins: what it lists, what it posts, that it writes nothing to Zendesk, its exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from standins.harness import ALERT_CHANNEL
from standins.slack import SlackStandIn
from standins.zendesk import ZendeskSandbox
from tests.e2e.test_alerts import PAT, fine_ticket, wrong_ticket
from tests.test_cli import run

WRONG_SEED = {512301, 512302, 512303, 512304, 512305, 512307, 512310, 512312, 512313, 2**53 + 1}


@pytest.fixture
def env(zendesk: ZendeskSandbox, slack: SlackStandIn) -> dict[str, str]:
    slack.reset()
    email, token = zendesk.credentials
    return {
        "ZENDESK_URL": zendesk.url,
        "ZENDESK_EMAIL": email,
        "ZENDESK_API_TOKEN": token,
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_API_URL": slack.url,
        "SLACK_ALERT_CHANNEL": ALERT_CHANNEL,
    }


def listed(stdout: str) -> list[int]:
    return [int(line.split()[0].lstrip("#")) for line in stdout.splitlines() if line]


def test_sweep_lists_the_open_wrong_tickets_and_writes_nothing(
    env: dict[str, str], zendesk: ZendeskSandbox, tmp_path: Path
) -> None:
    fine = fine_ticket(zendesk)
    wrong = wrong_ticket(zendesk)
    closed = zendesk.add_ticket(
        {"requester_id": PAT, "ticket_form_id": 360000818199, "status": "closed"}, notify=False
    )
    done = run(["sweep"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    found = listed(done.stdout)
    assert set(found) == WRONG_SEED | {wrong}
    assert fine not in found and closed not in found and 512306 not in found
    line = next(x for x in done.stdout.splitlines() if x.startswith(f"#{wrong} "))
    assert "customer_account" in line and "the requester is the partner Pat Partner" in line
    assert "sweep: searching Zendesk" in done.stderr and "sweep: done: read" in done.stderr
    assert [r for r in zendesk.requests() if r["method"] != "GET"] == []
    queries = [
        r["query"]["query"] for r in zendesk.requests() if r["path"] == "/api/v2/search.json"
    ]
    assert queries[0].startswith("type:ticket status<solved created>")
    assert "ticket_form_id:360000818199" in queries[0]


def test_sweep_limit_and_post_post_one_alert_per_ticket(
    env: dict[str, str], zendesk: ZendeskSandbox, slack: SlackStandIn, tmp_path: Path
) -> None:
    newest = [wrong_ticket(zendesk) for _ in range(3)]
    done = run(["sweep", "--limit", "2", "--post"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert listed(done.stdout) == newest[::-1][:2]  # newest first
    assert all("(alert posted)" in line for line in done.stdout.splitlines())
    alerts = [m for m in slack.messages(ALERT_CHANNEL) if "looks mis-associated" in m["text"]]
    assert len(alerts) == 2
    again = run(["sweep", "--limit", "2", "--post"], env, tmp_path)
    assert "already alerted in the last 10 minutes" in again.stdout
    assert len([m for m in slack.messages(ALERT_CHANNEL) if "looks" in m["text"]]) == 2
    assert [r for r in zendesk.requests() if r["method"] != "GET"] == []


def test_sweep_refuses_to_post_in_a_shared_channel(
    env: dict[str, str], zendesk: ZendeskSandbox, slack: SlackStandIn, tmp_path: Path
) -> None:
    done = run(["sweep", "--post"], {**env, "SLACK_ALERT_CHANNEL": "C0SHARED"}, tmp_path)
    assert done.returncode == 1
    assert "shared with another organization" in done.stderr
    assert slack.messages("C0SHARED") == []


def test_sweep_exits_1_on_a_zendesk_fault(
    env: dict[str, str], zendesk: ZendeskSandbox, tmp_path: Path
) -> None:
    zendesk.inject("GET", r"/api/v2/search(\.json)?", status=503, count=5)
    done = run(["sweep"], env, tmp_path)
    assert done.returncode == 1
    assert "partner-fix: Zendesk's search failed" in done.stderr
    assert "Traceback" not in done.stderr


def test_sweep_help_and_usage(env: dict[str, str], tmp_path: Path) -> None:
    shown = run(["sweep", "--help"], env, tmp_path)
    assert shown.returncode == 0
    for words in ("--since", "--limit", "--post", "1,000", "Never writes to Zendesk"):
        assert words in " ".join(shown.stdout.split()), words
    assert run(["sweep", "--since", "0"], env, tmp_path).returncode == 2
    assert run(["sweep", "--post"], {**env, "SLACK_ALERT_CHANNEL": ""}, tmp_path).returncode == 2
