"""Thread messages: one pure function per message kind, from the use case's values to Slack JSON.

The thread of one fix: its parent, "working…", the preview (Apply / Cancel, other organizations),
"applying…", the outcome and the summary (Undo), and what a step can end in instead (refused,
failed, changed since the preview, cancelled, undone), plus short notices and the help text.
"""

from __future__ import annotations

from typing import Any

from bot.domain.planning import FixRequest, Inquiry, Plan, Refusal
from bot.domain.scenarios import SCENARIOS, Scenario
from bot.domain.wording import summary_lines
from bot.fixes import Done, Failed, Preview, Stale
from bot.slack import values
from bot.slack.blocks.kit import (
    Block,
    button,
    context,
    escape,
    mention,
    message,
    section,
    ticket_link,
)

APPLY = "partner_fix_apply"
CANCEL = "partner_fix_cancel"
UNDO = "partner_fix_undo"
PICK_ORG = "partner_fix_pick_org"
RETRY = "partner_fix_retry"
MAX_ORG_CHOICES = 3


def working(ticket_id: int, user_id: str) -> dict[str, Any]:
    text = f":hourglass_flowing_sand: Reading ticket #{ticket_id} for {mention(user_id)}…"
    return message(f"Reading ticket #{ticket_id}…", [section(text)])


def thread_parent(ticket_id: int, url: str, user_id: str) -> dict[str, Any]:
    text = f"*Partner fix* for ticket {ticket_link(ticket_id, url)}, asked by {mention(user_id)}."
    return message(f"Partner fix for ticket #{ticket_id}", [section(text)])


def _change_lines(plan: Plan) -> str:
    return "\n".join(
        f"• *{escape(c.label)}*: {escape(c.before)} → *{escape(c.after)}*" for c in plan.changes
    )


def _plan_blocks(plan: Plan) -> list[Block]:
    info = SCENARIOS[plan.scenario]
    blocks = [section(_change_lines(plan))] if plan.changes else []
    blocks.append(
        section(
            f"*Scenario:* {escape(info.title)}\n"
            f"*Whose subscription:* {escape(plan.subscription)}\n"
            f"*Support talks to:* {escape(plan.contact)}"
        )
    )
    blocks.extend(context(f":information_source: {escape(note)}") for note in plan.notes)
    return blocks


def preview(
    result: Preview, user_id: str, request_id: str | None = None, alert_ts: str | None = None
) -> dict[str, Any]:
    """The preview in the thread: each change before → after, and Apply / Cancel (whose value
    names the alert the preview came from, if any)."""
    ticket_id = result.snapshot.ticket.id
    link = ticket_link(ticket_id, result.url)
    outcome = result.outcome
    suggested = SCENARIOS[result.suggestion.scenario].title
    chosen = SCENARIOS[result.request.scenario].title
    header = f"*Preview* for ticket {link}, asked by {mention(user_id)}"
    hint = "" if suggested == chosen else f" (the bot suggested {escape(suggested)})"
    if isinstance(outcome, Refusal):
        blocks = [
            section(f":no_entry: *Refused* for ticket {link}: {escape(outcome.message)}"),
            context(
                f"Rule: `{outcome.rule}` · Scenario: {escape(chosen)}{hint} · Nothing changed."
            ),
        ]
        return message(f"Refused for ticket #{ticket_id}", blocks)
    if isinstance(outcome, Inquiry):
        questions = "\n".join(f"• {escape(q)}" for q in outcome.questions)
        blocks = [
            section(
                f":thinking_face: *Unsure* about ticket {link}. Nothing is changed in Zendesk. "
                f"Ask {escape(outcome.partner)}:\n{questions}"
            ),
            context(f"Asked by {mention(user_id)}{hint}"),
        ]
        return message(f"Questions for the partner on ticket #{ticket_id}", blocks)
    if outcome.already_correct:
        blocks = [
            section(f":white_check_mark: Ticket {link} is already correct for {escape(chosen)}."),
            *_plan_blocks(outcome),
        ]
        return message(f"Ticket #{ticket_id} is already correct", blocks)
    buttons = [
        button(
            "Apply",
            APPLY,
            values.encode_apply(result.request, outcome, request_id, alert_ts),
            "primary",
        ),
        button("Cancel", CANCEL, values.encode_ticket(ticket_id, request_id=request_id)),
    ]
    buttons.extend(_org_choices(result.request, outcome, alert_ts))
    blocks = [
        section(header + hint),
        *_plan_blocks(outcome),
        {"type": "actions", "block_id": "partner_fix_preview", "elements": buttons},
    ]
    return message(f"Preview for ticket #{ticket_id}", blocks)


def _org_choices(request: FixRequest, plan: Plan, alert_ts: str | None) -> list[Block]:
    others = [c for c in plan.organization_choices if c[0] != plan.organization_id]
    return [
        button(
            f"Use {name}",
            f"{PICK_ORG}_{index}",
            values.encode_ticket(
                plan.ticket_id,
                request.model_copy(update={"organization_id": oid}),
                alert_ts=alert_ts,
            ),
        )
        for index, (oid, name) in enumerate(others[:MAX_ORG_CHOICES])
    ]


def applying(plan: Plan, user_id: str) -> dict[str, Any]:
    verb = "Undoing" if plan.undo else "Applying"
    text = f":hourglass_flowing_sand: {verb} ticket #{plan.ticket_id} for {mention(user_id)}…"
    return message(f"{verb} ticket #{plan.ticket_id}…", [section(text)])


def outcome(done: Done, user_id: str) -> dict[str, Any]:
    """What the preview message turns into once applied."""
    link = ticket_link(done.plan.ticket_id, done.url)
    settled = " (confirmed by re-reading the ticket)" if done.settled else ""
    text = f":white_check_mark: *Applied* to ticket {link} by {mention(user_id)}{settled}."
    return message(f"Applied to ticket #{done.plan.ticket_id}", [section(text)])


def summary(
    done: Done, user_id: str, request_id: str | None = None, large_files_url: str | None = None
) -> dict[str, Any]:
    """The threaded summary of the scenario, with Undo."""
    plan = done.plan
    link = ticket_link(plan.ticket_id, done.url)
    info = SCENARIOS[plan.scenario]
    files = []
    if info.customer_is_requester:
        line = summary_lines(plan, large_files_url)[-1]
        files = [context(f":paperclip: {escape(line)}")]
    blocks = [
        section(f"*Corrected* ticket {link}, applied by {mention(user_id)}."),
        *_plan_blocks(plan),
        *files,
        {
            "type": "actions",
            "block_id": "partner_fix_summary",
            "elements": [
                button(
                    "Undo",
                    UNDO,
                    values.encode_ticket(plan.ticket_id, request_id=request_id),
                    "danger",
                )
            ],
        },
    ]
    return message(f"Ticket #{plan.ticket_id} corrected: {SCENARIOS[plan.scenario].title}", blocks)


def without_buttons(original: dict[str, Any], user_id: str) -> dict[str, Any]:
    """A message the bot posted earlier, its buttons removed, marked as undone."""
    kept = [b for b in original.get("blocks") or [] if b.get("type") != "actions"]
    kept.append(context(f"Undone by {mention(user_id)}."))
    return message("Correction undone", kept)


def undone(done: Done, user_id: str) -> dict[str, Any]:
    link = ticket_link(done.plan.ticket_id, done.url)
    blocks = [
        section(f":leftwards_arrow_with_hook: *Undone* on ticket {link} by {mention(user_id)}."),
        section(_change_lines(done.plan)),
    ]
    return message(f"Correction of ticket #{done.plan.ticket_id} undone", blocks)


def cancelled(ticket_id: int, user_id: str) -> dict[str, Any]:
    text = (
        f":heavy_multiplication_x: Cancelled by {mention(user_id)}. "
        f"Ticket #{ticket_id} was not changed."
    )
    return message(f"Cancelled: ticket #{ticket_id} not changed", [section(text)])


def refusal(result: Refusal, ticket_id: int) -> dict[str, Any]:
    text = f":no_entry: Ticket #{ticket_id}: {escape(result.message)}"
    return message(f"Ticket #{ticket_id}: nothing changed", [section(text)])


def failure(
    failed: Failed,
    ticket_id: int | None,
    retry: FixRequest | None = None,
    request_id: str | None = None,
    keep: list[Block] | None = None,
    alert_ts: str | None = None,
) -> dict[str, Any]:
    """What went wrong and whether the ticket changed. Nothing the person asked is lost: with
    `retry`, a button to try again carries the request (and the alert it came from); `keep`
    (the preview, with its Apply) is shown again under the failure when nothing was written."""
    about = f"Ticket #{ticket_id}: " if ticket_id else ""
    if failed.changed is None:
        state = "It could not be confirmed whether the ticket changed: check it before retrying."
    elif failed.changed:
        state = "The ticket was changed."
    else:
        state = "Nothing was changed."
    text = f":warning: {about}{escape(failed.message)}"
    if state not in failed.message:
        text += f"\n{state}"
    parts = [section(text)]
    if retry is not None and failed.changed is False:
        value = values.encode_ticket(retry.ticket_id, retry, request_id, alert_ts)
        parts.append({"type": "actions", "elements": [button("Try again", RETRY, value)]})
    if keep and failed.changed is False:
        parts.extend(keep)
    return message(f"{about}{failed.message}", parts)


def stale(
    changed: Stale, user_id: str, request_id: str | None = None, alert_ts: str | None = None
) -> dict[str, Any]:
    result = changed.fresh
    ticket_id = result.snapshot.ticket.id
    if isinstance(result.outcome, Plan) and result.outcome.already_correct:
        # Most often a second click, or another agent, applying the same fix a moment earlier.
        text = (
            f":white_check_mark: Nothing was written: ticket "
            f"{ticket_link(ticket_id, result.url)} already shows this correction (just applied "
            f"from another click, or by hand). Checked by {mention(user_id)}."
        )
        return message(f"Ticket #{ticket_id} is already correct", [section(text)])
    fresh = preview(result, user_id, request_id, alert_ts)
    note = section(f":arrows_counterclockwise: {changed.reason} Here is how it looks now:")
    return message(
        f"Ticket #{result.snapshot.ticket.id} changed: fresh preview", [note, *fresh["blocks"]]
    )


def notice(text: str) -> dict[str, Any]:
    """A short message with text the bot wrote (already safe); used for ephemerals and DMs."""
    return message(text, [section(text)])


HELP = (
    "*/partner-fix* corrects a ticket an Open Partner raised for a customer.\n"
    "• `/partner-fix https://gitlab.zendesk.com/agent/tickets/123456` (or `123456`, `#123456`): "
    "opens the form with the ticket and a suggested scenario.\n"
    "• On any message with a ticket link: *More actions → Partner fix*.\n"
    "• Submit shows a preview in a thread with *Apply* / *Cancel*; nothing changes before Apply. "
    "The summary has *Undo*.\n"
    "Scenarios: "
    + "; ".join(f"*{SCENARIOS[s].title}* (`{s.value}`)" for s in Scenario)
    + ".\nThe bot never puts a customer on a partner's organization, or the reverse."
)
