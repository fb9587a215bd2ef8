"""The Zendesk Support API subset: authentication, routes, pagination and sideloads.

`ZendeskApi.handle` turns one parsed HTTP request into one answer; it knows nothing about
sockets, faults or rate limits (the server module wraps those around it). The routes are the
ones the bot calls (zenpy's and the gateway's): tickets/{id} (GET with sideloads, PUT), its
audits, users/me, users/show_many, users/search, users/{id}/organizations,
organizations/show_many, organization_fields and ticket_fields/{id}.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from standins.loopback import Answer, Routes
from standins.zendesk.errors import (
    INVALID_ENDPOINT,
    UNAUTHORIZED_HEADERS,
    ApiError,
    JsonDict,
    bad_request,
)
from standins.zendesk.faults import RateLimiter
from standins.zendesk.tickets import Actor, update_ticket
from standins.zendesk.world import Ticket, User, World

MAX_PAGE_SIZE = 100


@dataclass
class ApiRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    client_ip: str
    base: str  # scheme://host[:port] the client used, for the URLs inside answers

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def includes(self) -> set[str]:
        return {p.strip() for v in self.query.get("include", []) for p in v.split(",")} - {""}


def error_response(error: ApiError) -> Answer:
    return Answer(error.status, error.body, dict(error.headers))


def parse_json_body(raw: bytes) -> Any:
    """The request body as JSON, None when empty; ApiError 400 when it is not JSON."""
    if not raw.strip():
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad_request("InvalidJSON", f"The request body is not valid JSON: {exc}") from exc


# Handlers are ZendeskApi methods (or functions shaped like them): (api, request, user, *groups).
# Zendesk serves every resource with and without the .json suffix.
_route: Routes[Callable[..., Answer]] = Routes(suffix=r"(?:\.json)?")


def _ok(body: JsonDict) -> Answer:
    return Answer(200, body)


def authenticate(world: World, headers: Mapping[str, str]) -> User:
    """The agent behind `email/token:TOKEN` Basic auth or an OAuth bearer token."""
    header = headers.get("Authorization") or ""
    scheme, _, credentials = header.strip().partition(" ")
    user_id: int | None = None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        login, _, secret = decoded.partition(":")
        # Password logins are off on API-token accounts: only "email/token" is accepted.
        owner = world.users.get(world.api_tokens.get(secret, 0))
        if login.lower().endswith("/token") and owner is not None:
            user_id = owner.id if owner.email == login[: -len("/token")].strip().lower() else None
    elif scheme.lower() == "bearer":
        user_id = world.oauth_tokens.get(credentials.strip())
    if user_id is None:
        raise ApiError(401, headers=UNAUTHORIZED_HEADERS)
    return world.users[user_id]


# ---- pagination ------------------------------------------------------------------------------


def int_param(request: ApiRequest, name: str, default: int) -> int:
    value = request.param(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise bad_request("InvalidPaginationParameter", f"{name} must be an integer") from exc
    if number < 1:
        raise bad_request("InvalidPaginationParameter", f"{name} must be 1 or more")
    return number


def _encode_cursor(index: int) -> str:
    return base64.urlsafe_b64encode(f"sandbox:{index}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, index = text.partition(":")
        if prefix != "sandbox":
            raise ValueError(text)
        return int(index)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise bad_request("InvalidPaginationParameter", f"invalid cursor {cursor!r}") from exc


def link(request: ApiRequest, changes: dict[str, str | None]) -> str:
    params: dict[str, str | None] = {k: v[-1] for k, v in request.query.items() if v}
    params.update(changes)
    kept = {k: v for k, v in params.items() if v is not None}
    return f"{request.base}{request.path}?{urlencode(kept, safe='[]:,')}"


def offset_links(request: ApiRequest, number: int, per_page: int, more: bool) -> JsonDict:
    """`next_page` and `previous_page` around page `number`."""
    pages = {"next_page": (more, number + 1), "previous_page": (number > 1, number - 1)}
    return {
        key: link(request, {"page": str(page), "per_page": str(per_page)}) if shown else None
        for key, (shown, page) in pages.items()
    }


def paginate(request: ApiRequest, key: str, items: list[JsonDict]) -> JsonDict:
    """One page of `items` in whichever style the client asked for.

    `page[size]` / `page[after]` / `page[before]` select cursor pagination (`meta`, `links`);
    anything else gets offset pagination (`next_page`, `previous_page`, `count`), as Zendesk's
    dual-pagination endpoints do.
    """
    if not any(name.startswith("page[") for name in request.query):
        per_page = min(int_param(request, "per_page", MAX_PAGE_SIZE), MAX_PAGE_SIZE)
        number = int_param(request, "page", 1)
        start = (number - 1) * per_page
        more = start + per_page < len(items)
        page = items[start : start + per_page]
        return {key: page, **offset_links(request, number, per_page, more), "count": len(items)}
    size = min(int_param(request, "page[size]", MAX_PAGE_SIZE), MAX_PAGE_SIZE)
    after, before = request.param("page[after]"), request.param("page[before]")
    limit = _decode_cursor(before) if before else len(items)
    start = _decode_cursor(after) + 1 if after else max(0, limit - size) if before else 0
    end = min(len(items), start + size, limit)
    page = items[start:end]
    after_cursor = _encode_cursor(end - 1) if page else None
    before_cursor = _encode_cursor(start) if page else None
    has_more = end < len(items)
    turn = {"page[size]": str(size), "page[after]": None, "page[before]": None}
    return {
        key: page,
        "meta": {
            "has_more": has_more,
            "after_cursor": after_cursor,
            "before_cursor": before_cursor,
        },
        "links": {
            "next": link(request, {**turn, "page[after]": after_cursor})
            if has_more and after_cursor
            else None,
            "prev": link(request, {**turn, "page[before]": before_cursor})
            if start > 0 and before_cursor
            else None,
        },
    }


def _unpaged(key: str, items: list[JsonDict]) -> JsonDict:
    return {key: items, "next_page": None, "previous_page": None, "count": len(items)}


def _ids_param(request: ApiRequest) -> list[int]:
    parts = (part.strip() for part in (request.param("ids") or "").split(","))
    return list(dict.fromkeys(int(part) for part in parts if part.isdigit()))


class ZendeskApi:
    """Answers API requests against whichever World is current (reset swaps it)."""

    def __init__(self, world: World, instance: str = "gitlab") -> None:
        self.world = world
        # The instance's own host: Zendesk names its records by it (`url`), whatever address
        # (a host-mapped domain, here the loopback one) the request came in on.
        self.instance_origin = f"https://{instance}.zendesk.com"
        # The search API's own limit, none until set (see search.py).
        self.search_limit = RateLimiter()

    def handle(self, request: ApiRequest) -> Answer:
        try:
            with self.world.lock:
                user = authenticate(self.world, request.headers)
                found = _route.find(request.method, request.path)
                if found is None:
                    raise ApiError(404, INVALID_ENDPOINT)
                handler, args = found
                if request.method in ("POST", "PUT", "PATCH", "DELETE") and user.is_light_agent:
                    raise ApiError(403)
                return handler(self, request, user, *args)
        except ApiError as error:
            return error_response(error)

    # ---- sideloads ---------------------------------------------------------------------------

    def _sideload(
        self, request: ApiRequest, body: JsonDict, user_ids: list[int], org_ids: Iterable[int] = ()
    ) -> Answer:
        """What `include=users,organizations` adds: the users, and as `organizations` the
        records' own organizations (`org_ids`) and each user's default organization, never a
        user's other memberships (as Zendesk does)."""
        world, wanted = self.world, request.includes()
        if "users" in wanted:
            users = [world.users[u] for u in user_ids if u in world.users]
            body["users"] = [world.render_user(u, request.base) for u in users]
        if "organizations" in wanted:
            ids = [*org_ids, *map(world.default_organization_id, user_ids)]
            orgs = [world.organizations[o] for o in dict.fromkeys(ids) if o in world.organizations]
            body["organizations"] = [world.render_organization(o, request.base) for o in orgs]
        return _ok(body)

    def _ticket(self, ticket_id: str) -> Ticket:
        ticket = self.world.tickets.get(int(ticket_id))
        if ticket is None:
            raise ApiError(404)
        return ticket

    # ---- tickets -------------------------------------------------------------------------------

    @_route("GET", r"/api/v2/tickets/(\d+)")
    def ticket_show(self, request: ApiRequest, user: User, ticket_id: str) -> Answer:
        ticket = self._ticket(ticket_id)
        body = {"ticket": self.world.render_ticket(ticket, request.base)}
        people = [ticket.requester_id, ticket.submitter_id, ticket.assignee_id]
        people += ticket.email_cc_ids + ticket.follower_ids
        user_ids = list(dict.fromkeys(u for u in people if u is not None))
        org_ids = [ticket.organization_id] if ticket.organization_id is not None else []
        return self._sideload(request, body, user_ids, org_ids)

    @_route("PUT", r"/api/v2/tickets/(\d+)")
    def ticket_update(self, request: ApiRequest, user: User, ticket_id: str) -> Answer:
        payload = parse_json_body(request.body)
        actor = Actor(user, request.headers.get("User-Agent") or "unknown", request.client_ip)
        return _ok(update_ticket(self.world, int(ticket_id), payload, actor, request.base))

    @_route("GET", r"/api/v2/tickets/(\d+)/audits")
    def ticket_audits(self, request: ApiRequest, user: User, ticket_id: str) -> Answer:
        audits = copy.deepcopy(self.world.audits.get(self._ticket(ticket_id).id, []))
        return _ok(paginate(request, "audits", audits))

    # ---- users ---------------------------------------------------------------------------------

    @_route("GET", r"/api/v2/users/me")
    def users_me(self, request: ApiRequest, user: User) -> Answer:
        return _ok({"user": self.world.render_user(user, self.instance_origin)})

    @_route("GET", r"/api/v2/users/show_many")
    def users_show_many(self, request: ApiRequest, user: User) -> Answer:
        users = [self.world.users[i] for i in _ids_param(request) if i in self.world.users]
        body = _unpaged("users", [self.world.render_user(u, request.base) for u in users])
        return self._sideload(request, body, [u.id for u in users])

    @_route("GET", r"/api/v2/users/search")
    def users_search(self, request: ApiRequest, user: User) -> Answer:
        found = self._search_users(request.param("query"))
        body = paginate(request, "users", [self.world.render_user(u, request.base) for u in found])
        return self._sideload(request, body, [u["id"] for u in body["users"]])

    def _search_users(self, query: str | None) -> list[User]:
        """Exact (case-insensitive) email match on every identity for `email:` and bare
        addresses; a bare word matches names and addresses containing it."""
        users = sorted(self.world.users.values(), key=lambda u: u.id)
        text = (query or "").strip()
        if not text:
            return []
        prefixed = text.lower().startswith("email:")
        exact = prefixed or "@" in text
        text = (text[len("email:") :].strip() if prefixed else text).strip("\"'").lower()
        if exact:
            return [u for u in users if text in (e.lower() for e in u.emails())]
        return [u for u in users if any(text in t.lower() for t in [u.name, *u.emails()])]

    @_route("GET", r"/api/v2/users/(\d+)/organizations")
    def user_organizations(self, request: ApiRequest, user: User, user_id: str) -> Answer:
        if int(user_id) not in self.world.users:
            raise ApiError(404)
        orgs = [self.world.organizations[o] for o in self.world.organization_ids_of(int(user_id))]
        items = [self.world.render_organization(o, request.base) for o in orgs]
        return _ok(paginate(request, "organizations", items))

    # ---- organizations and fields ------------------------------------------------------------

    @_route("GET", r"/api/v2/organizations/show_many")
    def organizations_show_many(self, request: ApiRequest, user: User) -> Answer:
        orgs = [self.world.organizations.get(i) for i in _ids_param(request)]
        items = [self.world.render_organization(o, request.base) for o in orgs if o is not None]
        return _ok(_unpaged("organizations", items))

    @_route("GET", r"/api/v2/organization_fields")
    def organization_fields(self, request: ApiRequest, user: User) -> Answer:
        fields = sorted(self.world.organization_fields.values(), key=lambda f: (f.position, f.id))
        items = [self.world.render_organization_field(f, request.base) for f in fields]
        return _ok(paginate(request, "organization_fields", items))

    @_route("GET", r"/api/v2/ticket_fields/(\d+)")
    def ticket_field_show(self, request: ApiRequest, user: User, field_id: str) -> Answer:
        found = self.world.ticket_fields.get(int(field_id))
        if found is None:
            raise ApiError(404)
        return _ok({"ticket_field": self.world.render_ticket_field(found, request.base)})
