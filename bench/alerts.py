"""Alerts: time from Zendesk's webhook call to the alert in Slack while every Zendesk request
takes 1 s, and the sweep's Zendesk requests and time over 1,000 open partner tickets under the
search API's rate limit (100 a minute)."""

from __future__ import annotations

import io
import threading
import time
from collections import Counter

from bench.report import Section, ms, percentile, section, table
from bot.sweep import sweep
from standins.harness import ALERT_CHANNEL, Stack
from standins.zendesk import ZendeskSandbox

PAT, JANE = 4101000000001, 4101000000106
FORM, ORG_EMAIL = 360000818199, 360012194200
SEARCH_PER_MINUTE = 100


def _ticket(sandbox: ZendeskSandbox, wrong: bool) -> int:
    return sandbox.add_ticket(
        {
            "requester_id": PAT if wrong else JANE,
            "submitter_id": PAT,
            "ticket_form_id": FORM,
            "custom_fields": [{"id": ORG_EMAIL, "value": "jane@acmecorp.example"}],
        },
        notify=False,
    )


def _webhook_to_alert(count: int) -> list[float]:
    # The Stack aims Slack and Zendesk's trigger at the Procfile bot it starts.
    with Stack() as stack:
        sandbox, slack = stack.zendesk, stack.slack
        tickets = [_ticket(sandbox, wrong=True) for _ in range(count)]
        sandbox.set_latency(1.0)
        took: list[float] = []

        def one(ticket_id: int) -> None:
            started = time.monotonic()
            sandbox.notify_webhook(ticket_id)
            slack.wait_for_message(
                ALERT_CHANNEL, lambda m: f"#{ticket_id} looks" in str(m.get("text")), 60
            )
            took.append(time.monotonic() - started)

        threads = [threading.Thread(target=one, args=(t,)) for t in tickets]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return took


def _sweep(count: int) -> tuple[float, int, Counter[str], int]:
    with Stack(bot=None) as stack:
        sandbox = stack.zendesk
        for i in range(count):
            _ticket(sandbox, wrong=i % 10 == 0)  # one in ten is wrong
        sandbox.set_search_rate_limit(SEARCH_PER_MINUTE)
        sandbox.clear_requests()
        settings = stack.settings()
        out = io.StringIO()
        started = time.monotonic()
        sweep(settings, since=30, limit=None, post=False, out=out, err=io.StringIO())
        took = time.monotonic() - started
        paths = Counter(
            "search" if r["path"].startswith("/api/v2/search") else r["path"].split("/")[3]
            for r in sandbox.requests()
        )
        return took, len(sandbox.requests()), paths, len(out.getvalue().splitlines())


def run(quick: bool) -> Section:
    alerts = 5 if quick else 20
    backlog = 100 if quick else 1000
    took = _webhook_to_alert(alerts)
    seconds, requests, paths, listed = _sweep(backlog)
    opened = backlog + 13  # the seed's open partner tickets too
    body = (
        f"Webhook to alert: {alerts} new mis-associated tickets, their webhook calls at once, "
        "every Zendesk request taking 1 s (the Procfile's gunicorn, 2 workers):\n\n"
        + table(
            ["p50", "p99", "max"],
            [[ms(percentile(took, 50)), ms(percentile(took, 99)), ms(max(took))]],
        )
        + f"\n\nSweep over {backlog} new open partner tickets (one in ten wrong) plus the seed's, "
        f"search limited to {SEARCH_PER_MINUTE}/min: {listed} listed, {requests} Zendesk "
        f"requests ({requests / opened:.1f} a ticket read), {seconds:.1f} s.\n\n"
        + table(["endpoint", "requests"], paths.most_common())
        + "\n\nThe search pages 100 at a time, so its rate limit costs nothing here: 1,000 "
        "tickets are 10 search pages per query (plus one per partner tag); the reads are a "
        "preview's per ticket."
    )
    return section("alerts", "Alerts: webhook to alert, and the sweep", quick, body)
