"""The words the bot writes about a plan: the internal note in Zendesk and the summary lines.

Shared by the command line and Slack so both tell the same story.
"""

from __future__ import annotations

from bot.domain.models import Snapshot, User
from bot.domain.planning import Plan, describe_org, describe_org_id, describe_user
from bot.domain.scenarios import SCENARIOS
from bot.domain.suggesting import asks_for_cc


def change_lines(plan: Plan) -> list[str]:
    return [f"{c.label}: {c.before} → {c.after}" for c in plan.changes]


def internal_note(plan: Plan, requested_by: str, request_id: str) -> str:
    """The internal (non-public) note that goes with the one update."""
    info = SCENARIOS[plan.scenario]
    if plan.undo:
        head = f"partner-fix undid its correction, as asked by {requested_by}."
    else:
        head = f"partner-fix corrected this Open Partner ticket, as asked by {requested_by}."
    lines = [
        head,
        f"Scenario: {info.title}. {info.situation}",
        f"Subscription: {plan.subscription}. Support talks to: {plan.contact}.",
        "Changes:",
        *(f"- {line}" for line in change_lines(plan)),
        f"Request id: {request_id}",
    ]
    return "\n".join(lines)


def summary_lines(plan: Plan, large_files_url: str | None = None) -> list[str]:
    """What the team reads once the fix is applied: the scenario and what it means, and for
    the customer scenarios how the customer can send Support files."""
    info = SCENARIOS[plan.scenario]
    lines = [
        f"Scenario: {info.title}",
        f"Whose subscription: {plan.subscription}",
        f"Support talks to: {plan.contact}",
    ]
    if info.customer_is_requester and not plan.undo:
        files = "Files: the customer can attach them to the ticket (up to 20 MB each)"
        lines.append(
            f"{files}; larger ones through {large_files_url}" if large_files_url else files
        )
    return lines


def ticket_facts(snapshot: Snapshot) -> list[tuple[str, str]]:
    """The ticket's current state as (label, value) pairs, for the modal and the command line."""
    ticket = snapshot.ticket
    rules = snapshot.rules

    def person(user: User | None) -> str:
        if user is None:
            return "unknown"
        orgs = snapshot.orgs_of(user)
        where = ", ".join(
            describe_org(o) + (" · partner" if snapshot.is_partner_org(o) else "") for o in orgs
        )
        missing = [describe_org_id(snapshot, i) for i in snapshot.unknown_orgs_of(user)]
        where = ", ".join(filter(None, [where, *missing]))
        return f"{describe_user(user)} — {where or 'no organization'}"

    form = (
        "Open Partner" if ticket.form_id == rules.partner_form_id else str(ticket.form_id or "none")
    )
    org = snapshot.ticket_organization
    return [
        ("Subject", ticket.subject or "(no subject)"),
        ("Status", ticket.status),
        ("Form", form),
        ("Requester", person(snapshot.requester)),
        ("Submitter", person(snapshot.submitter)),
        (
            "Organization",
            describe_org_id(snapshot, ticket.organization_id)
            + (" · partner" if snapshot.is_partner_org(org) else ""),
        ),
        ("Organization Email (partners)", ticket.org_email or "(empty)"),
        # Only what asks for CC: the older Partner troubleshooting field mostly holds notes.
        ("CC request", " / ".join(v for v in ticket.cc_requests if asks_for_cc(v)) or "(none)"),
    ]
