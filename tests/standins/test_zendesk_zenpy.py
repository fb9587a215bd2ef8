"""Real, unmodified zenpy against the Zendesk stand-in: if zenpy is happy, the shapes are right."""

from __future__ import annotations

import pytest
from zenpy import Zenpy
from zenpy.lib.api_objects import Ticket, TicketAudit
from zenpy.lib.exception import APIException

from standins.zendesk import ZendeskSandbox

pytestmark = pytest.mark.timeout(20)

CARLA, GLOBEX, PAT = 4101000000101, 360100000011, 4101000000001


def test_zenpy_reads_searches_updates_safely_and_lists_every_audit(
    zendesk: ZendeskSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZENPY_FORCE_NETLOC", zendesk.url.removeprefix("http://"))
    monkeypatch.setenv("ZENPY_FORCE_SCHEME", "http")
    email, token = zendesk.credentials
    client = Zenpy(subdomain="sandbox", email=email, token=token, disable_cache=True)

    ticket = client.tickets(id=512301)
    assert (ticket.id, ticket.requester_id, ticket.organization_id) == (512301, 4101000000201, None)
    (carla,) = list(client.users.search(query="email:carla@globex.example"))
    assert (carla.id, carla.organization_id) == (CARLA, GLOBEX)
    (globex,) = list(client.users.organizations(user=carla.id))
    assert globex.id == GLOBEX
    assert globex.organization_fields["support_level"] == "ultimate"

    audit = client.tickets.update(
        Ticket(
            id=512301,
            requester_id=CARLA,
            organization_id=GLOBEX,
            email_ccs=[{"user_id": PAT, "action": "put"}],
            comment={"body": "Corrected by partner-fix", "public": False},
            metadata={"partner_fix": {"slack_user": "U1"}},
            safe_update=True,
            updated_stamp=ticket.updated_at,
        )
    )
    assert isinstance(audit, TicketAudit)
    assert audit.ticket.requester_id == CARLA and audit.ticket.email_cc_ids == [PAT]
    assert audit.audit.metadata.custom == {"partner_fix": {"slack_user": "U1"}}
    with pytest.raises(APIException) as conflict:
        client.tickets.update(
            Ticket(id=512301, status="pending", safe_update=True, updated_stamp=ticket.updated_at)
        )
    assert conflict.value.response.status_code == 409

    # More audits than one page of 100, so zenpy must follow the cursor links.
    for n in range(100):
        client.tickets.update(Ticket(id=512304, comment={"body": f"note {n}", "public": False}))
    audits = list(client.tickets.audits(ticket=512304))
    assert len(audits) == 101
    assert [a.id for a in audits] == sorted(a.id for a in audits)
    pages = [e for e in zendesk.requests() if e["path"] == "/api/v2/tickets/512304/audits.json"]
    assert len(pages) == 2
