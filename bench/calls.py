"""`calls`: Zendesk requests per correction, by scenario, counted from the stand-in's request log.

Through Slack (the real bot under gunicorn): the modal's look at the ticket, the preview, Apply,
and (for reference) Undo. Through the command-line path (`fixes.preview` + `fixes.apply` +
`fixes.undo`, as `python -m bot fix` and `undo` run them, in this process). The floor is what a
correction cannot do without now that the rule is judged at the moment of writing: the facts the
plan rests on, read for the preview and read again by Apply (memberships and organization tags
and fields change without touching the ticket, so `safe_update` cannot see them), then one PUT.
The facts are one read of the ticket (its people and their default organizations sideloaded),
one user search per email the request names, and one organizations list per person the rule
judges whom a sideloaded partner organization does not already prove a partner's (the customer,
always: only every membership can show someone is no partner's).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from bench.engineer import Engineer, FlowError
from bench.report import Section, section, table
from bench.stack import TEMPLATES, Correction, Stack
from bot.config import Settings
from bot.domain.models import Organization, ProcessRules
from bot.domain.planning import FixRequest, Plan
from bot.domain.scenarios import SCENARIOS, Scenario
from bot.fixes import Done, Preview
from bot.ports import Trace
from bot.slack.blocks import UNDO
from bot.wiring import build_fixes
from standins.zendesk.world import Organization as StandInOrganization

KINDS = (
    (r"GET /api/v2/tickets/\d+(\.json)?", "ticket"),
    (r"GET /api/v2/tickets/\d+/audits(\.json)?", "audits"),
    (r"GET /api/v2/users/me(\.json)?", "users/me"),
    (r"GET /api/v2/users/search(\.json)?", "search"),
    (r"GET /api/v2/users/show_many(\.json)?", "user"),
    (r"GET /api/v2/users/\d+(\.json)?", "user"),
    (r"GET /api/v2/users/\d+/organizations(\.json)?", "user orgs"),
    (r"GET /api/v2/organizations/show_many(\.json)?", "orgs"),
    (r"PUT /api/v2/tickets/\d+(\.json)?", "PUT"),
)
# Read once per process (the bot's own Zendesk user): through Slack, whether the worker that takes
# the Undo click has read it yet is chance, so it is left out of that count and said apart.
ONCE_PER_PROCESS = "users/me"


def _kind(request: dict[str, Any]) -> str:
    said = f"{request['method']} {request['path']}"
    return next((name for pattern, name in KINDS if re.fullmatch(pattern, said)), said)


def _phase(stack: Stack) -> list[str]:
    """The requests since the last call, by kind, and forget them."""
    kinds = [_kind(r) for r in stack.zendesk.requests()]
    stack.zendesk.clear_requests()
    return kinds


def _words(kinds: list[str]) -> str:
    counts = Counter(kinds)
    return " + ".join(f"{n} {k}" if n > 1 else k for k, n in counts.items()) or "none"


def facts(stack: Stack, correction: Correction) -> int:
    """The reads one look at the facts of a plan cannot do without (see the module's doc)."""
    info = SCENARIOS[Scenario(correction.scenario)]
    emails = 1 if info.customer_is_requester and correction.customer_email else 0
    # The submitter (the partner by default) needs their organizations read unless their
    # sideloaded default organization is a partner's.
    submitter = stack.zendesk.ticket(correction.ticket_id)["submitter_id"]
    orgs = stack.zendesk.world.organization_ids_of(submitter)
    proven = bool(orgs) and _is_partner_org(stack.zendesk.world.organizations[orgs[0]])
    return 1 + emails + emails + (0 if proven else 1)


def _is_partner_org(raw: StandInOrganization) -> bool:
    org = Organization(
        id=raw.id,
        name=raw.name,
        tags=frozenset(raw.tags),
        account_type=raw.organization_fields.get("account_type"),
    )
    return ProcessRules().is_partner_org(org)


def floor(stack: Stack, correction: Correction) -> int:
    """Preview and Apply each read the facts; then one PUT."""
    return 2 * facts(stack, correction) + 1


def _counted(kinds: list[str]) -> int:
    return len([k for k in kinds if k != ONCE_PER_PROCESS])


def through_slack(stack: Stack, correction: Correction) -> dict[str, Any]:
    stack.zendesk.reset()
    stack.slack.reset()
    user, channel = stack.people[0]
    engineer = Engineer(stack.slack, user, channel)
    slack_since = engineer.mark()
    view_id = engineer.command(str(correction.ticket_id))
    look = _phase(stack)
    preview = engineer.preview(view_id, correction)
    previewed = _phase(stack)
    problem = engineer.apply(preview)
    if problem is not None:
        raise FlowError(f"Apply on {correction.ticket_id}: {problem}")
    applied = _phase(stack)
    slack_calls = len(stack.slack.calls()) - slack_since
    since = engineer.mark()
    stack.slack.click_button(user, channel, None, UNDO)
    engineer.wait_call(
        since,
        "chat.postMessage",
        lambda c: (
            c["args"].get("thread_ts") == preview.thread_ts
            and "undone" in str(c["args"].get("text")).lower()
        ),
    )
    undone = _phase(stack)
    return {
        "look": look,
        "preview": previewed,
        "apply": applied,
        "undo": undone,
        "slack": slack_calls,
    }


def through_cli(stack: Stack, correction: Correction) -> dict[str, Any]:
    stack.zendesk.reset()
    email, token = stack.zendesk.credentials
    settings = Settings.model_validate(
        {
            "ZENDESK_URL": stack.zendesk.url,
            "ZENDESK_SUBDOMAIN": "gitlab",
            "ZENDESK_EMAIL": email,
            "ZENDESK_API_TOKEN": token,
        }
    )
    fixes = build_fixes(settings)
    request = FixRequest(
        ticket_id=correction.ticket_id,
        scenario=Scenario(correction.scenario),
        customer_email=correction.customer_email,
    )
    trace = Trace(request_id="bench-calls", requested_by="python -m bench calls")
    result = fixes.preview(request)
    if not isinstance(result, Preview) or not isinstance(result.outcome, Plan):
        raise FlowError(f"fixes.preview on {correction.ticket_id}: {result}")
    previewed = _phase(stack)
    done = fixes.apply(result.outcome, request, trace)
    if not isinstance(done, Done):
        raise FlowError(f"fixes.apply on {correction.ticket_id}: {done}")
    applied = _phase(stack)
    undone = fixes.undo(correction.ticket_id, trace, trace.request_id)
    if not isinstance(undone, Done):
        raise FlowError(f"fixes.undo on {correction.ticket_id}: {undone}")
    return {"preview": previewed, "apply": applied, "undo": _phase(stack)}


def run(quick: bool) -> Section:
    # Already quick: --quick changes nothing here.
    rows, details = [], []
    with Stack(people=1) as stack:
        stack.warm_up()
        for correction in TEMPLATES:
            slack = through_slack(stack, correction)
            stack.zendesk.reset()
            least = floor(stack, correction)
            cli = through_cli(stack, correction)
            slack_total = len(slack["look"]) + len(slack["preview"]) + len(slack["apply"])
            cli_total = len(cli["preview"]) + len(cli["apply"])
            rows.append(
                [
                    f"{correction.scenario} (#{correction.ticket_id})",
                    len(slack["look"]),
                    len(slack["preview"]),
                    len(slack["apply"]),
                    slack_total,
                    len(cli["preview"]),
                    len(cli["apply"]),
                    cli_total,
                    least,
                    _counted(slack["undo"]),
                    len(cli["undo"]),
                    slack["slack"],
                ]
            )
            details.append(
                f"- {correction.scenario} (#{correction.ticket_id}): look = "
                f"{_words(slack['look'])}; preview = {_words(slack['preview'])}; "
                f"apply = {_words(slack['apply'])}; undo = {_words(slack['undo'])}; "
                f"CLI = {_words(cli['preview'])}, then {_words(cli['apply'])}, "
                f"undo = {_words(cli['undo'])}"
            )
    header = [
        "scenario (ticket)",
        "Slack: look",
        "preview",
        "Apply",
        "total",
        "CLI: preview",
        "apply",
        "total",
        "floor",
        "Undo (Slack)",
        "Undo (CLI)",
        "Slack API calls",
    ]
    body = (
        "Zendesk requests for one correction, counted from the Zendesk stand-in's request log (the "
        "stand-in is reset before each). Slack: `/partner-fix <id>` (the modal reads the ticket "
        "to show it), submit (the preview reads what the plan rests on: the ticket with its "
        "people and their default organizations, the customer by email, and the customer's "
        "whole list of organizations, since sideloads give the default one only), Apply (reads "
        "all of that again, because memberships and organization tags and fields change "
        "without touching the ticket and so without `safe_update` seeing it, plans again, and "
        "sends the PUT only if the fresh plan is the previewed one); Undo is extra. CLI: "
        "`fixes.preview` + `fixes.apply` (+ `fixes.undo`), the same requests. Floor: those "
        "facts read twice (preview, Apply) + one PUT, where the facts are one ticket read with "
        "sideloads + one search per email named + one organizations list per person the rule "
        "judges who is not already proven a partner's by a sideloaded partner organization "
        "(the customer: only every membership shows someone is no partner's). Undo: the "
        "ticket's audits (only the bot's own Zendesk user's count, so `users/me` is read once "
        "per process first), the ticket, the person it would restore with their organizations "
        "when the fix changed the requester and a sideload does not already prove them a "
        "partner's, and the PUT; through Slack `users/me` is left out of the count (whether "
        "the worker that takes the click has read it yet is chance), the CLI column counts it "
        "(a fresh process). Slack API calls: what the bot called on the Slack side for look + "
        "preview + Apply.\n\n"
        f"{table(header, rows)}\n\n"
        "The requests, in order:\n" + "\n".join(details) + "\n"
    )
    return section("calls", "calls: Zendesk requests per correction", quick, body)
