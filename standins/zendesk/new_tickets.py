"""A ticket arriving in the sandbox (what a partner's form submission creates), for the demo,
the tests and the benchmarks: there is no ticket-creating API route here, by design (the bot
never creates tickets)."""

from __future__ import annotations

import itertools
from typing import Any

from standins.zendesk.world import Ticket, World, _creation_audit, now_utc, parse_time

# New ids never repeat within a process, across resets too: anything that remembers a ticket
# by its id (the bot's 10-minute alert memory) never mistakes a new ticket for an old one.
_IDS = itertools.count(700001)


def add_ticket(world: World, fields: dict[str, Any]) -> int:
    """Create a ticket from Zendesk-shaped fields (`requester_id`, `submitter_id`,
    `organization_id`, `ticket_form_id`, `subject`, `description`, `status`, `created_at`,
    `custom_fields: [{id, value}]`, `tags`); returns its id. Like Zendesk with user and
    organization tagging on, the requester's organization's tags are added to the ticket's."""
    ticket_id = int(fields.get("id") or next(_IDS))
    if ticket_id in world.tickets:
        raise ValueError(f"ticket {ticket_id} exists")
    requester_id = int(fields["requester_id"])
    if requester_id not in world.users:
        raise ValueError(f"unknown requester {requester_id}")
    submitter_id = int(fields.get("submitter_id") or requester_id)
    org_id = fields.get("organization_id", world.default_organization_id(requester_id))
    created = parse_time(fields["created_at"]) if fields.get("created_at") else now_utc()
    tags = list(fields.get("tags") or [])
    if org_id is not None and org_id in world.organizations:
        tags += [t for t in world.organizations[org_id].tags if t not in tags]
    custom = {int(f["id"]): f.get("value") for f in fields.get("custom_fields") or []}
    unknown = [f for f in custom if f not in world.ticket_fields]
    if unknown:
        raise ValueError(f"unknown ticket fields {unknown}")
    ticket = Ticket(
        id=ticket_id,
        subject=str(fields.get("subject") or "A new ticket"),
        description=str(fields.get("description") or "Please help."),
        requester_id=requester_id,
        submitter_id=submitter_id,
        created_at=created,
        updated_at=created,
        status=str(fields.get("status") or "new"),
        organization_id=org_id,
        ticket_form_id=fields.get("ticket_form_id"),
        brand_id=world.brand_id,
        tags=tags,
        custom_fields=custom,
    )
    world.tickets[ticket_id] = ticket
    world.audits[ticket_id] = [_creation_audit(world, ticket)]
    return ticket_id
