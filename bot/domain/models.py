"""What one decision is made of: the ticket, the people and organizations around it.

Frozen values, built by the Zendesk gateway from what Zendesk answered. Nothing here reads
anything: the rules of the process (which tags mark a partner, which fields matter) arrive as
`ProcessRules` inside the `Snapshot`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProcessRules(Frozen):
    """GitLab's identifiers for the Open Partner process (settings, passed in)."""

    partner_org_tags: frozenset[str] = frozenset(
        {"open_partner", "select_partner", "alliance_partner"}
    )
    # Values of the organization field (ZENDESK_PARTNER_ORG_FIELD) that GitLab's Salesforce sync
    # sets on partner organizations; an untagged organization marked there is a partner's too.
    partner_org_values: frozenset[str] = frozenset(
        {"open_partner", "select_partner", "alliance_partner"}
    )
    partner_form_id: int = 360000818199

    def is_partner_org(self, org: Organization) -> bool:
        kind = (org.account_type or "").strip().lower()
        return bool(org.tags & self.partner_org_tags) or kind in self.partner_org_values


class Organization(Frozen):
    id: int
    name: str
    tags: frozenset[str] = frozenset()
    plan: str | None = None
    # The organization field that says what kind of account it is (ZENDESK_PARTNER_ORG_FIELD).
    account_type: str | None = None
    domain_names: tuple[str, ...] = ()


class User(Frozen):
    id: int
    name: str
    email: str | None = None
    role: str = "end-user"
    # The organizations the user belongs to, the default one first.
    organization_ids: tuple[int, ...] = ()
    # True only when `organization_ids` is every membership, read from the user's own list.
    # Zendesk's sideloads give a user's default organization alone, so a user read through one
    # may belong to more organizations than this shows.
    memberships_complete: bool = False

    @property
    def is_staff(self) -> bool:
        return self.role in {"agent", "admin"}


class Ticket(Frozen):
    id: int
    subject: str = ""
    description: str = ""
    status: str
    form_id: int | None = None
    requester_id: int
    submitter_id: int | None = None
    organization_id: int | None = None
    email_cc_ids: tuple[int, ...] = ()
    # "Organization Email (partners)" as the partner typed it.
    org_email: str | None = None
    # The partner form's Customer Name and Organization Name fields, as typed.
    customer_name: str | None = None
    customer_org: str | None = None
    # What the partner wrote in the fields where they ask to be CC'd (Request for CCs, ...).
    cc_requests: tuple[str, ...] = ()
    # The safe_update stamp: the `updated_at` this snapshot saw.
    updated_at: str
    url: str | None = None

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"


class Snapshot(Frozen):
    """Everything one decision about one ticket needs, read at one moment."""

    ticket: Ticket
    users: tuple[User, ...] = ()
    organizations: tuple[Organization, ...] = ()
    # Emails looked up for this decision (lowercased) -> user id, or None when Zendesk has no
    # such user. An email that was not looked up is absent.
    emails: dict[str, int | None] = {}
    rules: ProcessRules = ProcessRules()

    def user(self, user_id: int | None) -> User | None:
        return next((u for u in self.users if u.id == user_id), None)

    def organization(self, org_id: int | None) -> Organization | None:
        return next((o for o in self.organizations if o.id == org_id), None)

    def user_by_email(self, email: str) -> User | None:
        return self.user(self.emails.get(email.strip().lower()))

    def is_partner_org(self, org: Organization | None) -> bool:
        return org is not None and self.rules.is_partner_org(org)

    def orgs_of(self, user: User) -> tuple[Organization, ...]:
        found = (self.organization(org_id) for org_id in user.organization_ids)
        return tuple(org for org in found if org is not None)

    def is_partner(self, user: User) -> bool | None:
        """Whether `user` is a partner user: True on one partner organization seen, False only
        when every membership is known and none is a partner's, None when that is not known."""
        if self.partner_orgs_of(user):
            return True
        if user.memberships_complete and len(self.orgs_of(user)) == len(user.organization_ids):
            return False
        return None

    def unknown_orgs_of(self, user: User) -> tuple[int, ...]:
        """The user's organizations this snapshot does not hold."""
        return tuple(i for i in user.organization_ids if self.organization(i) is None)

    def partner_orgs_of(self, user: User) -> tuple[Organization, ...]:
        return tuple(org for org in self.orgs_of(user) if self.is_partner_org(org))

    def customer_orgs_of(self, user: User) -> tuple[Organization, ...]:
        return tuple(org for org in self.orgs_of(user) if not self.is_partner_org(org))

    @property
    def requester(self) -> User | None:
        return self.user(self.ticket.requester_id)

    @property
    def submitter(self) -> User | None:
        return self.user(self.ticket.submitter_id)

    @property
    def ticket_organization(self) -> Organization | None:
        return self.organization(self.ticket.organization_id)
