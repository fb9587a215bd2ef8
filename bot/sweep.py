"""`python -m bot sweep`: the open tickets that look mis-associated, found through Zendesk's
search API, printed one a line and, with --post, posted as alerts. It never writes to Zendesk.

Exit 0 when the sweep read everything it found; 1 on a Zendesk fault (or an alert that could
not be posted); 2 on usage or settings problems.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TextIO

from bot.alerts import Suspect, assess, candidates, since_date, sweep_queries
from bot.config import Settings
from bot.fixes import Failed
from bot.ports import Fault, ZendeskError
from bot.slack.alerts import Outcome
from bot.wiring import build_alerts, build_fixes, build_gateway

DONE, FAILED, USAGE = 0, 1, 2
PROGRESS_EVERY = 25

POSTED_WORDS = {
    Outcome.POSTED: "alert posted",
    Outcome.DUPLICATE: "already alerted in the last 10 minutes",
}


def sweep(
    settings: Settings,
    since: int,
    limit: int | None,
    post: bool,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    def progress(text: str) -> None:
        print(f"sweep: {text}", file=err, flush=True)

    gateway = build_gateway(settings)
    fixes = build_fixes(settings, gateway)
    alerts = build_alerts(settings, fixes) if post else None
    if post and (alerts is None or settings.SLACK_BOT_TOKEN is None):
        print("partner-fix: --post needs SLACK_ALERT_CHANNEL and SLACK_BOT_TOKEN.", file=err)
        return USAGE
    day = since_date(since, datetime.now(UTC).date())
    queries = sweep_queries(
        settings.ZENDESK_PARTNER_FORM_ID, settings.ZENDESK_PARTNER_ORG_TAGS, day
    )
    progress(f"searching Zendesk for open partner tickets created after {day.isoformat()}…")
    read = listed = 0
    status = DONE
    try:
        for ticket_id in candidates(gateway, queries, progress):
            if limit is not None and listed >= limit:
                break
            read += 1
            if read % PROGRESS_EVERY == 0:
                progress(f"read {read} tickets, {listed} look mis-associated")
            found = assess(fixes, ticket_id)
            if isinstance(found, Failed):
                if found.fault is Fault.NOT_FOUND:
                    continue  # deleted since the search index saw it
                print(f"partner-fix: ticket {ticket_id}: {found.message}", file=err)
                return FAILED
            if found is None:
                continue
            listed += 1
            note = ""
            if alerts is not None:
                outcome = alerts.poster.post(found)
                if outcome is Outcome.SHARED_CHANNEL:
                    print(_shared(settings), file=err)
                    return FAILED
                if outcome is Outcome.FAILED:
                    status = FAILED
                note = f"  ({POSTED_WORDS.get(outcome, 'the alert could not be posted')})"
            print(_line(found) + note, file=out, flush=True)
    except ZendeskError as error:
        print(f"partner-fix: Zendesk's search failed: {error.message}", file=err)
        return FAILED
    progress(f"done: read {read} tickets, {listed} look mis-associated")
    return status


def _line(found: Suspect) -> str:
    suspicion = found.suspicion
    return f"#{suspicion.ticket_id}  {suspicion.scenario.value}  {suspicion.reason}"


def _shared(settings: Settings) -> str:
    return (
        f"partner-fix: SLACK_ALERT_CHANNEL {settings.SLACK_ALERT_CHANNEL} is shared with another "
        "organization (or Slack could not say it is not), and alerts carry customer data: "
        "nothing was posted. Use a channel of this workspace alone."
    )
