"""The Zendesk gateway: read a Snapshot, write a Plan as one safe PUT, find the bot's last fix.

Reads that need sideloads (the ticket with its users and organizations, a user found by email with
all their organizations) fetch JSON through the same bounded session zenpy uses: with its cache
off, zenpy drops sideloaded records, and reading them ourselves keeps a snapshot to one request
per ticket and one per email. Writes and audit reads go through zenpy's object API.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from zenpy.lib.api_objects import Comment
from zenpy.lib.api_objects import Ticket as ZenpyTicket

from bot.domain.models import Organization, ProcessRules, Snapshot, Ticket, User
from bot.domain.planning import Correction, Plan
from bot.domain.scenarios import Scenario
from bot.ports import Applied, Fault, Recorded, Trace, ZendeskError
from bot.zendesk.client import ZendeskClients
from bot.zendesk.errors import from_status, translate

METADATA_KEY = "partner_fix"


@dataclass(frozen=True)
class FieldIds:
    org_email: int
    cc_requests: tuple[int, ...]
    plan_field: str


class ZendeskGateway:
    def __init__(self, clients: ZendeskClients, fields: FieldIds, rules: ProcessRules) -> None:
        self._clients = clients
        self._fields = fields
        self._rules = rules

    @property
    def base_url(self) -> str:
        return self._clients.base_url

    def ticket_url(self, ticket_id: int) -> str:
        return f"{self.base_url}/agent/tickets/{ticket_id}"

    # Reads

    def _get_json(self, path: str, params: dict[str, str], what: str) -> dict[str, Any]:
        try:
            response = self._clients.session().get(f"{self.base_url}/api/v2/{path}", params=params)
        except Exception as error:
            raise translate(error, what) from error
        if response.status_code != 200:
            try:
                body = response.json()
            except ValueError:
                body = {}
            raise from_status(response.status_code, body if isinstance(body, dict) else {}, what,
                              writing=False)  # fmt: skip
        try:
            data = response.json()
        except ValueError as error:
            raise ZendeskError(
                Fault.UNAVAILABLE, "Zendesk answered with something that is not JSON.", 200
            ) from error
        if not isinstance(data, dict):
            raise ZendeskError(Fault.UNAVAILABLE, "Zendesk answered unexpectedly.", 200)
        return data

    def snapshot(
        self, ticket_id: int, emails: Iterable[str] = (), user_ids: Iterable[int] = ()
    ) -> Snapshot:
        """The ticket, its people and their organizations, the users behind `emails`, and any
        other users named by id (with all their organizations).

        One request for the ticket (with sideloads), one per distinct email, two per extra user.
        """
        data = self._get_json(
            f"tickets/{ticket_id}.json", {"include": "users,organizations"}, f"ticket {ticket_id}"
        )
        ticket = self._ticket(data.get("ticket") or {})
        users = {u.id: u for u in map(self._user, data.get("users") or [])}
        orgs = {o.id: o for o in map(self._organization, data.get("organizations") or [])}
        self._complete_sideloads(ticket, users, orgs)
        found: dict[str, int | None] = {}
        # Users whose every organization is known (sideloads give only the default one).
        complete: set[int] = set()
        for email in dict.fromkeys(e.strip().lower() for e in emails if e and e.strip()):
            user, user_orgs = self._find_user(email)
            found[email] = user.id if user else None
            if user:
                complete.add(user.id)
                users[user.id] = user
                orgs.update((o.id, o) for o in user_orgs)
        for user_id in dict.fromkeys(user_ids):
            if user_id in complete:
                continue
            user, user_orgs = self._fetch_user(user_id)
            users[user.id] = user
            orgs.update((o.id, o) for o in user_orgs)
        return Snapshot(
            ticket=ticket,
            users=tuple(users.values()),
            organizations=tuple(orgs.values()),
            emails=found,
            rules=self._rules,
        )

    def _complete_sideloads(
        self, ticket: Ticket, users: dict[int, User], orgs: dict[int, Organization]
    ) -> None:
        """Fetch what the sideloads left out (a proxy or an older API may drop `include`).

        Costs nothing when Zendesk sideloaded everything, as it does.
        """
        wanted = [ticket.requester_id, ticket.submitter_id, *ticket.email_cc_ids]
        missing_users = [i for i in dict.fromkeys(wanted) if i and i not in users]
        if missing_users:
            for raw in self._show_many("users", missing_users):
                user = self._user(raw)
                users[user.id] = user
        wanted_orgs = [
            ticket.organization_id,
            *(o for u in users.values() for o in u.organization_ids),
        ]
        missing_orgs = [i for i in dict.fromkeys(wanted_orgs) if i and i not in orgs]
        if missing_orgs:
            for raw in self._show_many("organizations", missing_orgs):
                org = self._organization(raw)
                orgs[org.id] = org

    def _show_many(self, kind: str, ids: list[int]) -> list[dict[str, Any]]:
        data = self._get_json(
            f"{kind}/show_many.json", {"ids": ",".join(map(str, ids))}, f"{kind} {ids}"
        )
        found = data.get(kind)
        return found if isinstance(found, list) else []

    def _find_user(self, email: str) -> tuple[User | None, list[Organization]]:
        data = self._get_json(
            "users/search.json",
            {"query": f"email:{email}", "include": "organizations"},
            f"user with the email {email}",
        )
        found = data.get("users") or []
        matches = [u for u in found if _has_email(u, email)]
        if not matches:
            return None, []
        raw = matches[0]
        if len(found) == 1 and "organizations" in data:
            orgs = [self._organization(o) for o in data.get("organizations") or []]
        else:
            # Sideloaded organizations belong to every user found: only the user's own count.
            orgs = self._organizations_of(raw["id"])
        return self._user(raw, _default_first(orgs, raw.get("organization_id"))), orgs

    def _fetch_user(self, user_id: int) -> tuple[User, list[Organization]]:
        raw = self._get_json(f"users/{user_id}.json", {}, f"user {user_id}").get("user") or {}
        orgs = self._organizations_of(user_id)
        return self._user(raw, _default_first(orgs, raw.get("organization_id"))), orgs

    def _organizations_of(self, user_id: int) -> list[Organization]:
        data = self._get_json(
            f"users/{user_id}/organizations.json", {}, f"organizations of user {user_id}"
        )
        return [self._organization(o) for o in data.get("organizations") or []]

    def _ticket(self, raw: dict[str, Any]) -> Ticket:
        fields = {f.get("id"): f.get("value") for f in raw.get("custom_fields") or []}
        org_email = fields.get(self._fields.org_email)
        return Ticket(
            id=raw["id"],
            subject=raw.get("subject") or "",
            description=raw.get("description") or "",
            status=raw.get("status") or "open",
            form_id=raw.get("ticket_form_id"),
            requester_id=raw["requester_id"],
            submitter_id=raw.get("submitter_id"),
            organization_id=raw.get("organization_id"),
            email_cc_ids=tuple(raw.get("email_cc_ids") or ()),
            org_email=str(org_email) if org_email else None,
            cc_requests=tuple(str(fields[f]) for f in self._fields.cc_requests if fields.get(f)),
            updated_at=raw["updated_at"],
            url=self.ticket_url(raw["id"]),
        )

    def _user(self, raw: dict[str, Any], org_ids: tuple[int, ...] | None = None) -> User:
        default = raw.get("organization_id")
        return User(
            id=raw["id"],
            name=raw.get("name") or raw.get("email") or f"user {raw['id']}",
            email=raw.get("email"),
            role=raw.get("role") or "end-user",
            organization_ids=org_ids if org_ids is not None else ((default,) if default else ()),
        )

    def _organization(self, raw: dict[str, Any]) -> Organization:
        fields = raw.get("organization_fields") or {}
        plan = fields.get(self._fields.plan_field)
        account_type = fields.get("account_type")
        return Organization(
            id=raw["id"],
            name=raw.get("name") or f"organization {raw['id']}",
            tags=frozenset(str(t).lower() for t in raw.get("tags") or ()),
            plan=str(plan) if plan else None,
            account_type=str(account_type) if account_type else None,
            domain_names=tuple(raw.get("domain_names") or ()),
        )

    # Writes

    def apply(self, plan: Plan, note: str, trace: Trace) -> Applied:
        """One PUT carrying every change, guarded by safe_update against the previewed stamp."""
        c = plan.correction
        changes: dict[str, Any] = {}
        if c.requester:
            changes["requester_id"] = c.requester[1]
        if c.requester or c.organization:
            # Always together: Zendesk does not reliably re-derive the organization.
            changes["organization_id"] = plan.organization_id
        if c.org_email:
            changes["custom_fields"] = [{"id": self._fields.org_email, "value": c.org_email[1]}]
        ccs = []
        if c.cc_added:
            ccs.append({"user_id": c.cc_added, "action": "put"})
        if c.cc_removed:
            ccs.append({"user_id": c.cc_removed, "action": "delete"})
        if ccs:
            changes["email_ccs"] = ccs
        metadata = {
            METADATA_KEY: {
                "version": 1,
                "action": "undo" if plan.undo else "fix",
                "scenario": plan.scenario.value,
                "request_id": trace.request_id,
                "requested_by": trace.requested_by,
                "slack_user": trace.slack_user,
                "slack_team": trace.slack_team,
                "correction": c.model_dump(mode="json"),
            }
        }
        ticket = ZenpyTicket(id=plan.ticket_id)
        # Assigned one by one: zenpy sends only attributes marked dirty, and its constructor does
        # not mark a None, so `organization_id: null` (undo to no organization) would be dropped.
        for key, value in {
            **changes,
            "comment": Comment(body=note, public=False),
            "safe_update": True,
            "updated_stamp": plan.updated_at,
            "metadata": metadata,
        }.items():
            setattr(ticket, key, value)
        try:
            audit = self._clients.get().tickets.update(ticket)
        except Exception as error:
            raise translate(error, f"ticket {plan.ticket_id}", writing=True) from error
        updated = getattr(getattr(audit, "ticket", None), "updated_at", None)
        return Applied(ticket_id=plan.ticket_id, updated_at=str(updated) if updated else "")

    def last_correction(self, ticket_id: int) -> Recorded | None:
        """The newest fix or undo the bot wrote on the ticket, from its audit trail."""
        newest: Recorded | None = None
        try:
            for audit in self._clients.get().tickets.audits(ticket=ticket_id):
                record = _recorded(audit, self._fields.org_email)
                if record is not None:
                    newest = record
        except Exception as error:
            raise translate(error, f"ticket {ticket_id}") from error
        return newest

    def check(self) -> list[str]:
        """What is wrong with the connection, the credentials or the configured field."""
        try:
            field = self._clients.get().ticket_fields(id=self._fields.org_email)
        except Exception as error:
            problem = translate(error, f"ticket field {self._fields.org_email}")
            if problem.fault is Fault.NOT_FOUND:
                return [
                    f"ZENDESK_ORG_EMAIL_FIELD_ID: Zendesk has no ticket field "
                    f"{self._fields.org_email} (the 'Organization Email (partners)' field)."
                ]
            return [problem.message]
        title = str(getattr(field, "title", "") or "")
        if "email" not in title.lower():
            return [
                f"ZENDESK_ORG_EMAIL_FIELD_ID: field {self._fields.org_email} is {title!r}, which "
                "does not look like 'Organization Email (partners)'."
            ]
        return []


def _default_first(orgs: list[Organization], default: int | None) -> tuple[int, ...]:
    # The default organization first: it is the one Zendesk itself would pick.
    ids = sorted((o.id for o in orgs), key=lambda org_id: org_id != default)
    if default and default not in ids:
        ids.insert(0, default)
    return tuple(ids)


def _has_email(raw: dict[str, Any], email: str) -> bool:
    # users/search matches loosely; only an exact address (any case) is the customer.
    return str(raw.get("email") or "").lower() == email


def _recorded(audit: Any, org_email_field: int) -> Recorded | None:
    metadata = _plain(getattr(audit, "metadata", None))
    custom = metadata.get("custom") if isinstance(metadata, dict) else None
    mine = custom.get(METADATA_KEY) if isinstance(custom, dict) else None
    if not isinstance(mine, dict) or "correction" not in mine:
        return None
    try:
        correction = Correction.model_validate(mine["correction"])
        scenario = Scenario(str(mine.get("scenario")))
    except ValueError:
        # Not written by this version of the bot, or edited: not something to undo blindly.
        return None
    if correction.org_email:
        # Zendesk's own record of the field's previous value is whole; the metadata's copy may
        # have been shortened to fit a Slack button.
        previous = _previous_value(_plain(getattr(audit, "events", None)), org_email_field)
        if previous is not _MISSING:
            correction = correction.model_copy(
                update={"org_email": (previous or None, correction.org_email[1])}
            )
    return Recorded(
        action=str(mine.get("action", "fix")),
        scenario=scenario,
        correction=correction,
        requested_by=str(mine.get("requested_by") or "someone"),
        created_at=str(getattr(audit, "created_at", "") or ""),
    )


_MISSING = object()


def _previous_value(events: Any, field_id: int) -> Any:
    for event in events if isinstance(events, list) else []:
        if (
            isinstance(event, dict)
            and event.get("type") == "Change"
            and str(event.get("field_name")) == str(field_id)
        ):
            return event.get("previous_value")
    return _MISSING


def _plain(value: Any) -> Any:
    """zenpy wraps nested JSON in its own objects; get plain dicts back."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return _plain(to_dict())
    return {k: _plain(v) for k, v in vars(value).items() if not k.startswith("_") and k != "api"}
