"""The rule at the moment of writing, over real HTTP through zenpy against the stand-in: Apply and
Undo judge fresh, complete facts, and refuse what they could not read or did not write."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.domain.planning import FixRequest, Plan, Refusal
from bot.domain.scenarios import Scenario
from bot.fixes import Done, Failed, Fixes, Preview, Stale
from bot.ports import Trace
from bot.zendesk.gateway import MAX_PAGES, PAGE_SIZE
from bot.zendesk.records import MAX_METADATA_BYTES, metadata_size
from standins.zendesk import ZendeskSandbox
from tests.conftest import put_as_colleague

CARLA, IVAN, HANA, PAT = 4101000000101, 4101000000102, 4101000000103, 4101000000001
ACME, NORTHWIND, GLOBEX, INITECH, HOOLI = (
    360100000001, 360100000002, 360100000011, 360100000012, 360100000013,
)  # fmt: skip
ORG_EMAIL = 360012194200
TRACE = Trace(request_id="req-rule-1", requested_by="Avery (Slack U0AGENT1)", slack_user="U0AGENT1")


def preview(fixes: Fixes, request: FixRequest) -> Preview:
    result = fixes.preview(request)
    assert isinstance(result, Preview), result
    return result


def planned(fixes: Fixes, request: FixRequest) -> Plan:
    outcome = preview(fixes, request).outcome
    assert isinstance(outcome, Plan), outcome
    return outcome


def writes(zendesk: ZendeskSandbox) -> list[dict[str, Any]]:
    return [r for r in zendesk.requests() if r["method"] != "GET"]


def carla_on(ticket_id: int = 512301) -> FixRequest:
    return FixRequest(
        ticket_id=ticket_id,
        scenario=Scenario.CUSTOMER_ACCOUNT,
        customer_email="carla@globex.example",
    )


# 1. Apply trusts the button: the world moves under the preview without touching the ticket.


@pytest.mark.parametrize(
    "move",
    [
        lambda z: z.world.add_membership(CARLA, ACME),  # Carla joins a partner organization
        lambda z: z.world.update_organization(GLOBEX, tags=["open_partner"]),  # Globex tagged
        lambda z: z.world.update_organization(GLOBEX, fields={"account_type": "open_partner"}),
    ],
    ids=["membership", "org-tag", "org-field"],
)
def test_apply_refuses_when_the_customer_turned_partner_since_the_preview(
    zendesk: ZendeskSandbox, fixes: Fixes, move: Any
) -> None:
    plan = planned(fixes, carla_on())
    before = zendesk.ticket(512301)
    move(zendesk)
    result = fixes.apply(plan, carla_on(), TRACE)
    assert isinstance(result, Stale), result
    assert isinstance(result.fresh.outcome, Refusal)
    assert result.fresh.outcome.rule == "never_cross_associate"
    assert "now refused" in result.reason
    assert writes(zendesk) == [] and zendesk.ticket(512301) == before


def test_apply_writes_the_fresh_plan_only_when_it_is_the_previewed_one(
    zendesk: ZendeskSandbox, fixes: Fixes
) -> None:
    request = FixRequest(
        ticket_id=512307, scenario=Scenario.CUSTOMER_ACCOUNT, customer_email="hana@hooli.example"
    )
    plan = planned(fixes, request)
    assert plan.organization_id == HOOLI
    # Hana's default organization changes: the same request would now put the ticket elsewhere.
    zendesk.world.remove_membership(HANA, HOOLI)
    result = fixes.apply(plan, request, TRACE)
    assert isinstance(result, Stale) and "would now be different" in result.reason
    assert writes(zendesk) == []


def test_an_unrelated_change_to_the_world_does_not_stop_apply(
    zendesk: ZendeskSandbox, fixes: Fixes
) -> None:
    plan = planned(fixes, carla_on())
    zendesk.world.add_membership(IVAN, HOOLI)
    assert isinstance(fixes.apply(plan, carla_on(), TRACE), Done)


# 2. Sideloads give default organizations only; the guard fails closed on the rest.


def test_a_customer_hidden_behind_a_default_organization_is_still_refused(
    zendesk: ZendeskSandbox, fixes: Fixes
) -> None:
    # Carla's default organization stays Globex; her partner membership is not sideloaded.
    zendesk.world.add_membership(CARLA, ACME, default=False)
    outcome = preview(fixes, carla_on()).outcome
    assert isinstance(outcome, Refusal) and outcome.rule == "never_cross_associate"


def test_undo_never_puts_a_partner_user_back_on_a_customer_organization(
    zendesk: ZendeskSandbox, fixes: Fixes
) -> None:
    request = FixRequest(ticket_id=512303, scenario=Scenario.PARTNER_COMMERCIAL)
    assert isinstance(fixes.apply(planned(fixes, request), request, TRACE), Done)
    # Since the fix, Hana (the requester Undo would restore) joined a partner organization, as a
    # non-default membership that no sideload shows.
    zendesk.world.add_membership(HANA, NORTHWIND, default=False)
    zendesk.clear_requests()
    result = fixes.undo(512303, TRACE, TRACE.request_id)
    assert isinstance(result, Refusal) and result.rule == "never_cross_associate", result
    assert "no organization" not in result.message
    assert writes(zendesk) == []


def test_organizations_that_cannot_be_read_give_no_plan(
    zendesk: ZendeskSandbox, fixes: Fixes
) -> None:
    zendesk.inject("GET", r"/api/v2/users/\d+/organizations\.json", status=503)
    assert isinstance(fixes.preview(carla_on()), Failed)


def test_a_list_of_organizations_longer_than_the_bot_reads_is_refused(
    zendesk: ZendeskSandbox, fixes: Fixes
) -> None:
    for n in range(PAGE_SIZE * MAX_PAGES + 1):
        zendesk.world.add_membership(
            CARLA, zendesk.world.add_organization(f"Globex subsidiary {n}")
        )
    outcome = preview(fixes, carla_on()).outcome
    assert isinstance(outcome, Refusal) and outcome.rule == "facts_incomplete", outcome


# 3. Undo reverses only the bot's own, still-standing correction.


def planted_record(correction: dict[str, Any]) -> dict[str, Any]:
    return {
        "partner_fix": {
            "version": 2,
            "action": "fix",
            "scenario": "customer_account",
            "request_id": TRACE.request_id,
            "requested_by": "someone",
            "correction": correction,
        }
    }


def test_a_planted_record_is_never_undone(zendesk: ZendeskSandbox, fixes: Fixes) -> None:
    # Ticket 512309 is Carla's own, on Globex. A record claiming the bot moved it from Ivan at
    # Initech, written by another API client, with the very request id a summary would carry.
    metadata = planted_record({"requester": [IVAN, CARLA], "organization": [INITECH, GLOBEX]})
    put_as_colleague(
        zendesk, 512309, {"comment": {"body": "note", "public": False}, "metadata": metadata}
    )
    zendesk.clear_requests()
    for request_id in (TRACE.request_id, None):
        result = fixes.undo(512309, TRACE, request_id)
        assert isinstance(result, Refusal) and result.rule == "nothing_to_undo", result
    assert writes(zendesk) == []
    assert zendesk.ticket(512309)["requester_id"] == CARLA


def test_undo_reverses_the_clicked_correction_not_a_later_one(
    zendesk: ZendeskSandbox, fixes: Fixes
) -> None:
    first = Trace(request_id="req-first", requested_by="Avery")
    second = Trace(request_id="req-second", requested_by="Blake")
    assert isinstance(fixes.apply(planned(fixes, carla_on()), carla_on(), first), Done)
    services = FixRequest(
        ticket_id=512301,
        scenario=Scenario.SERVICES_ENGAGEMENT,
        customer_email="carla@globex.example",
    )
    assert isinstance(fixes.apply(planned(fixes, services), services, second), Done)
    zendesk.clear_requests()
    stale_click = fixes.undo(512301, TRACE, "req-first")
    assert isinstance(stale_click, Refusal) and stale_click.rule == "superseded"
    assert "Blake" in stale_click.message and writes(zendesk) == []
    assert isinstance(fixes.undo(512301, TRACE, "req-second"), Done)
    again = fixes.undo(512301, TRACE, "req-second")
    assert isinstance(again, Refusal) and again.rule == "already_undone"


def test_undo_refuses_when_a_colleague_changed_what_the_fix_wrote(
    zendesk: ZendeskSandbox, fixes: Fixes
) -> None:
    services = FixRequest(
        ticket_id=512302,
        scenario=Scenario.SERVICES_ENGAGEMENT,
        customer_email="ivan@initech.example",
    )
    assert isinstance(fixes.apply(planned(fixes, services), services, TRACE), Done)
    put_as_colleague(zendesk, 512302, {"email_ccs": [{"user_id": PAT, "action": "delete"}]})
    zendesk.clear_requests()
    result = fixes.undo(512302, TRACE, TRACE.request_id)
    assert isinstance(result, Refusal) and result.rule == "changed_since_fix"
    assert "CC" in result.message and writes(zendesk) == []


# 4. One partner company per ticket.


@pytest.mark.parametrize(
    ("ticket_id", "scenario", "partner", "theirs", "raised_by"),
    [
        (512302, Scenario.SERVICES_ENGAGEMENT, "nina@northwind-int.example", "Northwind", "Acme"),
        (512303, Scenario.PARTNER_COMMERCIAL, "pat@acmedevops.example", "Acme", "Northwind"),
    ],
)
def test_a_user_of_another_partner_company_is_refused(
    zendesk: ZendeskSandbox,
    fixes: Fixes,
    ticket_id: int,
    scenario: Scenario,
    partner: str,
    theirs: str,
    raised_by: str,
) -> None:
    request = FixRequest(
        ticket_id=ticket_id,
        scenario=scenario,
        customer_email="ivan@initech.example",
        partner_email=partner,
    )
    outcome = preview(fixes, request).outcome
    assert isinstance(outcome, Refusal) and outcome.rule == "another_partner_company", outcome
    assert theirs in outcome.message and raised_by in outcome.message


# 5. A partner organization marked by the Salesforce field, untagged.


def test_an_untagged_organization_marked_partner_in_its_field_is_a_partners(
    zendesk: ZendeskSandbox, fixes: Fixes
) -> None:
    zendesk.world.update_organization(GLOBEX, fields={"account_type": "Select_Partner"})
    outcome = preview(fixes, carla_on()).outcome
    assert isinstance(outcome, Refusal) and outcome.rule == "never_cross_associate"


# 6. The audit record fits 1 KB, and Undo still restores the whole value.


def test_the_record_fits_one_kilobyte_and_undo_restores_the_whole_value(
    zendesk: ZendeskSandbox, fixes: Fixes
) -> None:
    typed = "é😀" * 400 + "@globex.exmaple"  # 800 characters, 2,415 UTF-8 bytes
    put_as_colleague(zendesk, 512301, {"custom_fields": [{"id": ORG_EMAIL, "value": typed}]})
    long_trace = Trace(request_id="req-long", requested_by="Ævar Þórsson 🚀" * 20)
    assert isinstance(fixes.apply(planned(fixes, carla_on()), carla_on(), long_trace), Done)
    (put,) = [r for r in writes(zendesk) if "metadata" in r["body"]["ticket"]][-1:]
    metadata = put["body"]["ticket"]["metadata"]
    assert metadata_size(metadata) <= MAX_METADATA_BYTES
    assert len(json.dumps(metadata).encode()) <= MAX_METADATA_BYTES
    assert isinstance(fixes.undo(512301, TRACE, "req-long"), Done)
    fields = {f["id"]: f["value"] for f in zendesk.ticket(512301)["custom_fields"]}
    assert fields[ORG_EMAIL] == typed


# 7. Ticket ids are 64-bit.


def test_a_64_bit_ticket_id_is_read_fixed_and_undone(zendesk: ZendeskSandbox, fixes: Fixes) -> None:
    big = 9007199254740993  # 2^53 + 1: a float on the way would make it ...992
    request = FixRequest(ticket_id=big, scenario=Scenario.PARTNER_NFR)
    assert fixes.parse(str(big)) == fixes.parse(f"#{big}")
    result = fixes.apply(planned(fixes, request), request, TRACE)
    assert isinstance(result, Done) and result.plan.ticket_id == big
    assert zendesk.ticket(big)["organization_id"] == ACME
    assert isinstance(fixes.undo(big, TRACE, TRACE.request_id), Done)


# Undo judges the organization it would restore, which the ticket's sideloads may not show.


def test_undo_reads_the_organization_it_restores(zendesk: ZendeskSandbox, fixes: Fixes) -> None:
    # Pat, of Acme, also works for Northwind, now his default: partner_nfr moves 512302 (Pat's,
    # on Acme) to Northwind. Undo puts it back on Acme, which after the fix neither the ticket
    # nor Pat's sideloaded default organization shows.
    zendesk.world.add_membership(PAT, NORTHWIND, default=True)
    request = FixRequest(ticket_id=512302, scenario=Scenario.PARTNER_NFR)
    plan = planned(fixes, request)
    assert plan.correction.organization == (ACME, NORTHWIND)
    assert isinstance(fixes.apply(plan, request, TRACE), Done)
    result = fixes.undo(512302, TRACE, TRACE.request_id)
    assert isinstance(result, Done), result
    assert zendesk.ticket(512302)["organization_id"] == ACME


def test_undo_to_a_customer_organization_of_a_partner_user_says_why(
    zendesk: ZendeskSandbox, fixes: Fixes
) -> None:
    # Carla's own ticket, on Globex; she now works for Acme too (her default). Moving the ticket
    # to Acme is allowed; moving it back would put a partner's user on a customer organization.
    zendesk.world.add_membership(CARLA, ACME, default=True)
    request = FixRequest(ticket_id=512309, scenario=Scenario.PARTNER_COMMERCIAL)
    assert isinstance(fixes.apply(planned(fixes, request), request, TRACE), Done)
    zendesk.clear_requests()
    result = fixes.undo(512309, TRACE, TRACE.request_id)
    assert isinstance(result, Refusal) and result.rule == "never_cross_associate", result
    assert "Globex Corporation" in result.message and writes(zendesk) == []


def test_undo_reads_no_more_than_the_person_it_restores(
    zendesk: ZendeskSandbox, fixes: Fixes
) -> None:
    request = FixRequest(ticket_id=512303, scenario=Scenario.PARTNER_COMMERCIAL)
    assert isinstance(fixes.apply(planned(fixes, request), request, TRACE), Done)
    zendesk.clear_requests()
    assert isinstance(fixes.undo(512303, TRACE, TRACE.request_id), Done)
    # Nina, the submitter, is proven a partner's by her sideloaded default organization; only
    # Hana, whom Undo makes requester again on Hooli, has her organizations read.
    assert [(r["method"], r["path"]) for r in zendesk.requests()] == [
        ("GET", "/api/v2/users/me.json"),
        ("GET", "/api/v2/tickets/512303/audits.json"),
        ("GET", "/api/v2/tickets/512303.json"),
        ("GET", "/api/v2/users/show_many.json"),
        ("GET", f"/api/v2/users/{HANA}/organizations.json"),
        ("PUT", "/api/v2/tickets/512303.json"),
    ]
