"""parse_submission on every shape of modal state: a FixRequest, or errors for the form.

Slack signs what it sends, but the state of a modal still carries whatever a person typed (or a
client sent), and a listener that raises leaves the person with Slack's "We had some trouble
connecting" and no idea why. So: never an exception, and every error keyed by an input block
(Slack refuses the whole answer otherwise) with a message Slack can show (it cuts at 150).
"""

from __future__ import annotations

from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.planning import MAX_EMAIL_LENGTH, FixRequest, valid_email
from bot.domain.refs import RefError, TicketRef, parse_ticket_ref
from bot.domain.scenarios import SCENARIOS, Scenario
from bot.fixes import Fixes
from bot.ports import ZendeskPort
from bot.slack.modal_state import parse_submission

INPUT_BLOCKS = frozenset({"ticket", "scenario", "customer_email", "partner_email"})
SLACK_ERROR_LIMIT = 150
HC = ("support.gitlab.com",)


def parse_ref(text: str) -> TicketRef | RefError:
    return parse_ticket_ref(text, HC)


# The bot's own parser, which also refuses other Zendesk instances; parse() never reaches Zendesk.
ours = Fixes(cast(ZendeskPort, None), instance_host="gitlab.zendesk.com", help_center_hosts=HC)


def state(
    ticket: Any = None, scenario: Any = None, customer: Any = None, partner: Any = None
) -> dict[str, Any]:
    """view.state.values as Slack sends it."""

    def text(kind: str, value: Any) -> dict[str, Any]:
        return {"type": kind, "value": value}

    option = None if scenario is None else {"text": {"type": "plain_text"}, "value": scenario}
    return {
        "ticket": {"ticket": text("plain_text_input", ticket)},
        "scenario": {"scenario": {"type": "radio_buttons", "selected_option": option}},
        "customer_email": {"customer_email": text("email_text_input", customer)},
        "partner_email": {"partner_email": text("email_text_input", partner)},
    }


def well_formed(result: FixRequest | dict[str, str]) -> FixRequest | dict[str, str]:
    """The contract of every answer, whatever went in."""
    if isinstance(result, FixRequest):
        assert result.ticket_id > 0
        assert result.scenario in Scenario
        for email in (result.customer_email, result.partner_email):
            assert email is None or (valid_email(email) and email == email.strip())
        if SCENARIOS[result.scenario].customer_is_requester:
            assert result.customer_email
        return result
    assert isinstance(result, dict) and result, "neither a request nor errors"
    assert set(result) <= INPUT_BLOCKS, result
    for message in result.values():
        assert isinstance(message, str) and 0 < len(message) <= SLACK_ERROR_LIMIT, message
    return result


def errors_of(result: FixRequest | dict[str, str]) -> dict[str, str]:
    """The inline errors, well formed; a request here is a failure."""
    well_formed(result)
    assert isinstance(result, dict), f"accepted: {result}"
    return result


# ---- examples --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scenario", "customer"),
    [
        ("customer_account", "carla@globex.example"),
        ("services_engagement", "ivan@initech.example"),
        ("partner_commercial", None),
        ("partner_nfr", None),
        ("unsure", None),
    ],
)
def test_a_complete_form_is_a_request(scenario: str, customer: str | None) -> None:
    result = parse_submission(
        state(" https://gitlab.zendesk.com/agent/tickets/512301\n", scenario, customer), parse_ref
    )
    assert result == FixRequest(
        ticket_id=512301, scenario=Scenario(scenario), customer_email=customer
    )


def test_values_are_stripped() -> None:
    result = parse_submission(
        state(
            "\t#512302 ", "services_engagement", "  ivan@initech.example ", " pat@acme.example\n"
        ),
        parse_ref,
    )
    assert result == FixRequest(
        ticket_id=512302,
        scenario=Scenario.SERVICES_ENGAGEMENT,
        customer_email="ivan@initech.example",
        partner_email="pat@acme.example",
    )


def test_an_empty_form_says_what_is_missing() -> None:
    errors = errors_of(parse_submission(state(), parse_ref))
    assert set(errors) == {"ticket", "scenario"}


@pytest.mark.parametrize("scenario", ["customer_account", "services_engagement"])
def test_the_customer_scenarios_need_the_customer_email(scenario: str) -> None:
    errors = errors_of(parse_submission(state("512301", scenario, "  "), parse_ref))
    assert set(errors) == {"customer_email"}


@pytest.mark.parametrize(
    "email",
    [
        "carla",
        "carla@",
        "@globex.example",
        "carla@globex",
        "carla@@globex.example",
        "carla @globex.example",
        "carla@globex.example\u200b",
        "carla@glob\u0435x.example",  # a Cyrillic e
        "carla\uff20globex.example",  # a fullwidth @
        "<mailto:carla@globex.example|carla@globex.example>",
        "carla@globex.example,pat@acmedevops.example",
        "carla@globex.example\nBcc: x@evil.example",
        "a" * 250 + "@globex.example",
        "a@" + "b" * 10_000 + ".example",
    ],
)
@pytest.mark.parametrize("block", ["customer_email", "partner_email"])
def test_bad_emails_come_back_inline_on_their_field(email: str, block: str) -> None:
    values = state("512302", "services_engagement", "ivan@initech.example")
    values[block][block]["value"] = email
    errors = errors_of(parse_submission(values, parse_ref))
    assert set(errors) == {block}


@pytest.mark.parametrize(
    "ticket",
    [
        "https://gitlab.zendesk.com.evil.com/agent/tickets/512301",
        "https://gitlab.zendesk.com@evil.com/agent/tickets/512301",
        "https://gitlab-federal-support.zendesk.com/agent/tickets/512301",
        # A bare id next to another instance's link to the same number is that other ticket.
        "512301 https://gitlab-federal-support.zendesk.com/agent/tickets/512301",
        "#512301 <https://gitlab-federal-support.zendesk.com/agent/tickets/512301>",
        "https://gitlab.zendesk.com/agent/tickets/512301 "
        "https://gitlab-federal-support.zendesk.com/agent/tickets/512301",
        "\u202e512301",
        "\uff15\uff11\uff12\uff13\uff10\uff11",
        "<!channel>",
        "9" * 10_000,
    ],
)
def test_tickets_of_other_hosts_and_instances_are_refused_inline(ticket: str) -> None:
    errors = errors_of(parse_submission(state(ticket, "partner_commercial"), ours.parse))
    assert set(errors) == {"ticket"}
    assert "<" not in errors["ticket"]  # the echo can't be read as a Slack control sequence


def test_every_problem_at_once() -> None:
    errors = errors_of(
        parse_submission(state("<!here>", "no_such_scenario", "x@", "y@"), parse_ref)
    )
    assert set(errors) == INPUT_BLOCKS


@pytest.mark.parametrize(
    "values",
    [
        None,
        [],
        "ticket",
        512301,
        {},
        {"ticket": None},
        {"ticket": "512301", "scenario": "partner_nfr"},
        {"ticket": ["512301"]},
        {"ticket": {"ticket": "512301"}},
        {"ticket": {"ticket": None}},
        {"ticket": {"ticket": {"value": 512301}}},
        {"ticket": {"ticket": {"value": ["512301"]}}},
        {"ticket": {"ticket": {"value": {"value": "512301"}}}},
        {"ticket": {"other_action": {"value": "512301"}}},
        {"scenario": {"scenario": {"selected_option": "partner_nfr"}}},
        {"scenario": {"scenario": {"selected_option": {"value": None}}}},
        {"scenario": {"scenario": {"selected_option": {"value": ["partner_nfr"]}}}},
        {"scenario": {"scenario": {"selected_option": {}}}},
        {"scenario": {"scenario": {"selected_options": [{"value": "partner_nfr"}]}}},
        {"customer_email": {"customer_email": {"value": 7}}},
        {"ticket": {"ticket": {"value": "512301"}}, "scenario": 5},
        {1: 2, None: [], "ticket": {"ticket": {"value": "x" * 100_000}}},
    ],
)
def test_any_shape_of_state_is_read_without_raising(values: Any) -> None:
    # None of these holds both a ticket and a scenario: the form asks again.
    assert errors_of(parse_submission(values, parse_ref))


def test_a_value_of_the_wrong_type_is_an_empty_field() -> None:
    # Slack sends text inputs as strings; anything else is asked for again, never str()-ed into a
    # ticket id (str() of a nested value could be anything, and huge).
    values = state("512301", "partner_nfr")
    values["ticket"]["ticket"]["value"] = 512301
    assert set(errors_of(parse_submission(values, parse_ref))) == {"ticket"}


# ---- properties ------------------------------------------------------------------------------

json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=50),
    st.sampled_from(["512301", "#512301", "partner_nfr", "customer_account", "a@b.example"]),
)
json_like = st.recursive(
    json_leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(sorted(INPUT_BLOCKS | {"value", "selected_option"})),
                      st.text(max_size=10)),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=20,
)  # fmt: skip

# Text from every corner: any code point, the pieces of tickets and emails, and huge runs.
hostile_text = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),  # what Slack can send
    st.lists(
        st.sampled_from(
            ["512301", "#", "ZD", "https://", "gitlab.zendesk.com", "/agent/tickets/", "@",
             "globex.example", "<!channel>", "<@U0AGENT2>", "&amp;", "\u202e", "\u200b", " ",
             "\n", "\uff15", "+tag", "PAT", "acmedevops.example", ".evil.com"]
        ),
        max_size=12,
    ).map("".join),
    st.tuples(st.sampled_from(["9", "a", "<", "\u200b", "@"]), st.integers(0, 20_000)).map(
        lambda piece: piece[0] * piece[1]
    ),
)  # fmt: skip
scenario_values = st.one_of(
    st.sampled_from([s.value for s in Scenario]), hostile_text, st.integers(), json_like
)
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.timeout(60)
@PROPERTY
@given(json_like)
def test_property_any_json_is_read_without_raising(values: Any) -> None:
    well_formed(parse_submission(values, parse_ref))


@pytest.mark.timeout(60)
@PROPERTY
@given(
    st.dictionaries(
        st.sampled_from(sorted(INPUT_BLOCKS)),
        st.dictionaries(
            st.sampled_from(sorted(INPUT_BLOCKS)),
            st.dictionaries(st.sampled_from(["value", "selected_option", "type"]), json_like),
        ),
    )
)
def test_property_almost_slack_shaped_state_is_read_without_raising(values: Any) -> None:
    well_formed(parse_submission(values, parse_ref))


@pytest.mark.timeout(60)
@PROPERTY
@given(hostile_text, scenario_values, hostile_text, hostile_text)
def test_property_any_text_in_any_field(
    ticket: str | None, scenario: Any, customer: str | None, partner: str | None
) -> None:
    result = well_formed(parse_submission(state(ticket, scenario, customer, partner), ours.parse))
    if isinstance(result, FixRequest):
        # Accepted only what each field can hold.
        assert ticket is not None and isinstance(ours.parse(ticket.strip()), TicketRef)
        assert isinstance(scenario, str) and scenario.strip() == result.scenario.value
        for typed, kept in ((customer, result.customer_email), (partner, result.partner_email)):
            assert kept == ((typed or "").strip() or None)
            assert kept is None or len(kept) <= MAX_EMAIL_LENGTH
