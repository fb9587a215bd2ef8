"""Tickets that look mis-associated: the check behind the webhook and the sweep.

A ticket is read as a preview would read it (`look`, then `preview` of the suggested scenario
with the prefilled customer), and `domain.alerting` decides. Nothing here writes to Zendesk:
an alert is an invitation to preview, and every write still goes through a preview and a click.
"""

from __future__ import annotations

import logging
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from hashlib import sha256
from pathlib import Path
from typing import Protocol

from bot.domain.alerting import Suspicion, misassociated
from bot.domain.planning import FixRequest
from bot.fixes import Failed, Fixes

log = logging.getLogger(__name__)

# Zendesk retries and duplicates deliveries: one alert per ticket within this window.
ALERT_WINDOW = 10 * 60.0


@dataclass(frozen=True)
class Suspect:
    suspicion: Suspicion
    url: str


def assess(fixes: Fixes, ticket_id: int) -> Suspect | Failed | None:
    """The ticket's suspicion (None: it looks fine), read as the modal and the preview read it."""
    look = fixes.look(ticket_id)
    if isinstance(look, Failed):
        return look
    request = FixRequest(
        ticket_id=ticket_id, scenario=look.suggestion.scenario, customer_email=look.customer_email
    )
    preview = fixes.preview(request)
    if isinstance(preview, Failed):
        return preview
    found = misassociated(preview.snapshot, look.suggestion, preview.outcome)
    return Suspect(found, preview.url) if found is not None else None


# ---- the sweep's queries ---------------------------------------------------------------------


class TicketSearch(Protocol):
    def search_tickets(self, query: str) -> Iterator[tuple[list[int], int]]: ...


def sweep_queries(form_id: int, partner_tags: tuple[str, ...], since: date) -> list[str]:
    """Open tickets on the partner form, and open tickets off it whose requester's organization
    is a partner's (Zendesk copies organization tags onto the tickets of its users)."""
    base = f"type:ticket status<solved created>{since.isoformat()}"
    return [
        f"{base} ticket_form_id:{form_id}",
        *(f"{base} -ticket_form_id:{form_id} tags:{tag}" for tag in partner_tags),
    ]


def since_date(days: int, today: date) -> date:
    return today - timedelta(days=days)


def candidates(
    search: TicketSearch, queries: list[str], progress: Callable[[str], None]
) -> Iterator[int]:
    """Each ticket id the queries find, once, newest first within each query."""
    seen: set[int] = set()
    for number, query in enumerate(queries, 1):
        for ids, count in search.search_tickets(query):
            if count > 1000 and not seen:
                progress(
                    f"{count} tickets match; Zendesk's search returns the newest 1,000 of them: "
                    "narrow --since to see the rest"
                )
            for ticket_id in ids:
                if ticket_id not in seen:
                    seen.add(ticket_id)
                    yield ticket_id
        log.debug("search done", extra={"query": number})


# ---- the 10-minute memory --------------------------------------------------------------------


def memory_folder(deployment: str) -> Path | None:
    """A folder every process of this deployment on this machine shares (gunicorn's workers, a
    sweep run beside them), named for the deployment (its Zendesk and alert channel); None when
    it is not safely ours (someone else made it, or it is a link), to use a private one."""
    name = f"partner-fix-alerts-{os.getuid()}-{sha256(deployment.encode()).hexdigest()[:16]}"
    folder = Path(tempfile.gettempdir()) / name
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return None
    if (
        not stat.S_ISDIR(info.st_mode)
        or info.st_uid != os.getuid()
        or info.st_mode & (stat.S_IRWXG | stat.S_IRWXO)
    ):
        log.warning("alert memory folder is not safely ours; using a private one")
        return None
    return folder
