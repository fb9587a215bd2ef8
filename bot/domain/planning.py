"""plan(snapshot, request) -> Plan | Refusal | Inquiry, and the never-cross-associate guard.

A refusal is a business outcome, returned as a value, in plain words: which rule, which person,
which organization. Only a `Plan` is ever written to Zendesk, and every plan passes `guard`, which
fails closed on anything the snapshot does not hold completely.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from bot.domain.models import Frozen, Organization, Snapshot, User
from bot.domain.scenarios import SCENARIOS, Scenario, ScenarioInfo

# Deliberately simple: Zendesk is the judge of which addresses exist; this only catches typing
# slips early so the agent gets a clear message instead of "unknown user".
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
MAX_EMAIL_LENGTH = 254


def valid_email(text: str) -> bool:
    return len(text) <= MAX_EMAIL_LENGTH and bool(_EMAIL.match(text))


def email_domain(email: str | None) -> str | None:
    return email.rsplit("@", 1)[1].lower() if email and "@" in email else None


class FixRequest(Frozen):
    """What the agent asked for."""

    ticket_id: int
    scenario: Scenario
    customer_email: str | None = None
    # The partner to CC (services engagement) or to make requester; default: the submitter.
    partner_email: str | None = None
    # The customer organization the agent picked, when the customer is in several.
    organization_id: int | None = None


class Correction(Frozen):
    """What one write changes, as (before, after) pairs: enough to describe and to reverse it."""

    requester: tuple[int, int] | None = None
    organization: tuple[int | None, int | None] | None = None
    org_email: tuple[str | None, str | None] | None = None
    cc_added: int | None = None
    cc_removed: int | None = None


ChangedField = Literal["requester", "organization", "org_email", "cc"]


class Change(Frozen):
    field: ChangedField
    label: str
    before: str
    after: str


class Plan(Frozen):
    """The one update that corrects the ticket (or undoes a correction)."""

    ticket_id: int
    scenario: Scenario
    # The safe_update stamp: the ticket's updated_at that this plan was made from.
    updated_at: str
    correction: Correction
    # The organization the ticket ends on (sent with any requester change).
    organization_id: int | None
    changes: tuple[Change, ...]
    # Whose subscription applies and who Support talks to, named.
    subscription: str
    contact: str
    notes: tuple[str, ...] = ()
    # The customer's other organizations the agent could pick instead (id, name).
    organization_choices: tuple[tuple[int, str], ...] = ()
    undo: bool = False

    @property
    def already_correct(self) -> bool:
        return not self.changes


class Refusal(Frozen):
    rule: str
    message: str


class Inquiry(Frozen):
    """The `unsure` outcome: nothing is written; these are the questions to ask the partner."""

    ticket_id: int
    questions: tuple[str, ...]
    partner: str


Outcome = Plan | Refusal | Inquiry


def describe_user(user: User | None) -> str:
    if user is None:
        return "nobody"
    if user.email and user.email.lower() != user.name.lower():
        return f"{user.name} ({user.email})"
    return user.name


def describe_org(org: Organization | None) -> str:
    if org is None:
        return "no organization"
    return f"{org.name} ({org.plan})" if org.plan else org.name


def describe_org_id(snapshot: Snapshot, org_id: int | None) -> str:
    """An organization by id: an id the snapshot does not hold is named, never "no organization"."""
    if org_id is None:
        return "no organization"
    org = snapshot.organization(org_id)
    return describe_org(org) if org is not None else f"organization {org_id}"


def _unread(what: str, question: str) -> Refusal:
    """What the snapshot does not hold is never taken as allowed: refused, to be tried again."""
    return Refusal(
        rule="facts_incomplete",
        message=f"partner-fix could not read {what}, so it cannot tell whether {question}. "
        "Nothing was changed; try again.",
    )


def _incomplete(user: User) -> Refusal:
    return _unread(f"every organization of {describe_user(user)}", "they are a partner's user")


def raising_orgs(snapshot: Snapshot) -> tuple[Organization, ...] | None:
    """The partner organization that raised the ticket: the submitter's partner organizations,
    else the ticket's own organization when that is a partner's. None when the submitter's
    organizations are not all known, so that it can't be told."""
    submitter = snapshot.submitter
    if submitter is not None and not submitter.is_staff:
        is_partner = snapshot.is_partner(submitter)
        if is_partner is None:
            return None
        if is_partner:
            return snapshot.partner_orgs_of(submitter)
    org = snapshot.ticket_organization
    return (org,) if org is not None and snapshot.is_partner_org(org) else ()


def _who_to_ask(snapshot: Snapshot) -> str:
    """The partner the `unsure` questions go to: never a customer, even when one submitted."""
    submitter = snapshot.submitter
    if submitter is not None and snapshot.partner_orgs_of(submitter):
        return describe_user(submitter)
    raised_by = raising_orgs(snapshot)
    if raised_by:
        return f"the partner at {raised_by[0].name}"
    return "the partner who raised the ticket"


def _partner_for(snapshot: Snapshot, request: FixRequest) -> User | Refusal:
    """The partner named in the request, else the ticket's submitter; must be on a partner org."""
    if request.partner_email:
        if not valid_email(request.partner_email):
            return Refusal(
                rule="invalid_email",
                message=f"The partner email {request.partner_email!r} is not a valid address.",
            )
        partner = snapshot.user_by_email(request.partner_email)
        if partner is None:
            return Refusal(
                rule="partner_unknown",
                message=f"No Zendesk user has the partner email {request.partner_email}.",
            )
    else:
        partner = snapshot.submitter
        if partner is None:
            return Refusal(
                rule="partner_unknown",
                message="The ticket has no submitter to treat as the partner; give the partner's "
                "email.",
            )
    if partner.is_staff:
        return Refusal(
            rule="partner_is_staff",
            message=f"{describe_user(partner)} is a GitLab staff account, not a partner; give the "
            "partner's email.",
        )
    is_partner = snapshot.is_partner(partner)
    if is_partner is None:
        return _incomplete(partner)
    if not is_partner:
        orgs = ", ".join(o.name for o in snapshot.orgs_of(partner)) or "no organization"
        return Refusal(
            rule="partner_not_on_partner_org",
            message=f"{describe_user(partner)} is not on a partner organization (they are on "
            f"{orgs}), so they cannot be treated as the partner.",
        )
    return _same_company(snapshot, partner)


def _same_company(snapshot: Snapshot, partner: User) -> User | Refusal:
    """One partner company per ticket: the partner must belong to the one that raised it."""
    theirs = snapshot.partner_orgs_of(partner)
    raised_by = raising_orgs(snapshot)
    if raised_by is None:
        submitter = snapshot.submitter
        assert submitter is not None  # only a known submitter can leave it unknown
        return _incomplete(submitter)
    if not raised_by:
        return Refusal(
            rule="no_partner_raised",
            message=f"No partner organization raised ticket {snapshot.ticket.id} (neither its "
            "submitter nor its organization is a partner's), so partner-fix cannot tell which "
            f"partner company it belongs to and will not put {describe_user(partner)} on it.",
        )
    if not {o.id for o in theirs} & {o.id for o in raised_by}:
        return Refusal(
            rule="another_partner_company",
            message=f"{describe_user(partner)} is with {theirs[0].name}, but ticket "
            f"{snapshot.ticket.id} was raised by {raised_by[0].name}. A ticket belongs to one "
            "partner company: give the email of someone at "
            f"{raised_by[0].name}.",
        )
    return partner


def _customer_for(
    snapshot: Snapshot, request: FixRequest, partner: User | None
) -> tuple[User, Organization, tuple[str, ...], tuple[Organization, ...]] | Refusal:
    """The customer and the customer organization to put the ticket on, with notes."""
    email = (request.customer_email or "").strip()
    if not email:
        return Refusal(
            rule="customer_email_missing",
            message=f"The {request.scenario.value} scenario needs the customer's email.",
        )
    if not valid_email(email):
        return Refusal(
            rule="invalid_email", message=f"The customer email {email!r} is not a valid address."
        )
    customer = snapshot.user_by_email(email)
    if customer is None:
        return Refusal(
            rule="customer_unknown",
            message=f"No Zendesk user has the email {email}. Check it with the partner: the "
            "customer must already be a contact on their account.",
        )
    if customer.is_staff:
        return Refusal(
            rule="customer_is_staff",
            message=f"{describe_user(customer)} is a GitLab staff account, not a customer.",
        )
    is_partner = snapshot.is_partner(customer)
    if is_partner is None:
        return _incomplete(customer)
    partner_orgs = snapshot.partner_orgs_of(customer)
    if is_partner:
        return Refusal(
            rule="never_cross_associate",
            message=f"{describe_user(customer)} belongs to the partner organization "
            f"{partner_orgs[0].name}. A partner's user is never made the customer of a ticket "
            "(never associate a customer to a partner's organization, or vice versa).",
        )
    if partner is not None:
        domain = email_domain(customer.email)
        partner_domains = {email_domain(partner.email)} | {
            d.lower() for org in snapshot.partner_orgs_of(partner) for d in org.domain_names
        }
        if domain and domain in partner_domains:
            return Refusal(
                rule="customer_domain_is_partner",
                message=f"The customer email {customer.email} is on the partner's own domain "
                f"({domain}); that is a partner address, not the customer's.",
            )
    choices = snapshot.customer_orgs_of(customer)
    if not choices:
        return Refusal(
            rule="customer_without_org",
            message=f"{describe_user(customer)} is not on any customer organization in Zendesk, "
            "so the ticket cannot get the customer's support level. Ask Support Ops to check the "
            "account sync.",
        )
    notes: tuple[str, ...] = ()
    if request.organization_id is not None:
        chosen = next((o for o in choices if o.id == request.organization_id), None)
        if chosen is None:
            return Refusal(
                rule="organization_not_customers",
                message=f"Organization {request.organization_id} is not one of "
                f"{describe_user(customer)}'s customer organizations "
                f"({', '.join(o.name for o in choices)}).",
            )
    else:
        chosen = choices[0]
        if len(choices) > 1:
            others = ", ".join(o.name for o in choices[1:])
            notes = (
                f"{customer.name} is in {len(choices)} customer organizations; chose the default, "
                f"{chosen.name} (others: {others}). Pick another if that is wrong.",
            )
    return customer, chosen, notes, choices


def guard(snapshot: Snapshot, requester: User, org_id: int | None) -> Refusal | None:
    """Never a customer on a partner organization's ticket, nor a partner on a customer's.

    Fails closed: an organization the snapshot does not hold, or a requester whose memberships
    it does not know completely, is refused, never taken as allowed.
    """
    if org_id is None:
        return None  # no organization: nobody is associated with anyone's
    org = snapshot.organization(org_id)
    if org is None:
        return _unread(f"organization {org_id}", "it is a partner's")
    requester_is_partner = snapshot.is_partner(requester)
    if requester_is_partner is None:
        return _incomplete(requester)
    who = describe_user(requester)
    if org.id not in requester.organization_ids:
        why = f"{who} is not a member of {org.name}"
    elif requester_is_partner and not snapshot.is_partner_org(org):
        theirs = ", ".join(o.name for o in snapshot.partner_orgs_of(requester))
        why = f"{who} is a partner's user ({theirs}) and {org.name} is a customer organization"
    elif not requester_is_partner and snapshot.is_partner_org(org):
        why = f"{who} is a customer and {org.name} is a partner organization"
    else:
        return None
    return Refusal(
        rule="never_cross_associate",
        message=f"Putting {who} on {org.name}'s ticket would associate a customer with a "
        f"partner's organization, or the reverse: {why}. Nothing was changed.",
    )


def _changes(snapshot: Snapshot, correction: Correction) -> tuple[Change, ...]:
    """Each change in words, before -> after."""
    c = correction
    rows: list[tuple[ChangedField, str, str, str]] = []
    if c.requester:
        user_before, user_after = (describe_user(snapshot.user(i)) for i in c.requester)
        rows.append(("requester", "Requester", user_before, user_after))
    if c.organization:
        org_before, org_after = (describe_org_id(snapshot, i) for i in c.organization)
        rows.append(("organization", "Organization", org_before, org_after))
    if c.org_email:
        email_before, email_after = (value or "(empty)" for value in c.org_email)
        rows.append(("org_email", "Organization Email (partners)", email_before, email_after))
    if c.cc_added:
        rows.append(("cc", "CC", "not in CC", f"{describe_user(snapshot.user(c.cc_added))} added"))
    if c.cc_removed:
        rows.append(("cc", "CC", f"{describe_user(snapshot.user(c.cc_removed))} in CC", "removed"))
    return tuple(
        Change(field=field, label=label, before=before, after=after)
        for field, label, before, after in rows
    )


def plan(snapshot: Snapshot, request: FixRequest) -> Outcome:
    """Decide the one update that puts the ticket right for the chosen scenario."""
    ticket = snapshot.ticket
    info = SCENARIOS[request.scenario]
    if ticket.is_closed:
        return Refusal(
            rule="ticket_closed",
            message=f"Ticket {ticket.id} is closed; Zendesk does not allow changing it. Ask the "
            "customer to open a follow-up ticket.",
        )
    if not info.writes:
        return Inquiry(
            ticket_id=ticket.id,
            questions=info.questions,
            partner=_who_to_ask(snapshot),
        )
    partner = _partner_for(snapshot, request)
    if isinstance(partner, Refusal):
        return partner
    if info.customer_is_requester:
        return _plan_for_customer(snapshot, request, info, partner)
    return _plan_for_partner(snapshot, request, partner)


def _plan_for_customer(
    snapshot: Snapshot, request: FixRequest, info: ScenarioInfo, partner: User
) -> Plan | Refusal:
    ticket = snapshot.ticket
    found = _customer_for(snapshot, request, partner)
    if isinstance(found, Refusal):
        return found
    customer, org, notes, choices = found
    if customer.id == partner.id:
        return Refusal(
            rule="customer_is_partner",
            message=f"{describe_user(customer)} is both the customer and the partner.",
        )
    refusal = guard(snapshot, customer, org.id)
    if refusal:
        return refusal
    email = customer.email or (request.customer_email or "").strip()
    cc_added = (
        partner.id if info.adds_partner_cc and partner.id not in ticket.email_cc_ids else None
    )
    correction = Correction(
        **_moves(snapshot, customer, org),
        org_email=(ticket.org_email, email)
        if (ticket.org_email or "").strip().lower() != email.lower()
        else None,
        cc_added=cc_added,
    )
    contact = describe_user(customer)
    if info.adds_partner_cc:
        contact += f", with {describe_user(partner)} on CC"
    return _plan(
        snapshot,
        request.scenario,
        correction,
        org.id,
        f"{describe_org(org)}: the customer's",
        contact,
        notes=notes,
        organization_choices=tuple((o.id, o.name) for o in choices),
    )


def _plan(
    snapshot: Snapshot,
    scenario: Scenario,
    correction: Correction,
    organization_id: int | None,
    subscription: str,
    contact: str,
    *,
    notes: tuple[str, ...] = (),
    organization_choices: tuple[tuple[int, str], ...] = (),
    undo: bool = False,
) -> Plan:
    """The plan that writes `correction` over the ticket as read (its stamp), each change in
    words."""
    ticket = snapshot.ticket
    return Plan(
        ticket_id=ticket.id,
        scenario=scenario,
        updated_at=ticket.updated_at,
        correction=correction,
        organization_id=organization_id,
        changes=_changes(snapshot, correction),
        subscription=subscription,
        contact=contact,
        notes=notes,
        organization_choices=organization_choices,
        undo=undo,
    )


def _moves(snapshot: Snapshot, requester: User, org: Organization) -> dict[str, Any]:
    """The requester and organization changes (before, after) that put the ticket on them."""
    ticket = snapshot.ticket
    return {
        "requester": (ticket.requester_id, requester.id)
        if ticket.requester_id != requester.id
        else None,
        "organization": (ticket.organization_id, org.id)
        if ticket.organization_id != org.id
        else None,
    }


def _plan_for_partner(snapshot: Snapshot, request: FixRequest, partner: User) -> Plan | Refusal:
    raised_by = {o.id for o in raising_orgs(snapshot) or ()}
    # The partner's organization of the company that raised the ticket (default first).
    org = next(o for o in snapshot.partner_orgs_of(partner) if o.id in raised_by)
    refusal = guard(snapshot, partner, org.id)
    if refusal:
        return refusal
    correction = Correction(**_moves(snapshot, partner, org))
    subscription = f"{describe_org(org)}: the partner's"
    if request.scenario is Scenario.PARTNER_NFR:
        subscription = f"{org.name}: the partner's NFR licences"
    return _plan(
        snapshot, request.scenario, correction, org.id, subscription, describe_user(partner)
    )


def plan_undo(snapshot: Snapshot, done: Correction, scenario: Scenario) -> Plan | Refusal:
    """Reverse `done` if the ticket still holds what it set; refuse if someone changed it since."""
    ticket = snapshot.ticket
    if ticket.is_closed:
        return Refusal(
            rule="ticket_closed", message=f"Ticket {ticket.id} is closed; it cannot be changed."
        )
    drifted: list[str] = []
    if done.requester and ticket.requester_id != done.requester[1]:
        drifted.append("requester")
    if done.organization and ticket.organization_id != done.organization[1]:
        drifted.append("organization")
    if done.org_email and (ticket.org_email or "").lower() != (done.org_email[1] or "").lower():
        drifted.append("Organization Email (partners)")
    if done.cc_added and done.cc_added not in ticket.email_cc_ids:
        drifted.append("CC")
    if drifted:
        return Refusal(
            rule="changed_since_fix",
            message=f"Ticket {ticket.id} changed since the fix ({', '.join(drifted)} edited by "
            "someone else); undoing now would overwrite their change. Nothing was changed.",
        )
    reverse = Correction(
        requester=(done.requester[1], done.requester[0]) if done.requester else None,
        organization=(done.organization[1], done.organization[0]) if done.organization else None,
        org_email=(done.org_email[1], done.org_email[0]) if done.org_email else None,
        cc_removed=done.cc_added,
    )
    restored_id = reverse.requester[1] if reverse.requester else ticket.requester_id
    org_id = reverse.organization[1] if reverse.organization else ticket.organization_id
    restored = snapshot.user(restored_id)
    if restored is None:
        return Refusal(
            rule="facts_incomplete",
            message=f"partner-fix could not read user {restored_id}, who was the requester before "
            "the fix, so it cannot check the undo against the rule. Nothing was changed.",
        )
    refusal = guard(snapshot, restored, org_id)
    if refusal:
        return refusal
    return _plan(
        snapshot,
        scenario,
        reverse,
        org_id,
        "as before the fix",
        describe_user(restored),
        undo=True,
    )


def writes_of(plan: Plan) -> tuple[object, ...]:
    """What a plan sends to Zendesk, without the words that describe it."""
    c = plan.correction
    return (
        plan.ticket_id,
        plan.undo,
        plan.updated_at,
        c.requester[1] if c.requester else None,
        plan.organization_id if c.requester or c.organization else None,
        c.org_email[1] if c.org_email else None,
        c.cc_added,
        c.cc_removed,
    )


def holds(snapshot: Snapshot, target: Plan) -> bool:
    """Whether the ticket already shows every change of `target` (to settle a lost answer)."""
    ticket = snapshot.ticket
    c = target.correction
    return (
        (c.requester is None or ticket.requester_id == c.requester[1])
        and (
            not (c.requester or c.organization) or ticket.organization_id == target.organization_id
        )
        and (
            c.org_email is None
            or (ticket.org_email or "").lower() == (c.org_email[1] or "").lower()
        )
        and (c.cc_added is None or c.cc_added in ticket.email_cc_ids)
        and (c.cc_removed is None or c.cc_removed not in ticket.email_cc_ids)
    )
