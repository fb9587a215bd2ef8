"""Block Kit builders: one pure function per message kind, from domain values to Slack JSON.

Every piece of text that came from a person or from Zendesk goes through `escape` before it is
put into mrkdwn, and every text is clipped to Slack's limits, so no message breaks Slack.
"""

from __future__ import annotations

import re
from typing import Any

from bot.domain.finding import Finding
from bot.domain.planning import FixRequest, Inquiry, Plan, Refusal
from bot.domain.scenarios import SCENARIOS, Scenario
from bot.domain.wording import summary_lines, ticket_facts
from bot.fixes import Done, Failed, Look, Preview, Stale
from bot.slack import values

Block = dict[str, Any]

MODAL_CALLBACK = "partner_fix_modal"
APPLY = "partner_fix_apply"
CANCEL = "partner_fix_cancel"
UNDO = "partner_fix_undo"
PICK_ORG = "partner_fix_pick_org"
RETRY = "partner_fix_retry"

SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
CONTEXT_LIMIT = 2000
PLAIN_LIMIT = 75  # button and option labels
HINT_LIMIT = 150
TITLE_LIMIT = 24  # modal title, submit and close
INPUT_VALUE_LIMIT = 3000
# Slack cuts a message's text at 40,000; the fallback needs far less.
MESSAGE_TEXT_LIMIT = 3000
MAX_FIELDS = 10
MAX_ORG_CHOICES = 3

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")


def escape(text: str) -> str:
    """The one mrkdwn escape: `<!channel>` typed into a ticket is shown, never executed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


ELLIPSIS = "…"
# What a cut may leave at the end that mrkdwn would show broken: half an entity (`&am`), half a
# mention or link (`<@U12`, `<https://…|#12`). Every `&` and `<` in the text is one of these,
# since `escape` turned the ones people typed into entities.
_CUT_ENTITY = re.compile(r"&[a-z]{0,3}$")
_CUT_LINK = re.compile(r"<[^<>]*$")


def slack_length(text: str) -> int:
    """Text as long as Slack may count it: its limits are reported in code points, UTF-16 units
    or UTF-8 bytes, so the largest of the three (for any text, the UTF-8 bytes) is the safe one."""
    utf16 = len(text.encode("utf-16-le", "surrogatepass")) // 2
    return max(len(text), utf16, len(text.encode("utf-8", "surrogatepass")))


def clip(text: str, limit: int) -> str:
    """The one clipping for every Block Kit text: at most `limit` by `slack_length`, cut between
    characters (a surrogate pair or an entity stays whole), ending in an ellipsis when cut."""
    if slack_length(text) <= limit:
        return text
    budget = limit - slack_length(ELLIPSIS)
    end = used = 0
    for char in text:
        used += slack_length(char)
        if used > budget:
            break
        end += 1
    head = text[:end]
    if head and "\ud800" <= head[-1] <= "\udbff":  # a lone high surrogate: its pair was cut
        head = head[:-1]
    head = _CUT_ENTITY.sub("", _CUT_LINK.sub("", head))
    return head + ELLIPSIS


def mention(user_id: str) -> str:
    # Only a well-formed Slack user id becomes a mention; anything else is shown as text.
    return f"<@{user_id}>" if _USER_ID.match(user_id) else escape(user_id)


def ticket_link(ticket_id: int, url: str) -> str:
    return f"<{url}|#{ticket_id}>"


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, CONTEXT_LIMIT)}]}


def plain(text: str, limit: int = PLAIN_LIMIT) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    element: Block = {"type": "button", "text": plain(text), "action_id": action_id, "value": value}
    if style:
        element["style"] = style
    return element


def message(text: str, blocks: list[Block]) -> dict[str, Any]:
    """A message: `text` is the notification fallback, plain words, escaped here like the rest."""
    return {"text": clip(escape(text), MESSAGE_TEXT_LIMIT), "blocks": blocks[:50]}


# The modal


def modal(
    context_value: values.ModalContext,
    ticket_text: str = "",
    look: Look | None = None,
    problem: str | None = None,
    loading: bool = False,
) -> dict[str, Any]:
    suggestion = look.suggestion if look else None
    prefill = look.customer_email if look else None
    blocks: list[Block] = []
    if context_value.note:
        blocks.append(context(escape(context_value.note)))
    ticket_input: Block = {
        "type": "plain_text_input",
        "action_id": "ticket",
        "placeholder": plain("https://gitlab.zendesk.com/agent/tickets/123456 or 123456"),
    }
    if ticket_text:
        ticket_input["initial_value"] = clip(ticket_text, INPUT_VALUE_LIMIT)
    blocks.append(
        {"type": "input", "block_id": "ticket", "label": plain("Ticket"), "element": ticket_input}
    )
    if loading:
        blocks.append(context(":hourglass_flowing_sand: Reading the ticket from Zendesk…"))
    if problem:
        blocks.append(context(f":warning: {escape(problem)}"))
    if look:
        blocks.extend(_facts(look))
    options = [_scenario_option(s) for s in Scenario]
    radio: Block = {"type": "radio_buttons", "action_id": "scenario", "options": options}
    if suggestion:
        radio["initial_option"] = _scenario_option(suggestion.scenario)
    label = "Scenario"
    if suggestion:
        label = f"Scenario (suggested: {SCENARIOS[suggestion.scenario].title})"
    blocks.append(
        {"type": "input", "block_id": "scenario", "label": plain(label), "element": radio}
    )
    if suggestion:
        blocks.append(context(f"Why: {escape(suggestion.reason)}"))
    if look and look.finding:
        blocks.append(_finding(look.finding))
    customer: Block = {
        "type": "email_text_input",
        "action_id": "customer_email",
        "placeholder": plain("customer@example.com"),
    }
    if prefill and _looks_like_email(prefill):
        customer["initial_value"] = prefill
    blocks.append(
        {
            "type": "input",
            "block_id": "customer_email",
            "optional": True,
            "label": plain("Customer's email"),
            "hint": plain(
                "For the two customer scenarios. Pre-filled when the ticket names a customer, "
                "or the bot found the one the partner meant.",
                HINT_LIMIT,
            ),
            "element": customer,
        }
    )
    blocks.append(
        {
            "type": "input",
            "block_id": "partner_email",
            "optional": True,
            "label": plain("Partner's email"),
            "hint": plain(
                "The partner to CC or make requester. Defaults to the submitter.", HINT_LIMIT
            ),
            "element": {
                "type": "email_text_input",
                "action_id": "partner_email",
                "placeholder": plain("partner@example.com"),
            },
        }
    )
    return {
        "type": "modal",
        "callback_id": MODAL_CALLBACK,
        "title": plain("Partner fix", TITLE_LIMIT),
        "submit": plain("Preview", TITLE_LIMIT),
        "close": plain("Cancel", TITLE_LIMIT),
        "private_metadata": values.encode_context(context_value),
        "blocks": blocks,
    }


def modal_problem(context_value: values.ModalContext, reason: str) -> dict[str, Any]:
    """The modal when Slack refused to show the filled one: what went wrong, nothing else that
    could fail again (no inputs, so no submit)."""
    text = (
        f":warning: Slack refused to show the ticket in this form ({escape(reason)}). "
        "Nothing was changed: close this and run /partner-fix again."
    )
    return {
        "type": "modal",
        "callback_id": MODAL_CALLBACK,
        "title": plain("Partner fix", TITLE_LIMIT),
        "close": plain("Close", TITLE_LIMIT),
        "private_metadata": values.encode_context(context_value),
        "blocks": [section(text)],
    }


def _finding(finding: Finding) -> Block:
    """The finder's sentence, and the candidates when none is clearly the one."""
    lines = [f":mag: {escape(finding.line)}"]
    if finding.clear is None:
        lines += [f"• {escape(c.describe())}" for c in finding.candidates]
    return context("\n".join(lines))


def _looks_like_email(text: str) -> bool:
    return bool(re.fullmatch(r"[^@\s]{1,64}@[^@\s]{1,189}\.[A-Za-z]{2,24}", text))


def _scenario_option(scenario: Scenario) -> Block:
    info = SCENARIOS[scenario]
    return {
        "text": plain(info.title),
        "value": scenario.value,
        "description": plain(f"Subscription: {info.subscription}. Talks to: {info.contact}."),
    }


def _facts(look: Look) -> list[Block]:
    facts = ticket_facts(look.snapshot)
    fields = [
        {"type": "mrkdwn", "text": clip(f"*{label}*\n{escape(value)}", FIELD_LIMIT)}
        for label, value in facts[1:]
    ]
    subject = escape(facts[0][1])
    head = f"*{ticket_link(look.snapshot.ticket.id, look.url)}* {subject}"
    return [{**section(head), "fields": fields[:MAX_FIELDS]}]


# Thread messages


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
    buttons.extend(_org_choices(result.request, outcome, request_id))
    blocks = [
        section(header + hint),
        *_plan_blocks(outcome),
        {"type": "actions", "block_id": "partner_fix_preview", "elements": buttons},
    ]
    return message(f"Preview for ticket #{ticket_id}", blocks)


def _org_choices(request: FixRequest, plan: Plan, request_id: str | None) -> list[Block]:
    others = [c for c in plan.organization_choices if c[0] != plan.organization_id]
    return [
        button(
            f"Use {name}",
            f"{PICK_ORG}_{index}",
            values.encode_ticket(
                plan.ticket_id, request.model_copy(update={"organization_id": oid})
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
) -> dict[str, Any]:
    """What went wrong and whether the ticket changed. Nothing the person asked is lost: with
    `retry`, a button to try again carries the request; `keep` (the preview, with its Apply) is
    shown again under the failure when nothing was written."""
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
        value = values.encode_ticket(retry.ticket_id, retry, request_id)
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
