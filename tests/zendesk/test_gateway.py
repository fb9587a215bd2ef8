"""The gateway over real HTTP, through unmodified zenpy, against the Zendesk stand-in."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from bot.domain.models import ProcessRules
from bot.domain.planning import FixRequest, Plan
from bot.domain.scenarios import Scenario
from bot.fixes import Done, Failed, Fixes, Preview, Stale
from bot.ports import Fault, Trace, ZendeskError
from bot.zendesk import gateway as gateway_module
from bot.zendesk.client import ZendeskAuth, ZendeskClients, split_base_url
from bot.zendesk.gateway import FieldIds, ZendeskGateway
from standins.zendesk import ZendeskSandbox

CARLA = 4101000000101
TYPO_CARLA = 4101000000201
PAT = 4101000000001
GLOBEX = 360100000011
ORG_EMAIL = 360012194200
TRACE = Trace(request_id="req-1", requested_by="tester", slack_user="U0AGENT1", slack_team="T1")


def gateway_for(zendesk: ZendeskSandbox, timeout: float = 5.0, retry_cap: float = 3.0) -> Fixes:
    email, token = zendesk.credentials
    clients = ZendeskClients(zendesk.url, ZendeskAuth(email, token), timeout, retry_cap)
    gateway = ZendeskGateway(
        clients, FieldIds(ORG_EMAIL, (360020735339, 360012194220), "support_level"), ProcessRules()
    )
    return Fixes(gateway, settle_wait=0.05)


def customer_request(ticket_id: int = 512301) -> FixRequest:
    return FixRequest(
        ticket_id=ticket_id,
        scenario=Scenario.CUSTOMER_ACCOUNT,
        customer_email="carla@globex.example",
    )


def previewed(fixes: Fixes, request: FixRequest) -> Plan:
    preview = fixes.preview(request)
    assert isinstance(preview, Preview), preview
    assert isinstance(preview.outcome, Plan), preview.outcome
    return preview.outcome


def edit_by_hand(zendesk: ZendeskSandbox, ticket_id: int, changes: dict) -> None:
    email, token = zendesk.credentials
    answer = requests.put(
        f"{zendesk.url}/api/v2/tickets/{ticket_id}.json",
        json={"ticket": changes},
        auth=(f"{email}/token", token),
        timeout=5,
    )
    assert answer.status_code == 200, answer.text


def puts(zendesk: ZendeskSandbox) -> list[dict]:
    return [r for r in zendesk.requests() if r["method"] != "GET"]


def test_snapshot_reads_ticket_people_and_the_customers_every_organization(
    zendesk: ZendeskSandbox, fixes: Fixes
) -> None:
    preview = fixes.preview(FixRequest(
        ticket_id=512307, scenario=Scenario.CUSTOMER_ACCOUNT, customer_email="HANA@hooli.example"
    ))  # fmt: skip
    assert isinstance(preview, Preview)
    snap = preview.snapshot
    assert snap.ticket.org_email == "hana@hooli.exmple"
    assert snap.ticket.form_id == 360000818199
    assert snap.submitter is not None and snap.submitter.name == "Pat Partner"
    hana = snap.user_by_email("hana@hooli.example")
    assert hana is not None and hana.organization_ids == (360100000013, 360100000014)
    assert [r["path"] for r in zendesk.requests()] == [
        "/api/v2/tickets/512307.json",
        "/api/v2/users/search.json",
        # The search's sideload gives Hana's default organization only; the rule needs all.
        "/api/v2/users/4101000000103/organizations.json",
    ]


@pytest.mark.parametrize(
    ("ticket_id", "scenario", "customer", "most"),
    [
        # Preview: ticket, customer search, customer's organizations; Apply reads them again
        # (they may have changed since) and PUTs. A partner proven by the default organization
        # that the ticket's sideload holds costs nothing more.
        (512301, Scenario.CUSTOMER_ACCOUNT, "carla@globex.example", 7),
        (512302, Scenario.SERVICES_ENGAGEMENT, "ivan@initech.example", 7),
        (512303, Scenario.PARTNER_COMMERCIAL, None, 3),
        (512304, Scenario.PARTNER_NFR, None, 3),
    ],
)
def test_each_scenario_previews_and_applies_in_few_requests(
    zendesk: ZendeskSandbox,
    fixes: Fixes,
    ticket_id: int,
    scenario: Scenario,
    customer: str | None,
    most: int,
) -> None:
    request = FixRequest(ticket_id=ticket_id, scenario=scenario, customer_email=customer)
    plan = previewed(fixes, request)
    assert not plan.already_correct
    result = fixes.apply(plan, request, TRACE)
    assert isinstance(result, Done), result
    count = len(zendesk.requests())
    assert count <= most
    again = previewed(fixes, request)
    assert again.already_correct


def test_apply_sends_one_safe_put_with_only_what_changes(
    zendesk: ZendeskSandbox, fixes: Fixes
) -> None:
    plan = previewed(fixes, customer_request())
    zendesk.clear_requests()
    assert isinstance(fixes.apply(plan, customer_request(), TRACE), Done)
    (put,) = puts(zendesk)
    assert put["method"] == "PUT" and put["path"] == "/api/v2/tickets/512301.json"
    body = put["body"]["ticket"]
    assert set(body) == {
        "id", "requester_id", "organization_id", "custom_fields", "comment", "safe_update",
        "updated_stamp", "metadata",
    }  # fmt: skip
    assert "requester" not in body  # a requester object can create an email-less user
    assert body["safe_update"] is True and body["updated_stamp"] == plan.updated_at
    assert body["requester_id"] == CARLA and body["organization_id"] == GLOBEX
    assert body["custom_fields"] == [{"id": ORG_EMAIL, "value": "carla@globex.example"}]
    assert body["comment"]["public"] is False and "tester" in body["comment"]["body"]
    meta = body["metadata"]["partner_fix"]
    assert meta["request_id"] == "req-1" and meta["slack_user"] == "U0AGENT1"
    ticket = zendesk.ticket(512301)
    assert ticket["requester_id"] == CARLA and ticket["organization_id"] == GLOBEX
    assert ticket["email_cc_ids"] == []


def test_services_engagement_puts_the_partner_in_cc(zendesk: ZendeskSandbox, fixes: Fixes) -> None:
    request = FixRequest(
        ticket_id=512302,
        scenario=Scenario.SERVICES_ENGAGEMENT,
        customer_email="ivan@initech.example",
    )
    plan = previewed(fixes, request)
    assert isinstance(fixes.apply(plan, request, TRACE), Done)
    (put,) = puts(zendesk)
    assert put["body"]["ticket"]["email_ccs"] == [{"user_id": PAT, "action": "put"}]
    assert PAT in zendesk.ticket(512302)["email_cc_ids"]


def test_a_stale_preview_is_not_written_and_gives_a_fresh_one(
    zendesk: ZendeskSandbox, fixes: Fixes
) -> None:
    plan = previewed(fixes, customer_request())
    first = fixes.apply(plan, customer_request(), TRACE)
    assert isinstance(first, Done)
    before = zendesk.ticket(512301)
    second = fixes.apply(plan, customer_request(), TRACE)  # a double click, or a second agent
    assert isinstance(second, Stale)
    assert isinstance(second.fresh.outcome, Plan) and second.fresh.outcome.already_correct
    assert zendesk.ticket(512301) == before
    # The second Apply reads the ticket again first, sees the fix there, and sends nothing.
    assert [r["status"] for r in puts(zendesk)] == [200]


def test_two_agents_applying_at_once_write_exactly_once(
    zendesk: ZendeskSandbox, fixes: Fixes
) -> None:
    plan = previewed(fixes, customer_request())
    results: list[object] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(fixes.apply(plan, customer_request(), TRACE))
        )
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(type(r).__name__ for r in results) == ["Done", "Stale"]
    # Exactly one write lands; the other Apply either saw it when it read the ticket again (and
    # sent nothing) or sent a stale stamp and met Zendesk's 409.
    assert sorted(r["status"] for r in puts(zendesk)) in ([200], [200, 409])


def test_undo_restores_from_the_audit_trail_in_a_new_process(
    zendesk: ZendeskSandbox, fixes: Fixes
) -> None:
    original = zendesk.ticket(512301)
    plan = previewed(fixes, customer_request())
    assert isinstance(fixes.apply(plan, customer_request(), TRACE), Done)
    restarted = gateway_for(zendesk)  # nothing shared with the instance that applied
    zendesk.clear_requests()
    undone = restarted.undo(512301, TRACE)
    assert isinstance(undone, Done) and undone.plan.undo
    ticket = zendesk.ticket(512301)
    assert ticket["requester_id"] == TYPO_CARLA
    assert ticket["organization_id"] is None
    assert {f["id"]: f["value"] for f in ticket["custom_fields"]}[
        ORG_EMAIL
    ] == "carla@globex.exmaple"
    assert ticket["requester_id"] == original["requester_id"]
    # users/me (once per process), the audits, the ticket, the user to restore with all their
    # organizations, and the PUT.
    assert [r["path"].rsplit("/", 1)[-1] for r in zendesk.requests()] == [
        "me.json", "audits.json", "512301.json", "show_many.json", "organizations.json",
        "512301.json",
    ]  # fmt: skip
    again = restarted.undo(512301, TRACE)
    assert getattr(again, "rule", None) == "already_undone"


def test_undo_refuses_without_a_fix_and_after_someone_else_edited(
    zendesk: ZendeskSandbox, fixes: Fixes
) -> None:
    assert getattr(fixes.undo(512305, TRACE), "rule", None) == "nothing_to_undo"
    plan = previewed(fixes, customer_request())
    assert isinstance(fixes.apply(plan, customer_request(), TRACE), Done)
    # An agent moves the ticket on by hand in Zendesk: the partner becomes requester again.
    edit_by_hand(zendesk, 512301, {"requester_id": PAT, "organization_id": 360100000001})
    zendesk.clear_requests()
    assert getattr(fixes.undo(512301, TRACE), "rule", None) == "changed_since_fix"
    assert puts(zendesk) == []


def test_refusals_write_nothing(zendesk: ZendeskSandbox, fixes: Fixes) -> None:
    for request in (
        FixRequest(ticket_id=512308, scenario=Scenario.SERVICES_ENGAGEMENT,
                   customer_email="contractor@globex.example"),
        FixRequest(ticket_id=512306, scenario=Scenario.CUSTOMER_ACCOUNT,
                   customer_email="carla@globex.example"),
        FixRequest(ticket_id=512301, scenario=Scenario.CUSTOMER_ACCOUNT,
                   customer_email="olga@orgless.example"),
    ):  # fmt: skip
        preview = fixes.preview(request)
        assert isinstance(preview, Preview)
        assert type(preview.outcome).__name__ == "Refusal", preview.outcome
    assert puts(zendesk) == []


@pytest.mark.parametrize(
    ("status", "body", "fault"),
    [
        (401, None, Fault.AUTH),
        (403, None, Fault.FORBIDDEN),
        (404, None, Fault.NOT_FOUND),
        (422, None, Fault.INVALID),
    ],
)
def test_put_faults_that_prove_no_write_change_nothing(
    zendesk: ZendeskSandbox, fixes: Fixes, status: int, body: str | None, fault: Fault
) -> None:
    plan = previewed(fixes, customer_request())
    before = zendesk.ticket(512301)
    zendesk.inject("PUT", r"/api/v2/tickets/\d+\.json", status=status, body=body)
    result = fixes.apply(plan, customer_request(), TRACE)
    assert isinstance(result, Failed), result
    assert result.fault is fault and result.changed is False
    assert len(result.message) > 20
    assert zendesk.ticket(512301) == before


@pytest.mark.parametrize(
    ("status", "body"), [(500, None), (502, "<html>Bad gateway</html>"), (503, None), (504, None)]
)
@pytest.mark.parametrize("committed", [True, False], ids=["committed", "not-committed"])
def test_a_5xx_to_a_put_is_settled_by_reading_back_never_called_nothing_changed(
    zendesk: ZendeskSandbox, fixes: Fixes, status: int, body: str | None, committed: bool
) -> None:
    plan = previewed(fixes, customer_request())
    zendesk.inject(
        "PUT", r"/api/v2/tickets/\d+\.json", status=status, body=body, apply_first=committed
    )
    result = fixes.apply(plan, customer_request(), TRACE)
    assert isinstance(result, Done), result
    assert zendesk.ticket(512301)["requester_id"] == CARLA
    # Landed with the 5xx: read back and confirmed, nothing sent again. Not landed: the ticket
    # was untouched after the wait, so it was sent once more.
    assert [p["status"] for p in puts(zendesk)] == ([status] if committed else [status, 200])
    assert result.settled is committed


def test_429_is_waited_out_once_then_given_up(zendesk: ZendeskSandbox) -> None:
    fixes = gateway_for(zendesk, retry_cap=1.5)
    plan = previewed(fixes, customer_request())
    zendesk.inject("PUT", r"/api/v2/tickets/\d+\.json", status=429, retry_after=1)
    assert isinstance(fixes.apply(plan, customer_request(), TRACE), Done)
    plan = previewed(fixes, FixRequest(ticket_id=512304, scenario=Scenario.PARTNER_NFR))
    zendesk.inject("PUT", r"/api/v2/tickets/\d+\.json", status=429, retry_after=1, count=5)
    result = fixes.apply(plan, FixRequest(ticket_id=512304, scenario=Scenario.PARTNER_NFR), TRACE)
    assert isinstance(result, Failed) and result.fault is Fault.RATE_LIMITED
    assert zendesk.ticket(512304)["requester_id"] == PAT  # unchanged
    # The cap is per call: the next call has its full allowance again.
    zendesk.clear_faults()
    again = fixes.apply(plan, FixRequest(ticket_id=512304, scenario=Scenario.PARTNER_NFR), TRACE)
    assert isinstance(again, Done)


def test_a_lost_answer_after_the_put_landed_is_settled_by_reading(
    zendesk: ZendeskSandbox,
) -> None:
    fixes = gateway_for(zendesk, timeout=1.0)
    plan = previewed(fixes, customer_request())
    zendesk.inject("PUT", r"/api/v2/tickets/\d+\.json", apply_first=True, drop=True)
    result = fixes.apply(plan, customer_request(), TRACE)
    assert isinstance(result, Done) and result.settled
    assert [r["method"] for r in puts(zendesk)] == ["PUT"]  # never re-sent
    assert zendesk.ticket(512301)["requester_id"] == CARLA


def test_a_put_that_lands_but_answers_too_late_is_settled(zendesk: ZendeskSandbox) -> None:
    fixes = gateway_for(zendesk, timeout=0.5)
    plan = previewed(fixes, customer_request())
    zendesk.inject("PUT", r"/api/v2/tickets/\d+\.json", apply_first=True, delay=1.5)
    result = fixes.apply(plan, customer_request(), TRACE)
    assert isinstance(result, Done) and result.settled
    assert len(puts(zendesk)) == 1


def test_a_put_timeout_that_never_landed_is_retried_once(zendesk: ZendeskSandbox) -> None:
    fixes = gateway_for(zendesk, timeout=0.5)
    plan = previewed(fixes, customer_request())
    zendesk.inject("PUT", r"/api/v2/tickets/\d+\.json", drop=True)
    result = fixes.apply(plan, customer_request(), TRACE)
    assert isinstance(result, Done) and not result.settled
    # The first PUT never reached the ticket; the re-read showed it untouched, so one resend.
    assert [r["status"] for r in puts(zendesk)][-1] == 200 and len(puts(zendesk)) == 2
    assert zendesk.ticket(512301)["requester_id"] == CARLA


def test_a_read_timeout_says_nothing_changed(zendesk: ZendeskSandbox) -> None:
    fixes = gateway_for(zendesk, timeout=0.3)
    zendesk.inject("GET", r"/api/v2/tickets/\d+\.json", delay=1.0)
    result = fixes.preview(customer_request())
    assert isinstance(result, Failed) and result.fault is Fault.TIMEOUT
    assert "Nothing was changed" in result.message


def test_connection_refused_is_unavailable() -> None:
    clients = ZendeskClients("http://127.0.0.1:9", ZendeskAuth("a@b.example", "t"), timeout=1)
    gateway = ZendeskGateway(clients, FieldIds(ORG_EMAIL, (), "support_level"), ProcessRules())
    with pytest.raises(ZendeskError) as caught:
        gateway.snapshot(512301)
    assert caught.value.fault is Fault.UNAVAILABLE


def test_bad_credentials_and_missing_ticket(zendesk: ZendeskSandbox) -> None:
    clients = ZendeskClients(zendesk.url, ZendeskAuth("sam@gitlab.example", "wrong"))
    gateway = ZendeskGateway(clients, FieldIds(ORG_EMAIL, (), "support_level"), ProcessRules())
    assert Fixes(gateway).look(512301).fault is Fault.AUTH  # type: ignore[union-attr]
    missing = gateway_for(zendesk).look(999999)
    assert isinstance(missing, Failed) and missing.fault is Fault.NOT_FOUND
    assert "ticket 999999" in missing.message


def test_check_finds_the_field_and_reports_problems(zendesk: ZendeskSandbox) -> None:
    email, token = zendesk.credentials
    good = ZendeskClients(zendesk.url, ZendeskAuth(email, token))
    assert ZendeskGateway(good, FieldIds(ORG_EMAIL, (), "x"), ProcessRules()).check() == []
    wrong_field = ZendeskGateway(good, FieldIds(360012167559, (), "x"), ProcessRules()).check()
    assert "does not look like" in wrong_field[0]
    absent = ZendeskGateway(good, FieldIds(1, (), "x"), ProcessRules()).check()
    assert "ZENDESK_ORG_EMAIL_FIELD_ID" in absent[0]
    bad = ZendeskClients(zendesk.url, ZendeskAuth(email, "nope"))
    assert (
        "credentials"
        in ZendeskGateway(bad, FieldIds(ORG_EMAIL, (), "x"), ProcessRules()).check()[0]
    )


def test_check_finds_the_partner_organization_field_by_key(zendesk: ZendeskSandbox) -> None:
    email, token = zendesk.credentials
    good = ZendeskClients(zendesk.url, ZendeskAuth(email, token))

    def check(key: str) -> list[str]:
        fields = FieldIds(ORG_EMAIL, (), "support_level", partner_org_field=key)
        return ZendeskGateway(good, fields, ProcessRules()).check()

    assert check("account_type") == []
    (problem,) = check("partner_kind")
    assert problem.startswith("ZENDESK_PARTNER_ORG_FIELD: Zendesk has no organization field")
    assert "'partner_kind'" in problem and "account_type, support_level" in problem
    # A ticket field's title is no organization field's key.
    assert check("Organization Email (partners)") != []
    zendesk.clear_requests()
    zendesk.inject("GET", r"/api/v2/organization_fields(\.json)?", status=503)
    (unreadable,) = check("account_type")
    assert unreadable.startswith("ZENDESK_PARTNER_ORG_FIELD: could not list the organization")
    assert [r["query"].get("per_page") for r in zendesk.requests() if "organization_fields"
            in r["path"]] == ["100"]  # fmt: skip


def test_check_follows_pages_of_organization_fields(
    zendesk: ZendeskSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    email, token = zendesk.credentials
    clients = ZendeskClients(zendesk.url, ZendeskAuth(email, token))
    fields = FieldIds(ORG_EMAIL, (), "support_level", partner_org_field="account_type")
    gateway = ZendeskGateway(clients, fields, ProcessRules())
    monkeypatch.setattr(gateway_module, "PAGE_SIZE", 1)  # one field a page: the key is on the 2nd
    zendesk.clear_requests()
    assert gateway.check_partner_org_field() == []
    assert len([r for r in zendesk.requests() if "organization_fields" in r["path"]]) == 2


def test_oauth_token_works(zendesk: ZendeskSandbox) -> None:
    clients = ZendeskClients(zendesk.url, ZendeskAuth(oauth_token=zendesk.oauth_token))
    gateway = ZendeskGateway(clients, FieldIds(ORG_EMAIL, (), "x"), ProcessRules())
    assert gateway.snapshot(512301).ticket.id == 512301


def test_each_thread_gets_its_own_client(zendesk: ZendeskSandbox) -> None:
    email, token = zendesk.credentials
    clients = ZendeskClients(zendesk.url, ZendeskAuth(email, token))
    seen: list[int] = []
    worker = threading.Thread(target=lambda: seen.append(id(clients.get())))
    worker.start()
    worker.join(5)
    assert seen and seen[0] != id(clients.get())
    assert clients.get() is clients.get()


@pytest.mark.parametrize(
    ("url", "parts"),
    [
        ("https://gitlab.zendesk.com", ("https", "gitlab", "zendesk.com")),
        ("https://support.gitlab.com", ("https", "support", "gitlab.com")),
        ("http://127.0.0.1:8765", ("http", "127", "0.0.1:8765")),
        ("http://localhost:8765", ("http", "127", "0.0.1:8765")),
    ],
)
def test_base_url_split_keeps_zenpy_on_the_right_host(url: str, parts: tuple) -> None:
    assert split_base_url(url) == parts
    with pytest.raises(ValueError, match="needs a dot"):
        split_base_url("http://intranet:8765")


def test_a_zendesk_that_ignores_sideloads_still_gives_a_whole_snapshot(
    zendesk: ZendeskSandbox, fixes: Fixes
) -> None:
    bare = {"ticket": zendesk.ticket(512302)}  # no users, no organizations
    zendesk.inject("GET", r"/api/v2/tickets/512302\.json", status=200, body=bare)
    request = FixRequest(
        ticket_id=512302,
        scenario=Scenario.SERVICES_ENGAGEMENT,
        customer_email="ivan@initech.example",
    )
    plan = previewed(fixes, request)
    assert plan.correction.cc_added == PAT and plan.organization_id == 360100000012
    paths = [r["path"] for r in zendesk.requests()]
    assert "/api/v2/users/show_many.json" in paths
    assert "/api/v2/organizations/show_many.json" in paths


def test_a_search_that_finds_several_users_takes_only_the_customers_organizations(
    zendesk: ZendeskSandbox, fixes: Fixes
) -> None:
    # Two users in the answer: the sideloaded organizations are theirs together, so the
    # customer's own are read on their own.
    hana = {
        "id": 4101000000103,
        "name": "Hana Hooli",
        "email": "hana@hooli.example",
        "role": "end-user",
        "organization_id": 360100000013,
    }
    pat = {
        "id": PAT,
        "name": "Pat Partner",
        "email": "pat@acmedevops.example",
        "role": "end-user",
        "organization_id": 360100000001,
    }
    zendesk.inject("GET", r"/api/v2/users/search\.json", status=200, body={
        "users": [hana, pat],
        "organizations": [{"id": 360100000001, "name": "Acme DevOps Partners",
                           "tags": ["open_partner"]}],
    })  # fmt: skip
    request = FixRequest(
        ticket_id=512307, scenario=Scenario.CUSTOMER_ACCOUNT, customer_email="hana@hooli.example"
    )
    plan = previewed(fixes, request)
    assert plan.organization_id == 360100000013
    assert "/api/v2/users/4101000000103/organizations.json" in [
        r["path"] for r in zendesk.requests()
    ]


def deadline_gateway(zendesk: ZendeskSandbox) -> Fixes:
    """A gateway with short bounds: 1 s per read, 2 s for a whole exchange."""
    email, token = zendesk.credentials
    clients = ZendeskClients(zendesk.url, ZendeskAuth(email, token), 1.0, 3.0, deadline=2.0)
    gateway = ZendeskGateway(
        clients, FieldIds(ORG_EMAIL, (360020735339, 360012194220), "support_level"), ProcessRules()
    )
    return Fixes(gateway, settle_wait=0.05)


TICKET = r"/api/v2/tickets/\d+\.json"


def test_a_read_cut_off_mid_body_is_a_fault_in_words(zendesk: ZendeskSandbox) -> None:
    fixes = deadline_gateway(zendesk)
    zendesk.inject("GET", TICKET, cut=True)
    result = fixes.preview(customer_request())
    assert isinstance(result, Failed) and result.changed is False
    assert "cut off" in result.message


def test_a_dripping_read_ends_at_the_deadline_not_at_the_end_of_the_drip(
    zendesk: ZendeskSandbox,
) -> None:
    fixes = deadline_gateway(zendesk)
    zendesk.inject("GET", TICKET, drip=0.5)  # each byte within the 1 s read timeout
    started = time.monotonic()
    result = fixes.preview(customer_request())
    took = time.monotonic() - started
    assert isinstance(result, Failed) and result.fault is Fault.TIMEOUT
    assert took < 30  # the whole drip would take over 20 minutes


@pytest.mark.parametrize("fault", [{"cut": True}, {"drip": 0.5}], ids=["cut", "drip"])
def test_a_write_whose_answer_is_cut_or_drips_is_settled_applied(
    zendesk: ZendeskSandbox, fault: dict[str, object]
) -> None:
    fixes = deadline_gateway(zendesk)
    plan = previewed(fixes, customer_request())
    zendesk.inject("PUT", TICKET, apply_first=True, **fault)  # type: ignore[arg-type]
    result = fixes.apply(plan, customer_request(), TRACE)
    assert isinstance(result, Done) and result.settled, result
    assert [p["status"] for p in puts(zendesk)] == [200]  # landed once, never sent again
