"""The stand-in's API over real HTTP: the seed world, answer shapes, update rules, errors."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from standins.harness import Stack
from standins.zendesk import ZendeskSandbox
from standins.zendesk.world import SeedError, bundled_seed
from tests.standins import zendesk_schemas as schema
from tests.standins.zendesk_http import Http, basic

pytestmark = pytest.mark.timeout(15)

ORG_EMAIL, ORG_NAME, CUSTOMER_NAME = 360012194200, 360012167559, 360012167579
TROUBLESHOOTING, CC_REQUEST = 360012194220, 360020735339
OPEN_PARTNER_FORM, SELECT_PARTNER_FORM = 360000818199, 360000837100
ACME, NORTHWIND = 360100000001, 360100000002
GLOBEX, INITECH, HOOLI, HOOLI_EU, UMBRELLA = (
    360100000011,
    360100000012,
    360100000013,
    360100000014,
    360100000015,
)
PAT, NINA, GARY = 4101000000001, 4101000000002, 4101000000003
CARLA, IVAN, HANA, UMA, OLGA = (
    4101000000101,
    4101000000102,
    4101000000103,
    4101000000104,
    4101000000105,
)
CARLA_TYPO, HANA_TYPO, SAM, LEE = 4101000000201, 4101000000202, 4101000000900, 4101000000901


def field_value(ticket: dict[str, Any], field_id: int) -> Any:
    return next(f["value"] for f in ticket["custom_fields"] if f["id"] == field_id)


def put_ticket(zendesk_api: Http, ticket_id: int, changes: dict[str, Any]) -> Any:
    return zendesk_api.put(f"/api/v2/tickets/{ticket_id}.json", {"ticket": changes})


def audits_of(zendesk_api: Http, ticket_id: int) -> list[dict[str, Any]]:
    answer = zendesk_api.get(f"/api/v2/tickets/{ticket_id}/audits.json")
    return schema.AuditsOffsetResponse.model_validate(answer.json()).model_dump(by_alias=True)[
        "audits"
    ]


# ---- the seed world --------------------------------------------------------------------------


def test_seed_users_and_memberships_are_the_agreed_world(zendesk_api: Http) -> None:
    expected = {
        PAT: ("pat@acmedevops.example", [ACME]),
        NINA: ("nina@northwind-int.example", [NORTHWIND]),
        GARY: ("contractor@globex.example", [ACME]),
        CARLA: ("carla@globex.example", [GLOBEX]),
        IVAN: ("ivan@initech.example", [INITECH]),
        HANA: ("hana@hooli.example", [HOOLI, HOOLI_EU]),
        UMA: ("uma@umbrella.example", [UMBRELLA]),
        OLGA: ("olga@orgless.example", []),
        CARLA_TYPO: ("carla@globex.exmaple", []),
        HANA_TYPO: ("hana@hooli.exmple", []),
        SAM: ("sam@gitlab.example", []),
        LEE: ("lee@gitlab.example", []),
    }
    for user_id, (email, orgs) in expected.items():
        (user,) = schema.UsersResponse.model_validate(
            zendesk_api.get(f"/api/v2/users/show_many.json?ids={user_id}").json()
        ).users
        assert user.email == email
        assert user.organization_id == (orgs[0] if orgs else None)
        answer = zendesk_api.get(f"/api/v2/users/{user_id}/organizations.json")
        organizations = schema.OrganizationsResponse.model_validate(answer.json())
        assert [o.id for o in organizations.organizations] == orgs
    roles = zendesk_api.get(f"/api/v2/users/show_many.json?ids={SAM},{LEE},{PAT}").json()["users"]
    assert [(u["role"], u["role_type"]) for u in roles] == [
        ("agent", None),
        ("agent", 1),
        ("end-user", None),
    ]


def test_seed_organizations_carry_partner_tags_plan_and_domains(zendesk_api: Http) -> None:
    ids = ",".join(str(i) for i in (ACME, NORTHWIND, GLOBEX, INITECH, HOOLI, HOOLI_EU, UMBRELLA))
    answer = schema.OrganizationsResponse.model_validate(
        zendesk_api.get(f"/api/v2/organizations/show_many.json?ids={ids}").json()
    )
    seen = {
        o.id: (o.name, o.tags, (o.organization_fields or {}).get("support_level"), o.domain_names)
        for o in answer.organizations
    }
    assert seen[ACME] == (
        "Acme DevOps Partners",
        ["open_partner"],
        "premium",
        ["acmedevops.example"],
    )
    assert seen[NORTHWIND][1:3] == (["open_partner"], "ultimate")
    assert seen[GLOBEX] == ("Globex Corporation", [], "ultimate", ["globex.example"])
    assert seen[HOOLI][3] == seen[HOOLI_EU][3] == ["hooli.example"]
    assert seen[UMBRELLA][2] == "starter"
    single = zendesk_api.get(f"/api/v2/organizations/show_many.json?ids={NORTHWIND}").json()
    (organization,) = schema.OrganizationsResponse.model_validate(single).organizations
    assert organization.organization_fields == {
        "support_level": "ultimate",
        "account_type": "Integrator",
    }


def test_seed_tickets_are_the_agreed_scenarios(zendesk: ZendeskSandbox) -> None:
    t = zendesk.ticket
    assert (t(512301)["requester_id"], t(512301)["organization_id"]) == (CARLA_TYPO, None)
    assert field_value(t(512301), ORG_EMAIL) == "carla@globex.exmaple"
    assert field_value(t(512302), CC_REQUEST).startswith("Yes — please CC me")
    assert (t(512303)["requester_id"], t(512303)["submitter_id"]) == (HANA, NINA)
    assert t(512303)["organization_id"] == HOOLI
    assert field_value(t(512304), ORG_EMAIL) is None
    assert field_value(t(512305), ORG_EMAIL) == "uma@umbrela.example"
    assert t(512306)["status"] == "closed"
    assert t(512307)["requester_id"] == HANA_TYPO
    assert field_value(t(512308), ORG_EMAIL) == "contractor@globex.example"
    assert field_value(t(512308), TROUBLESHOOTING) == "Please keep me in CC while you troubleshoot."
    assert (t(512309)["ticket_form_id"], t(512309)["organization_id"]) == (None, GLOBEX)
    for ticket_id in range(512301, 512309):
        assert t(ticket_id)["ticket_form_id"] == OPEN_PARTNER_FORM
        assert t(ticket_id)["email_cc_ids"] == []
        assert t(ticket_id)["updated_at"].startswith("2026-11-")


def test_every_seed_ticket_starts_with_one_creation_audit(zendesk_api: Http) -> None:
    for ticket_id in range(512301, 512310):
        (audit,) = audits_of(zendesk_api, ticket_id)
        assert audit["events"][0]["type"] == "Comment"
        assert audit["events"][0]["public"] is True
        assert {e["type"] for e in audit["events"][1:]} == {"Create"}


def test_bundled_seed_is_rejected_when_broken() -> None:
    seed = bundled_seed()
    seed["tickets"][0]["requester_id"] = 42
    with pytest.raises(SeedError, match=r"tickets\[0\]\.requester_id: unknown user 42"):
        ZendeskSandbox(seed)
    seed = bundled_seed()
    del seed["auth"]
    with pytest.raises(SeedError, match="auth"):
        ZendeskSandbox(seed)


# ---- reading ---------------------------------------------------------------------------------


def test_ticket_show_sideloads_everyone_on_the_ticket_and_only_default_orgs(
    zendesk_api: Http,
) -> None:
    answer = zendesk_api.get("/api/v2/tickets/512303.json?include=users,organizations")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    shown = schema.TicketResponse.model_validate(answer.json())
    assert shown.ticket.id == 512303
    assert [u.id for u in shown.users or []] == [HANA, NINA]
    # As Zendesk does: the ticket's organization and each user's default, never the rest of
    # Hana's memberships (Hooli EU); the bot must read those itself.
    assert [o.id for o in shown.organizations or []] == [HOOLI, NORTHWIND]
    plain = zendesk_api.get("/api/v2/tickets/512303").json()
    assert set(plain) == {"ticket"}
    assert plain["ticket"] == answer.json()["ticket"]


def test_users_search_matches_any_identity_exactly_and_sideloads_default_orgs(
    zendesk_api: Http,
) -> None:
    def search(query: str) -> schema.UsersResponse:
        answer = zendesk_api.get(f"/api/v2/users/search.json?query={query}&include=organizations")
        return schema.UsersResponse.model_validate(answer.json())

    found = search("email:HANA@Hooli.example")
    assert [u.id for u in found.users] == [HANA]
    assert [o.id for o in found.organizations or []] == [HOOLI]
    assert [u.id for u in search("hana@hooli.example").users] == [HANA]
    assert search("email:hana@hooli.exampl").users == []
    assert [u.id for u in search("email:carla@globex.exmaple").users] == [CARLA_TYPO]
    assert search("email:olga@orgless.example").organizations == []


def test_users_search_finds_secondary_identities() -> None:
    seed = bundled_seed()
    carla = next(u for u in seed["users"] if u["id"] == CARLA)
    carla["identities"] = ["c.customer@globex.example"]
    with ZendeskSandbox(seed) as zendesk:
        email, token = zendesk.credentials
        http = Http(zendesk.url, basic(f"{email}/token", token))
        answer = http.get("/api/v2/users/search.json?query=email:C.Customer@globex.example")
        assert [u["id"] for u in answer.json()["users"]] == [CARLA]
        assert answer.json()["users"][0]["email"] == "carla@globex.example"


def test_a_users_organizations_default_first_in_both_pagination_styles(
    zendesk_api: Http,
) -> None:
    cursor = schema.OrganizationsCursorResponse.model_validate(
        zendesk_api.get(f"/api/v2/users/{HANA}/organizations.json?page[size]=1").json()
    )
    assert [o.id for o in cursor.organizations] == [HOOLI]
    assert cursor.meta.has_more and cursor.links.next
    nxt = zendesk_api.get(cursor.links.next.removeprefix(zendesk_api.base)).json()
    second = schema.OrganizationsCursorResponse.model_validate(nxt)
    assert [o.id for o in second.organizations] == [HOOLI_EU]
    assert second.meta.has_more is False and second.links.next is None
    orgs = schema.OrganizationsResponse.model_validate(
        zendesk_api.get(f"/api/v2/users/{HANA}/organizations.json").json()
    )
    assert [o.id for o in orgs.organizations] == [HOOLI, HOOLI_EU]


def test_ticket_fields(zendesk_api: Http) -> None:
    expected = {
        ORG_EMAIL: ("Organization Email (partners)", "text"),
        ORG_NAME: ("Organization Name (partners)", "text"),
        CUSTOMER_NAME: ("Customer Name (partners)", "text"),
        TROUBLESHOOTING: ("Partner troubleshooting", "textarea"),
        CC_REQUEST: ("Request for CCs", "textarea"),
    }
    for field_id, (title, kind) in expected.items():
        one = zendesk_api.get(f"/api/v2/ticket_fields/{field_id}.json").json()
        field = schema.TicketFieldResponse.model_validate(one).ticket_field
        assert (field.id, field.title, field.type) == (field_id, title, kind)


def test_organization_fields_by_key(zendesk_api: Http) -> None:
    listed = schema.OrganizationFieldsResponse.model_validate(
        zendesk_api.get("/api/v2/organization_fields.json").json()
    )
    assert [(f.key, f.type) for f in listed.organization_fields] == [
        ("support_level", "dropdown"),
        ("account_type", "text"),
    ]
    plans = listed.organization_fields[0].custom_field_options or []
    assert [o.value for o in plans] == ["starter", "premium", "ultimate"]
    # Organizations hold their values under those keys.
    org = zendesk_api.get("/api/v2/organizations/show_many.json?ids=360100000011").json()
    org = org["organizations"][0]
    assert set(org["organization_fields"]) == {f.key for f in listed.organization_fields}
    page = zendesk_api.get("/api/v2/organization_fields.json?page[size]=1").json()
    assert [f["key"] for f in page["organization_fields"]] == ["support_level"]
    assert page["meta"]["has_more"] is True


def test_users_me_and_oauth_bearer(zendesk: ZendeskSandbox) -> None:
    bearer = Http(zendesk.url, f"Bearer {zendesk.oauth_token}")
    me = schema.UserResponse.model_validate(bearer.get("/api/v2/users/me.json").json())
    assert (me.user.id, me.user.email) == (SAM, zendesk.credentials[0])


# ---- updating --------------------------------------------------------------------------------


def test_update_answers_ticket_and_audit_with_comment_changes_and_metadata(
    zendesk_api: Http,
) -> None:
    before = zendesk_api.get("/api/v2/tickets/512301.json").json()["ticket"]
    answer = put_ticket(
        zendesk_api,
        512301,
        {
            "requester_id": CARLA,
            "organization_id": GLOBEX,
            "custom_fields": [{"id": ORG_EMAIL, "value": "carla@globex.example"}],
            "comment": {"body": "Requester corrected by partner-fix.", "public": False},
            "metadata": {"partner_fix": {"slack_user": "U123", "request_id": "r-1"}},
            "safe_update": True,
            "updated_stamp": before["updated_at"],
        },
    )
    assert answer.status == 200, answer.text
    updated = schema.TicketUpdateResponse.model_validate(answer.json())
    assert (updated.ticket.requester_id, updated.ticket.organization_id) == (CARLA, GLOBEX)
    audit = updated.audit
    assert audit.author_id == SAM and audit.ticket_id == 512301
    assert audit.metadata.custom == {"partner_fix": {"slack_user": "U123", "request_id": "r-1"}}
    assert {"client", "ip_address", "location"} <= set(audit.metadata.system)
    assert audit.metadata.system["client"] == "sandbox-tests/1.0"
    comment, *changes = audit.events
    assert isinstance(comment, schema.CommentEvent) and comment.public is False
    assert comment.author_id == SAM and comment.body == "Requester corrected by partner-fix."
    assert [(c.field_name, c.previous_value, c.value) for c in changes] == [  # type: ignore[union-attr]
        ("requester_id", str(CARLA_TYPO), str(CARLA)),
        ("organization_id", None, str(GLOBEX)),
        (str(ORG_EMAIL), "carla@globex.exmaple", "carla@globex.example"),
    ]
    assert audits_of(zendesk_api, 512301)[-1] == answer.json()["audit"]


def test_comment_is_public_unless_said_otherwise(zendesk_api: Http) -> None:
    first = put_ticket(zendesk_api, 512304, {"comment": {"body": "Public reply"}}).json()
    assert first["audit"]["events"][0]["public"] is True
    second = put_ticket(zendesk_api, 512304, {"comment": {"body": "Note", "public": False}}).json()
    assert second["audit"]["events"][0]["public"] is False


def test_updated_at_bumps_by_at_least_a_second_on_every_update(zendesk_api: Http) -> None:
    stamps = [zendesk_api.get("/api/v2/tickets/512304.json").json()["ticket"]["updated_at"]]
    for _ in range(3):
        stamps.append(
            put_ticket(zendesk_api, 512304, {"comment": "x"}).json()["ticket"]["updated_at"]
        )
    moments = [datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) for s in stamps]
    assert all(b - a >= timedelta(seconds=1) for a, b in itertools.pairwise(moments))
    assert moments[-1] >= datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=5)


def test_safe_update_with_stale_stamp_is_409_and_changes_nothing(
    zendesk_api: Http, zendesk: ZendeskSandbox
) -> None:
    stale = zendesk.ticket(512302)["updated_at"]
    assert (
        put_ticket(zendesk_api, 512302, {"comment": {"body": "someone else was faster"}}).status
        == 200
    )
    before = zendesk.ticket(512302)
    answer = put_ticket(
        zendesk_api,
        512302,
        {
            "requester_id": IVAN,
            "organization_id": INITECH,
            "comment": {"body": "late", "public": False},
            "safe_update": True,
            "updated_stamp": stale,
        },
    )
    assert answer.status == 409
    schema.UpdateConflictError.model_validate(answer.json())
    assert zendesk.ticket(512302) == before
    assert len(audits_of(zendesk_api, 512302)) == 2
    fresh = put_ticket(
        zendesk_api,
        512302,
        {"comment": "mine", "safe_update": True, "updated_stamp": before["updated_at"]},
    )
    assert fresh.status == 200


def test_custom_fields_merge_by_id(zendesk_api: Http, zendesk: ZendeskSandbox) -> None:
    put_ticket(
        zendesk_api, 512302, {"custom_fields": [{"id": ORG_EMAIL, "value": "ivan@initech.example"}]}
    )
    ticket = zendesk.ticket(512302)
    assert field_value(ticket, ORG_EMAIL) == "ivan@initech.example"
    assert field_value(ticket, ORG_NAME) == "Initech"
    assert field_value(ticket, CC_REQUEST).startswith("Yes")
    assert ticket["fields"] == ticket["custom_fields"]


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.lists(
            st.tuples(
                st.sampled_from([ORG_EMAIL, ORG_NAME, CUSTOMER_NAME, 1234]),
                st.text(max_size=12) | st.none(),
            ),
            max_size=3,
        ),
        min_size=1,
        max_size=3,
    )
)
def test_custom_field_updates_behave_like_a_dict_merge(
    stack: Stack, updates: list[list[tuple[int, str | None]]]
) -> None:
    server = stack.zendesk  # hypothesis runs many cases per call: reset here
    server.reset()
    email, token = server.credentials
    http = Http(server.url, basic(f"{email}/token", token))
    expected = {f["id"]: f["value"] for f in server.ticket(512305)["custom_fields"]}
    for update in updates:
        entries = [{"id": fid, "value": value} for fid, value in update]
        assert put_ticket(http, 512305, {"custom_fields": entries}).status == 200
        # Unknown field ids are ignored, as Zendesk does.
        expected.update({fid: value for fid, value in update if fid in expected})
    final = server.ticket(512305)["custom_fields"]
    assert {f["id"]: f["value"] for f in final} == expected


def test_requester_only_change_keeps_the_old_organization(
    zendesk_api: Http, zendesk: ZendeskSandbox
) -> None:
    # The ticket has no organization: it stays without one (Zendesk does not re-derive it).
    assert put_ticket(zendesk_api, 512301, {"requester_id": CARLA}).status == 200
    assert zendesk.ticket(512301)["organization_id"] is None
    # The kept organization is the partner's, which the customer is not in: refused.
    answer = put_ticket(zendesk_api, 512302, {"requester_id": IVAN})
    assert answer.status == 422
    invalid = schema.RecordInvalidError.model_validate(answer.json())
    assert list(invalid.details) == ["organization_id"]
    assert zendesk.ticket(512302)["requester_id"] == PAT
    # Sent together, requester and organization are accepted.
    both = put_ticket(zendesk_api, 512302, {"requester_id": IVAN, "organization_id": INITECH})
    assert both.status == 200
    assert (both.json()["ticket"]["requester_id"], both.json()["ticket"]["organization_id"]) == (
        IVAN,
        INITECH,
    )


def test_organization_must_be_one_of_the_requesters(
    zendesk_api: Http, zendesk: ZendeskSandbox
) -> None:
    answer = put_ticket(zendesk_api, 512307, {"requester_id": HANA, "organization_id": ACME})
    assert answer.status == 422
    assert "organization_id" in schema.RecordInvalidError.model_validate(answer.json()).details
    assert zendesk.ticket(512307)["requester_id"] == HANA_TYPO
    secondary = put_ticket(zendesk_api, 512307, {"requester_id": HANA, "organization_id": HOOLI_EU})
    assert secondary.status == 200
    assert (
        put_ticket(zendesk_api, 512303, {"organization_id": None}).json()["ticket"][
            "organization_id"
        ]
        is None
    )


def test_unknown_users_are_422_with_details(zendesk_api: Http) -> None:
    requester = put_ticket(zendesk_api, 512301, {"requester_id": 999})
    assert requester.status == 422
    details = schema.RecordInvalidError.model_validate(requester.json()).details
    assert list(details) == ["requester_id"]
    cc = put_ticket(zendesk_api, 512301, {"email_ccs": [{"user_id": 999, "action": "put"}]})
    assert cc.status == 422
    assert list(schema.RecordInvalidError.model_validate(cc.json()).details) == ["email_ccs"]
    org = put_ticket(zendesk_api, 512301, {"organization_id": 999})
    assert org.status == 422


def test_closed_ticket_cannot_be_updated(zendesk_api: Http, zendesk: ZendeskSandbox) -> None:
    before = zendesk.ticket(512306)
    answer = put_ticket(zendesk_api, 512306, {"requester_id": CARLA, "organization_id": GLOBEX})
    assert answer.status == 422
    assert answer.json()["details"] == {
        "status": [
            {"description": "Status: closed prevents ticket update", "error": "ClosedTicket"}
        ]
    }
    schema.RecordInvalidError.model_validate(answer.json())
    assert zendesk.ticket(512306) == before


def test_email_ccs_put_and_delete(zendesk_api: Http, zendesk: ZendeskSandbox) -> None:
    added = put_ticket(zendesk_api, 512302, {"email_ccs": [{"user_id": PAT, "action": "put"}]})
    # The requester is never their own CC.
    assert added.json()["ticket"]["email_cc_ids"] == []
    put_ticket(zendesk_api, 512302, {"requester_id": IVAN, "organization_id": INITECH})
    added = put_ticket(zendesk_api, 512302, {"email_ccs": [{"user_id": PAT, "action": "put"}]})
    ticket = schema.TicketUpdateResponse.model_validate(added.json())
    assert ticket.ticket.email_cc_ids == [PAT] and ticket.ticket.collaborator_ids == [PAT]
    (event,) = ticket.audit.events
    assert isinstance(event, schema.EmailCcChangeEvent)
    assert (event.previous_email_ccs, event.current_email_ccs) == ([], ["pat@acmedevops.example"])
    again = put_ticket(zendesk_api, 512302, {"email_ccs": [{"user_id": PAT, "action": "put"}]})
    assert again.json()["ticket"]["email_cc_ids"] == [PAT]
    assert again.json()["audit"]["events"] == []
    removed = put_ticket(zendesk_api, 512302, {"email_ccs": [{"user_id": PAT, "action": "delete"}]})
    assert removed.json()["ticket"]["email_cc_ids"] == []
    assert zendesk.ticket(512302)["email_cc_ids"] == []


def test_requester_object_creates_an_emailless_user(
    zendesk_api: Http, zendesk: ZendeskSandbox
) -> None:
    answer = put_ticket(zendesk_api, 512301, {"requester": {"name": "Carla Customer"}})
    assert answer.status == 200
    new_id = answer.json()["ticket"]["requester_id"]
    assert new_id not in (CARLA, CARLA_TYPO)
    (created,) = schema.UsersResponse.model_validate(
        zendesk_api.get(f"/api/v2/users/show_many.json?ids={new_id}").json()
    ).users
    assert (created.name, created.email, created.organization_id) == (
        "Carla Customer",
        None,
        None,
    )
    # What zenpy sends for `ticket.requester = user`: requester_id wins, but a stray email-less
    # user is still created.
    users_before = zendesk_api.get("/api/v2/users/search.json?query=Carla").json()["count"]
    zenpy_like = {
        "requester_id": CARLA,
        "organization_id": GLOBEX,
        "requester": {"id": CARLA, "name": "Carla Customer"},
    }
    assert put_ticket(zendesk_api, 512307, zenpy_like).json()["ticket"]["requester_id"] == CARLA
    assert (
        zendesk_api.get("/api/v2/users/search.json?query=Carla").json()["count"] == users_before + 1
    )
    assert zendesk.ticket(512307)["organization_id"] == GLOBEX
    # With an email the object resolves to the existing user and creates nobody.
    by_email = {
        "requester": {"name": "Hana", "email": "hana@hooli.example"},
        "organization_id": HOOLI,
    }
    assert put_ticket(zendesk_api, 512307, by_email).json()["ticket"]["requester_id"] == HANA
    assert (
        zendesk_api.get("/api/v2/users/search.json?query=Carla").json()["count"] == users_before + 1
    )


def test_unknown_ticket_keys_are_dropped(zendesk_api: Http) -> None:
    answer = put_ticket(zendesk_api, 512304, {"id": 512304, "brand_new_attribute": 1})
    assert answer.status == 200
    assert "brand_new_attribute" not in answer.json()["ticket"]


# ---- audits ----------------------------------------------------------------------------------


def test_audits_offer_offset_and_cursor_pagination(zendesk_api: Http) -> None:
    for n in range(4):
        put_ticket(zendesk_api, 512309, {"comment": {"body": f"reply {n}", "public": True}})
    everything = audits_of(zendesk_api, 512309)
    assert len(everything) == 5
    assert [a["created_at"] for a in everything] == sorted(a["created_at"] for a in everything)

    offset_ids: list[int] = []
    path: str | None = "/api/v2/tickets/512309/audits.json?per_page=2"
    while path:
        page = schema.AuditsOffsetResponse.model_validate(zendesk_api.get(path).json())
        assert page.count == 5
        offset_ids += [a.id for a in page.audits]
        path = page.next_page.removeprefix(zendesk_api.base) if page.next_page else None
    cursor_ids: list[int] = []
    path = "/api/v2/tickets/512309/audits.json?page[size]=2"
    while path:
        cursor = schema.AuditsCursorResponse.model_validate(zendesk_api.get(path).json())
        cursor_ids += [a.id for a in cursor.audits]
        assert bool(cursor.links.next) == cursor.meta.has_more
        path = cursor.links.next.removeprefix(zendesk_api.base) if cursor.links.next else None
    assert offset_ids == cursor_ids == [a["id"] for a in everything]
    back = schema.AuditsCursorResponse.model_validate(
        zendesk_api.get(
            "/api/v2/tickets/512309/audits.json?page[size]=2&page[before]="
            + str(cursor.meta.before_cursor)
        ).json()
    )
    assert [a.id for a in back.audits] == cursor_ids[2:4]


# ---- errors ----------------------------------------------------------------------------------


def test_authentication_errors_are_401(zendesk: ZendeskSandbox) -> None:
    email, token = zendesk.credentials
    attempts = [
        None,
        basic(f"{email}/token", "wrong"),
        basic(email, token),  # a password login, not an API token
        basic("pat@acmedevops.example/token", token),
        "Bearer nope",
    ]
    for authorization in attempts:
        answer = Http(zendesk.url, authorization).get("/api/v2/tickets/512301.json")
        assert answer.status == 401
        schema.UnauthorizedError.model_validate(answer.json())
    upper = Http(zendesk.url, basic(f"{email.upper()}/token", token))
    assert upper.get("/api/v2/tickets/512301.json").status == 200


def test_light_agent_reads_but_cannot_write(zendesk: ZendeskSandbox) -> None:
    light = Http(zendesk.url, basic("lee@gitlab.example/token", "sandbox-light-token"))
    assert light.get("/api/v2/tickets/512301.json").status == 200
    answer = light.put("/api/v2/tickets/512301.json", {"ticket": {"comment": {"body": "hi"}}})
    assert answer.status == 403
    forbidden = schema.ForbiddenError.model_validate(answer.json())
    assert forbidden.description.startswith("You do not have access to this page.")
    assert len(zendesk.ticket(512301)["email_cc_ids"]) == 0


def test_not_found_and_invalid_endpoint(zendesk_api: Http) -> None:
    for path in (
        "/api/v2/tickets/1.json",
        "/api/v2/ticket_fields/1.json",
        "/api/v2/tickets/1/audits.json",
    ):
        answer = zendesk_api.get(path)
        assert answer.status == 404
        assert schema.NotFoundError.model_validate(answer.json()).error == "RecordNotFound"
    assert put_ticket(zendesk_api, 1, {"comment": "hi"}).json()["error"] == "RecordNotFound"
    for method, path in (("GET", "/api/v2/nothing.json"), ("DELETE", "/api/v2/tickets/512301")):
        answer = zendesk_api.call(method, path)
        assert answer.status == 404
        assert schema.NotFoundError.model_validate(answer.json()).error == "InvalidEndpoint"


def test_malformed_json_is_400(zendesk_api: Http, zendesk: ZendeskSandbox) -> None:
    answer = zendesk_api.put("/api/v2/tickets/512301.json", raw=b'{"ticket": {')
    assert answer.status == 400
    assert answer.headers["Content-Type"].startswith("application/json")
    schema.BadRequestError.model_validate(answer.json())
    missing = zendesk_api.put("/api/v2/tickets/512301.json", {"nothing": 1})
    assert missing.status == 400
    schema.BadRequestError.model_validate(missing.json())
    assert zendesk.ticket(512301)["requester_id"] == CARLA_TYPO


def test_concurrent_updates_all_land_once(zendesk_api: Http, zendesk: ZendeskSandbox) -> None:
    failures: list[int] = []

    def writer(n: int) -> None:
        for i in range(4):
            answer = put_ticket(
                zendesk_api, 512304, {"comment": {"body": f"w{n}-{i}", "public": False}}
            )
            if answer.status != 200:
                failures.append(answer.status)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not failures and time.monotonic() - started < 10
    audits = audits_of(zendesk_api, 512304)
    assert len(audits) == 1 + 24
    stamps = [a["created_at"] for a in audits[1:]]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
