"""The Zendesk gateway: read a Snapshot, write a Plan as one safe PUT, find the bot's own fixes.

Sideloads give each user's default organization only, so whoever the rule judges gets their whole
organization list read too, unless one partner organization already proves them a partner's.
What goes through zenpy and what through its session as raw JSON, and why: bot/zendesk/client.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

from zenpy.lib.api_objects import Comment
from zenpy.lib.api_objects import Ticket as ZenpyTicket

from bot.domain.models import Organization, ProcessRules, Snapshot, Ticket, User
from bot.domain.planning import Plan
from bot.ports import COMPLETE, Applied, Fault, Recorded, Scope, Trace, ZendeskError
from bot.zendesk.client import ZendeskClients
from bot.zendesk.errors import from_status, translate
from bot.zendesk.records import metadata_for, recorded


@dataclass(frozen=True)
class FieldIds:
    org_email: int
    cc_requests: tuple[int, ...]
    plan_field: str
    partner_org_field: str = "account_type"
    customer_name: int = 360012167579
    customer_org: int = 360012167559


Record = TypeVar("Record", User, Organization)

# Zendesk's `role_type` of agents who may read tickets but not edit them.
NON_EDITING_ROLE_TYPES = {1: "light agent", 2: "chat-only agent", 3: "chat agent (contributor)"}

# Pages of a user's organizations the bot reads (100 each) before it calls the list incomplete.
PAGE_SIZE = 100
MAX_PAGES = 5


class ZendeskGateway:
    def __init__(self, clients: ZendeskClients, fields: FieldIds, rules: ProcessRules) -> None:
        self._clients = clients
        self._fields = fields
        self._rules = rules
        self._me: dict[str, Any] | None = None
        self._me_lock = threading.Lock()

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

    def search_tickets(self, query: str) -> Iterator[tuple[list[int], int]]:
        """Zendesk's search for tickets, page by page (100 a page, newest first): the ids on
        each page, and how many tickets match in all (Zendesk pages through 1,000 at most)."""
        what = "the ticket search"
        params = {"query": query, "sort_by": "created_at", "sort_order": "desc", "per_page": "100"}
        data = self._get_json("search.json", params, what)
        while True:
            results = data.get("results")
            ids = [
                int(r["id"])
                for r in (results if isinstance(results, list) else [])
                if isinstance(r, dict) and r.get("result_type") == "ticket"
            ]
            count = data.get("count")
            yield ids, count if isinstance(count, int) else len(ids)
            following = data.get("next_page")
            if not isinstance(following, str) or not following:
                return
            data = self._get_page(following, what)

    def snapshot(self, ticket_id: int, scope: Scope = COMPLETE) -> Snapshot:
        """The ticket, its people and their organizations, and what `scope` asks for besides:
        the users behind its emails, any other users named by id, and the organizations
        `org_ids` (Undo's organization to restore, which may be none of the ones read so far);
        see Scope for what `complete` guarantees.

        One request for the ticket (with sideloads), one per distinct email, one per extra user,
        one (a page) per user whose organizations must be completed, and one for any of
        `org_ids` still unknown after that.
        """
        try:
            return self._snapshot(ticket_id, scope)
        except (KeyError, TypeError, ValueError) as error:
            # A record without the fields every Zendesk record has: a fault, in words.
            raise ZendeskError(
                Fault.UNAVAILABLE,
                f"Zendesk answered about ticket {ticket_id} with data the bot could not read. "
                "Nothing was changed.",
                200,
            ) from error

    def _snapshot(self, ticket_id: int, scope: Scope) -> Snapshot:
        data = self._get_json(
            f"tickets/{ticket_id}.json", {"include": "users,organizations"}, f"ticket {ticket_id}"
        )
        ticket = self._ticket(data.get("ticket") or {})
        users = {u.id: u for u in map(self._user, data.get("users") or [])}
        orgs = {o.id: o for o in map(self._organization, data.get("organizations") or [])}
        self._complete_sideloads(ticket, users, orgs)
        found: dict[str, int | None] = {}
        for email in dict.fromkeys(e.strip().lower() for e in scope.emails if e and e.strip()):
            user, user_orgs = self._find_user(email)
            found[email] = user.id if user else None
            if user:
                users.setdefault(user.id, user)
                orgs.update((o.id, o) for o in user_orgs)
        self._read_missing("users", scope.user_ids, users, self._user)
        named_orgs = set(scope.org_ids)
        # Whoever `org_ids` may be put on: the users named by id, or the requester.
        placed = {*scope.user_ids, *([ticket.requester_id] if scope.requester else [])}
        if scope.complete:
            judged = [ticket.submitter_id, *found.values(), *scope.user_ids]
            if scope.requester:
                judged.append(ticket.requester_id)
            for user_id in dict.fromkeys(i for i in judged if i):
                user = users.get(user_id)
                if user is None:
                    continue
                # A partner's user needs no more reading, unless the question is whether they
                # are in an organization that their known memberships do not show.
                unshown = user_id in placed and not named_orgs <= set(user.organization_ids)
                if unshown or not self._seen_on_partner_org(user, orgs):
                    users[user_id] = self._with_memberships(user, orgs)
        self._read_missing("organizations", sorted(named_orgs), orgs, self._organization)
        return Snapshot(
            ticket=ticket,
            users=tuple(users.values()),
            organizations=tuple(orgs.values()),
            emails=found,
            rules=self._rules,
        )

    def find_people(self, snapshot: Snapshot, terms: Sequence[str]) -> tuple[Snapshot, list[int]]:
        """The users Zendesk's user search finds for each term (one search each), added to the
        snapshot with their default organizations; their ids, in the order found."""
        users = {u.id: u for u in snapshot.users}
        orgs = {o.id: o for o in snapshot.organizations}
        found: list[int] = []
        for term in terms:
            query = f'"{term}"' if " " in term else term
            data = self._get_json(
                "users/search.json",
                {"query": query, "include": "organizations"},
                "users like the customer",
            )
            for raw in data.get("users") or []:
                user = self._user(raw)
                users.setdefault(user.id, user)
                found.append(user.id)
            orgs.update((o.id, o) for o in map(self._organization, data.get("organizations") or []))
        updated = snapshot.model_copy(
            update={"users": tuple(users.values()), "organizations": tuple(orgs.values())}
        )
        return updated, list(dict.fromkeys(found))

    def complete(self, snapshot: Snapshot, user_ids: Sequence[int]) -> Snapshot:
        """The snapshot with every organization of these users read (unless already known)."""
        users = {u.id: u for u in snapshot.users}
        orgs = {o.id: o for o in snapshot.organizations}
        for user_id in user_ids:
            user = users.get(user_id)
            if user is not None and not user.memberships_complete:
                users[user_id] = self._with_memberships(user, orgs)
        return snapshot.model_copy(
            update={"users": tuple(users.values()), "organizations": tuple(orgs.values())}
        )

    def _seen_on_partner_org(self, user: User, orgs: dict[int, Organization]) -> bool:
        # One partner organization is proof enough that a user is a partner's; only "not a
        # partner" needs every membership.
        return any(self._rules.is_partner_org(orgs[i]) for i in user.organization_ids if i in orgs)

    def _with_memberships(self, user: User, orgs: dict[int, Organization]) -> User:
        """`user` with every organization they belong to (all pages), or unchanged and still
        incomplete when the list is longer than the bot reads."""
        path = f"users/{user.id}/organizations.json"
        what = f"organizations of user {user.id}"
        data = self._get_json(path, {"per_page": str(PAGE_SIZE)}, what)
        listed = [self._organization(o) for o in data.get("organizations") or []]
        for _ in range(MAX_PAGES - 1):
            next_page = data.get("next_page")
            if not next_page:
                break
            data = self._get_page(str(next_page), what)
            listed += [self._organization(o) for o in data.get("organizations") or []]
        else:
            if data.get("next_page"):
                return user  # more than the bot reads: the guard refuses what it can't see
        orgs.update((o.id, o) for o in listed)
        default = user.organization_ids[0] if user.organization_ids else None
        return user.model_copy(
            update={
                "organization_ids": _default_first([o.id for o in listed], default),
                "memberships_complete": True,
            }
        )

    def _get_page(self, url: str, what: str) -> dict[str, Any]:
        # Zendesk's next_page names the instance's own host, which may not be the one the bot
        # reaches it through: only its path and query are taken, and asked of our own base URL
        # (credentials never go anywhere else).
        parts = urlsplit(url)
        if not parts.path.startswith("/api/v2/"):
            raise ZendeskError(Fault.UNAVAILABLE, f"Zendesk paged {what} strangely.", 200)
        params = dict(parse_qsl(parts.query))
        return self._get_json(parts.path.removeprefix("/api/v2/"), params, what)

    def _complete_sideloads(
        self, ticket: Ticket, users: dict[int, User], orgs: dict[int, Organization]
    ) -> None:
        """Fetch what the sideloads left out (a proxy or an older API may drop `include`).

        Costs nothing when Zendesk sideloaded the ticket's people and their default organizations.
        """
        wanted = [ticket.requester_id, ticket.submitter_id, *ticket.email_cc_ids]
        self._read_missing("users", wanted, users, self._user)
        wanted_orgs = [
            ticket.organization_id,
            *(o for u in users.values() for o in u.organization_ids),
        ]
        self._read_missing("organizations", wanted_orgs, orgs, self._organization)

    def _read_missing(
        self,
        kind: str,
        ids: Iterable[int | None],
        known: dict[int, Record],
        parse: Callable[[dict[str, Any]], Record],
    ) -> None:
        """The records of `ids` that `known` lacks, read into it with one show_many request."""
        missing = [i for i in dict.fromkeys(ids) if i and i not in known]
        if missing:
            known.update((r.id, r) for r in map(parse, self._show_many(kind, missing)))

    def _show_many(self, kind: str, ids: list[int]) -> list[dict[str, Any]]:
        data = self._get_json(
            f"{kind}/show_many.json",
            {"ids": ",".join(map(str, ids)), "include": "organizations"},
            f"{kind} {ids}",
        )
        found = data.get(kind)
        return found if isinstance(found, list) else []

    def _find_user(self, email: str) -> tuple[User | None, list[Organization]]:
        """The user with exactly this address, with their default organization (what Zendesk's
        sideload gives; the rest is completed by `_with_memberships`)."""
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
        default = raw.get("organization_id")
        # Sideloaded organizations belong to every user found: only the user's own default counts.
        orgs = [
            self._organization(o) for o in data.get("organizations") or [] if o.get("id") == default
        ]
        return self._user(raw), orgs

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
            customer_name=_text(fields.get(self._fields.customer_name)),
            customer_org=_text(fields.get(self._fields.customer_org)),
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
        account_type = fields.get(self._fields.partner_org_field)
        return Organization(
            id=raw["id"],
            name=raw.get("name") or f"organization {raw['id']}",
            tags=frozenset(str(t).lower() for t in raw.get("tags") or ()),
            plan=str(plan) if plan else None,
            account_type=str(account_type) if account_type else None,
            domain_names=tuple(raw.get("domain_names") or ()),
        )

    # Writes

    def apply(self, plan: Plan, note: str, trace: Trace, undoes: str | None = None) -> Applied:
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
        try:
            metadata = metadata_for(plan, trace, undoes)
        except ValueError as error:
            raise ZendeskError(
                Fault.INVALID, "The correction's record is too large for Zendesk's audit.", None
            ) from error
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

    def corrections(self, ticket_id: int) -> list[Recorded]:
        """The fixes and undos the bot's own Zendesk user wrote on the ticket, oldest first.

        Anyone with API access can write `metadata.custom`, so an audit by another author is no
        record of the bot's, whatever it holds.
        """
        me = self.me()
        found: list[Recorded] = []
        try:
            for audit in self._clients.get().tickets.audits(ticket=ticket_id):
                record = recorded(audit, self._fields.org_email, me)
                if record is not None:
                    found.append(record)
        except Exception as error:
            raise translate(error, f"ticket {ticket_id}") from error
        return found

    def _me_record(self) -> dict[str, Any]:
        """The bot's own Zendesk user (`users/me`), read once per process."""
        with self._me_lock:
            if self._me is None:
                data = self._get_json("users/me.json", {}, "the bot's own Zendesk user")
                user = data.get("user") or {}
                if not isinstance(user.get("id"), int) or user["id"] <= 0:
                    # An anonymous answer (id null) means the credentials did not authenticate.
                    raise ZendeskError(
                        Fault.AUTH, "Zendesk did not say which user the bot is.", 200
                    )
                self._me = user
            return self._me

    def me(self) -> int:
        """The id of the bot's own Zendesk user."""
        return int(self._me_record()["id"])

    def instance_host(self) -> str | None:
        """The instance's own host (`gitlab.zendesk.com`), as the `url` Zendesk gives its own
        records names it, whatever host-mapped address the bot reaches it through."""
        host = urlsplit(str(self._me_record().get("url") or "")).hostname
        return host.lower() if host and host.endswith(".zendesk.com") else None

    def check(self) -> list[str]:
        """What is wrong with the connection, the credentials or the configured fields."""
        problems = self.check_connection()
        if problems:
            return problems  # the credentials or the connection: nothing more can be read
        return self.check_ticket_editing() + self.check_partner_org_field()

    def check_ticket_editing(self) -> list[str]:
        """Whether the credentials' Zendesk user may edit tickets, as far as `users/me` tells:
        an end user, a light agent or a chat-only agent may not (a custom role is not judged)."""
        try:
            user = self._me_record()  # the one read of users/me, which Undo reuses
        except ZendeskError as error:
            return [f"Zendesk: could not read the bot's own user: {error.message}"]
        role, role_type = user.get("role"), user.get("role_type")
        if role not in ("agent", "admin"):
            kind = f"not an agent ({role})"
        elif role_type in NON_EDITING_ROLE_TYPES:
            kind = f"a {NON_EDITING_ROLE_TYPES[role_type]}, who cannot edit tickets"
        else:
            return []
        return [
            f"Zendesk credentials: the user they belong to is {kind}; give the bot the "
            "credentials of an agent who can edit tickets."
        ]

    def check_connection(self) -> list[str]:
        """The credentials, and the Organization Email ticket field (ZENDESK_ORG_EMAIL_FIELD_ID)."""
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

    def check_partner_org_field(self) -> list[str]:
        """The organization field that marks partner organizations must exist: with a key that
        names none, no organization would ever be taken for a partner's by it."""
        key = self._fields.partner_org_field
        what = "the organization fields"
        try:
            data = self._get_json("organization_fields.json", {"per_page": str(PAGE_SIZE)}, what)
            keys = _field_keys(data)
            for _ in range(MAX_PAGES - 1):
                if key in keys or not data.get("next_page"):
                    break
                data = self._get_page(str(data["next_page"]), what)
                keys |= _field_keys(data)
        except ZendeskError as error:
            return [f"ZENDESK_PARTNER_ORG_FIELD: could not list {what}: {error.message}"]
        if key not in keys:
            known = ", ".join(sorted(keys)) or "none"
            return [
                f"ZENDESK_PARTNER_ORG_FIELD: Zendesk has no organization field with the key "
                f"{key!r} (the field that marks partner organizations; the keys are: {known})."
            ]
        return []


def _default_first(ids: list[int], default: int | None) -> tuple[int, ...]:
    # The default organization first: it is the one Zendesk itself would pick. The full list is
    # the truth: a default it does not hold is not added back.
    return tuple(sorted(dict.fromkeys(ids), key=lambda org_id: org_id != default))


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value else None


def _field_keys(data: dict[str, Any]) -> set[str]:
    fields = data.get("organization_fields")
    return (
        {str(f.get("key")) for f in fields if isinstance(f, dict)}
        if isinstance(fields, list)
        else set()
    )


def _has_email(raw: dict[str, Any], email: str) -> bool:
    # users/search matches loosely; only an exact address (any case) is the customer.
    return str(raw.get("email") or "").lower() == email
