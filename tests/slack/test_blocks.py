"""Every Block Kit builder, checked with slack_sdk.models so no message breaks Slack's limits."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.domain.finding import find
from bot.domain.planning import FixRequest, Inquiry, Plan, Refusal, plan
from bot.domain.scenarios import Scenario
from bot.domain.suggesting import suggest
from bot.fixes import Done, Failed, Look, Preview, Stale
from bot.ports import Applied, Fault
from bot.slack import blocks, values
from tests.domain.world import CARLA, GLOBEX, person, snapshot, ticket

HOSTILE = "<!channel> <@U0AGENT2> & <https://evil.example|click> " + "x" * 5000
URL = "https://gitlab.zendesk.com/agent/tickets/512301"
CONTEXT = values.ModalContext(channel="C1", user="U0AGENT1", note=HOSTILE)


def valid_message(msg: dict[str, Any]) -> list[dict[str, Any]]:
    assert 0 < len(msg["text"]) <= 3000
    parsed = [b.to_dict() for b in Block.parse_all(msg["blocks"])]  # raises on a broken block
    assert 0 < len(parsed) <= 50
    return parsed


def valid_view(view: dict[str, Any]) -> dict[str, Any]:
    checked = View(**view).to_dict()  # raises on a broken view
    assert len(view["private_metadata"]) <= 3000
    return checked


def the_plan(**ticket_changes: Any) -> tuple[Preview, Plan]:
    snap = snapshot(ticket(**ticket_changes))
    request = FixRequest(
        ticket_id=512301, scenario=Scenario.SERVICES_ENGAGEMENT, customer_email="hana@hooli.example"
    )
    outcome = plan(snap, request)
    assert isinstance(outcome, Plan)
    return Preview(request, snap, suggest(snap), outcome, URL), outcome


def buttons(msg: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in msg["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_modal_has_the_contract_inputs_and_survives_hostile_tickets() -> None:
    snap = snapshot(ticket(subject=HOSTILE, description=HOSTILE, org_email="carla@globex.exmaple"))
    view = blocks.modal(CONTEXT, "512301", look=Look(snap, suggest(snap), URL))
    valid_view(view)
    assert view["callback_id"] == "partner_fix_modal"
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert {k: v["type"] for k, v in inputs.items()} == {
        "ticket": "plain_text_input",
        "scenario": "radio_buttons",
        "customer_email": "email_text_input",
        "partner_email": "email_text_input",
    }
    assert all(inputs[k]["action_id"] == k for k in inputs)
    assert [o["value"] for o in inputs["scenario"]["options"]] == [s.value for s in Scenario]
    # The typo names no customer (only the organization-less user Zendesk made of it).
    assert "initial_value" not in inputs["customer_email"]
    text = str(view["blocks"])
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text


def customer_input(view: dict[str, Any]) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == "customer_email")["element"]


def test_modal_prefills_the_customer_the_organization_email_names() -> None:
    snap = snapshot(ticket(org_email="Carla@globex.example"))
    view = blocks.modal(CONTEXT, "512301", look=Look(snap, suggest(snap), URL))
    valid_view(view)
    assert customer_input(view)["initial_value"] == "carla@globex.example"


def test_modal_prefills_a_clear_candidate_and_lists_equal_ones() -> None:
    snap = snapshot(ticket(org_email="carla@globex.exmaple"))
    clear = find(snap, [CARLA.id])
    view = blocks.modal(CONTEXT, "512301", look=Look(snap, suggest(snap, clear), URL, clear))
    valid_view(view)
    assert customer_input(view)["initial_value"] == CARLA.email
    assert "carla@globex.exmaple, which matches nobody" in str(view["blocks"])
    cora = person(205, "Cora", "cora@globex.example", GLOBEX.id)
    base = snapshot(ticket(org_email="cara@globex.example"))
    typo = base.model_copy(update={"users": (*base.users, cora)})
    both = find(typo, [CARLA.id, cora.id])
    assert both.clear is None and len(both.candidates) == 2
    view = blocks.modal(CONTEXT, "512301", look=Look(typo, suggest(typo, both), URL, both))
    valid_view(view)
    assert "initial_value" not in customer_input(view)
    assert "Cora &lt;cora@globex.example&gt; of Globex" in str(view["blocks"])


def test_modal_does_not_prefill_what_is_not_an_email() -> None:
    snap = snapshot(ticket(org_email="not an email"))
    view = blocks.modal(CONTEXT, "512301", look=Look(snap, suggest(snap), URL))
    email = next(b for b in view["blocks"] if b.get("block_id") == "customer_email")
    assert "initial_value" not in email["element"]


@pytest.mark.parametrize("loading", [True, False])
def test_empty_and_loading_modals_are_valid(loading: bool) -> None:
    valid_view(blocks.modal(values.ModalContext(user="U1"), "", problem=HOSTILE, loading=loading))


def test_preview_has_apply_and_cancel_and_org_choices() -> None:
    preview, outcome = the_plan()
    msg = blocks.preview(preview, "U0AGENT1")
    valid_message(msg)
    ids = [b["action_id"] for b in buttons(msg)]
    assert ids == ["partner_fix_apply", "partner_fix_cancel", "partner_fix_pick_org_0"]
    carried = values.decode_apply(buttons(msg)[0]["value"])
    assert carried is not None and carried.plan.correction == outcome.correction
    assert "Hooli EU" in buttons(msg)[2]["text"]["text"]


def test_preview_of_refusal_inquiry_and_already_correct_has_no_apply() -> None:
    preview, outcome = the_plan()
    for other in (
        Refusal(rule="never_cross_associate", message=HOSTILE),
        Inquiry(ticket_id=1, questions=("Q?",) * 3, partner=HOSTILE),
        outcome.model_copy(update={"changes": ()}),
    ):
        msg = blocks.preview(
            Preview(preview.request, preview.snapshot, preview.suggestion, other, URL), "U1"
        )
        valid_message(msg)
        assert not any(b["action_id"] == "partner_fix_apply" for b in buttons(msg))
        assert "<!channel>" not in str(msg)


def test_every_outcome_message_is_valid_and_escaped() -> None:
    preview, outcome = the_plan(org_email=HOSTILE)
    done = Done(outcome, Applied(512301, "2026-11-28T00:00:00Z"), URL)
    summary = blocks.summary(done, "U0AGENT1")
    # A stale click whose fresh plan finds the ticket already corrected.
    unchanged = outcome.model_copy(update={"changes": ()})
    already = blocks.stale(
        Stale(Preview(preview.request, preview.snapshot, preview.suggestion, unchanged, URL)), "U1"
    )
    for msg in (
        blocks.working(512301, "U1"),
        blocks.thread_parent(512301, URL, "U1"),
        blocks.applying(outcome, "U1"),
        blocks.outcome(done, "U1"),
        summary,
        blocks.without_buttons(summary, "U1"),
        blocks.undone(done, "U1"),
        blocks.cancelled(512301, "U1"),
        blocks.refusal(Refusal(rule="r", message=HOSTILE), 512301),
        blocks.failure(Failed(Fault.UNKNOWN_OUTCOME, HOSTILE, changed=None), 512301),
        blocks.failure(Failed(Fault.UNAVAILABLE, "Zendesk is down.", changed=False), None),
        blocks.stale(Stale(preview), "U1"),
        already,
        blocks.notice(blocks.HELP),
    ):
        valid_message(msg)
        assert "<!channel>" not in str(msg) and "<@U0AGENT2>" not in str(msg)
    assert [b["action_id"] for b in buttons(summary)] == ["partner_fix_undo"]
    assert "already shows this correction" in str(already) and buttons(already) == []
    assert buttons(blocks.without_buttons(summary, "U1")) == []


def test_mentions_only_for_well_formed_user_ids() -> None:
    assert blocks.mention("U0AGENT1") == "<@U0AGENT1>"
    assert blocks.mention("<!channel>") == "&lt;!channel&gt;"


def test_escape_is_the_three_characters_slack_asks_for() -> None:
    assert blocks.escape("a & <b> <!here>") == "a &amp; &lt;b&gt; &lt;!here&gt;"
