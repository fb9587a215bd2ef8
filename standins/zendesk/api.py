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
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from standins.zendesk.errors import (
    ApiError,
    JsonDict,
    bad_request,
    forbidden,
    invalid_endpoint,
    record_not_found,
    unauthorized,
)
from standins.zendesk.tickets import Actor, update_ticket
from standins.zendesk.world import Ticket, User, World

JSON_TYPE = "application/json; charset=utf-8"
MAX_PAGE_SIZE = 100
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


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
        found: set[str] = set()
        for value in self.query.get("include", []):
            found.update(part.strip() for part in value.split(",") if part.strip())
        return found


@dataclass
class ApiResponse:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = JSON_TYPE
    # Set by a fault: how the answer is sent (see zendesk_faults.Fault).
    cut: bool = False
    drip: float = 0.0

    def payload(self) -> bytes:
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body).encode("utf-8")


def error_response(error: ApiError) -> ApiResponse:
    return ApiResponse(error.status, error.body, dict(error.headers))


def parse_json_body(raw: bytes) -> Any:
    """The request body as JSON, None when empty; ApiError 400 when it is not JSON."""
    if not raw.strip():
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad_request("InvalidJSON", f"The request body is not valid JSON: {exc}") from exc


H = TypeVar("H")


class Routes(Generic[H]):
    """A route table: handlers registered by method and path (a regular expression, under
    `prefix`), found again with the path's groups; Zendesk serves paths with and without .json."""

    def __init__(self, prefix: str = "") -> None:
        self._prefix = prefix
        self._routes: list[tuple[str, re.Pattern[str], H]] = []

    def __call__(self, method: str, path: str) -> Callable[[H], H]:
        pattern = re.compile(re.escape(self._prefix) + path + r"(?:\.json)?")

        def register(handler: H) -> H:
            self._routes.append((method, pattern, handler))
            return handler

        return register

    def find(self, method: str, path: str) -> tuple[H, tuple[str, ...]]:
        for verb, pattern, handler in self._routes:
            found = pattern.fullmatch(path)
            if found and verb == method:
                return handler, found.groups()
        raise invalid_endpoint()


Handler = Callable[["ZendeskApi", World, ApiRequest, User, tuple[str, ...]], ApiResponse]
_route: Routes[Handler] = Routes()


class ZendeskApi:
    """Answers API requests against whichever World is current (reset swaps it)."""

    def __init__(self, world: World, instance: str = "gitlab") -> None:
        self.world = world
        # The instance's own host: Zendesk names its records by it (`url`), whatever address
        # (a host-mapped domain, here the loopback one) the request came in on.
        self.instance_origin = f"https://{instance}.zendesk.com"

    def handle(self, request: ApiRequest) -> ApiResponse:
        world = self.world
        try:
            with world.lock:
                user = authenticate(world, request.headers)
                handler, args = _route.find(request.method, request.path)
                if request.method in WRITE_METHODS and user.is_light_agent:
                    raise forbidden()
                return handler(self, world, request, user, args)
        except ApiError as error:
            return error_response(error)


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
        if login.lower().endswith("/token"):
            candidate = world.api_tokens.get(secret)
            email = login[: -len("/token")].strip().lower()
            owner = world.users.get(candidate) if candidate is not None else None
            if owner is not None and owner.email == email:
                user_id = owner.id
    elif scheme.lower() == "bearer":
        user_id = world.oauth_tokens.get(credentials.strip())
    if user_id is None:
        raise unauthorized()
    return world.users[user_id]


# ---- pagination ------------------------------------------------------------------------------


def _int_param(request: ApiRequest, name: str, default: int) -> int:
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


def _link(request: ApiRequest, changes: dict[str, str | None]) -> str:
    params = {k: v[-1] for k, v in request.query.items() if v}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return f"{request.base}{request.path}?{urlencode(params, safe='[]:,')}"


def paginate(request: ApiRequest, key: str, items: list[JsonDict]) -> JsonDict:
    """One page of `items` in whichever style the client asked for.

    `page[size]` / `page[after]` / `page[before]` select cursor pagination (`meta`, `links`);
    anything else gets offset pagination (`next_page`, `previous_page`, `count`), as Zendesk's
    dual-pagination endpoints do.
    """
    if any(name.startswith("page[") for name in request.query):
        size = min(_int_param(request, "page[size]", MAX_PAGE_SIZE), MAX_PAGE_SIZE)
        after, before = request.param("page[after]"), request.param("page[before]")
        if after:
            start = _decode_cursor(after) + 1
        elif before:
            start = max(0, _decode_cursor(before) - size)
        else:
            start = 0
        end = min(len(items), start + size)
        if before:
            end = min(end, _decode_cursor(before))
        page = items[start:end]
        has_more = end < len(items)
        after_cursor = _encode_cursor(end - 1) if page else None
        before_cursor = _encode_cursor(start) if page else None
        return {
            key: page,
            "meta": {
                "has_more": has_more,
                "after_cursor": after_cursor,
                "before_cursor": before_cursor,
            },
            "links": {
                "next": _link(
                    request,
                    {"page[after]": after_cursor, "page[before]": None, "page[size]": str(size)},
                )
                if has_more and after_cursor
                else None,
                "prev": _link(
                    request,
                    {"page[before]": before_cursor, "page[after]": None, "page[size]": str(size)},
                )
                if start > 0 and before_cursor
                else None,
            },
        }
    per_page = min(_int_param(request, "per_page", MAX_PAGE_SIZE), MAX_PAGE_SIZE)
    number = _int_param(request, "page", 1)
    start = (number - 1) * per_page
    page = items[start : start + per_page]
    return {
        key: page,
        "next_page": _link(request, {"page": str(number + 1), "per_page": str(per_page)})
        if start + per_page < len(items)
        else None,
        "previous_page": _link(request, {"page": str(number - 1), "per_page": str(per_page)})
        if number > 1
        else None,
        "count": len(items),
    }


def _unpaged(key: str, items: list[JsonDict]) -> JsonDict:
    return {key: items, "next_page": None, "previous_page": None, "count": len(items)}


def _ids_param(request: ApiRequest) -> list[int]:
    raw = request.param("ids") or ""
    ids: list[int] = []
    for part in raw.split(","):
        part = part.strip()
        if part.isdigit():
            ids.append(int(part))
    return list(dict.fromkeys(ids))


# ---- sideloads -------------------------------------------------------------------------------


def _ticket_user_ids(tickets: Iterable[Ticket]) -> list[int]:
    ids: list[int] = []
    for ticket in tickets:
        ids += [ticket.requester_id, ticket.submitter_id]
        ids += [ticket.assignee_id] if ticket.assignee_id is not None else []
        ids += ticket.email_cc_ids + ticket.follower_ids
    return list(dict.fromkeys(ids))


def _organization_ids(
    world: World, user_ids: Iterable[int], extra: Iterable[int] = ()
) -> list[int]:
    """What Zendesk sideloads as `organizations`: the records' own organizations (`extra`) and
    each user's default organization, never a user's other memberships."""
    ids: list[int] = list(extra)
    for user_id in user_ids:
        default = world.default_organization_id(user_id)
        if default is not None:
            ids.append(default)
    return [i for i in dict.fromkeys(ids) if i in world.organizations]


def _sideload(
    world: World,
    request: ApiRequest,
    body: JsonDict,
    user_ids: list[int],
    extra_org_ids: Iterable[int] = (),
) -> JsonDict:
    wanted = request.includes()
    if "users" in wanted:
        body["users"] = [
            world.render_user(world.users[u], request.base) for u in user_ids if u in world.users
        ]
    if "organizations" in wanted:
        body["organizations"] = [
            world.render_organization(world.organizations[o], request.base)
            for o in _organization_ids(world, user_ids, extra_org_ids)
        ]
    return body


def _ticket(world: World, ticket_id: str) -> Ticket:
    ticket = world.tickets.get(int(ticket_id))
    if ticket is None:
        raise record_not_found()
    return ticket


def _user(world: World, user_id: str) -> User:
    user = world.users.get(int(user_id))
    if user is None:
        raise record_not_found()
    return user


# ---- tickets ---------------------------------------------------------------------------------


@_route("GET", r"/api/v2/tickets/(\d+)")
def _ticket_show(
    api: ZendeskApi, world: World, request: ApiRequest, user: User, args: tuple[str, ...]
) -> ApiResponse:
    ticket = _ticket(world, args[0])
    body = {"ticket": world.render_ticket(ticket, request.base)}
    org_ids = [ticket.organization_id] if ticket.organization_id is not None else []
    return ApiResponse(200, _sideload(world, request, body, _ticket_user_ids([ticket]), org_ids))


@_route("PUT", r"/api/v2/tickets/(\d+)")
def _ticket_update(
    api: ZendeskApi, world: World, request: ApiRequest, user: User, args: tuple[str, ...]
) -> ApiResponse:
    payload = parse_json_body(request.body)
    actor = Actor(
        user=user,
        client=request.headers.get("User-Agent") or "unknown",
        ip_address=request.client_ip,
    )
    result = update_ticket(world, int(args[0]), payload, actor, request.base)
    headers: dict[str, str] = {}
    if result.ignored_keys:
        # Zendesk drops attributes it does not accept and says so in this header.
        headers["X-Zendesk-API-Warn"] = (
            f"Removed restricted keys {json.dumps(['ticket.' + k for k in result.ignored_keys])} "
            "from parameters according to whitelist"
        )
    return ApiResponse(200, result.body, headers)


@_route("GET", r"/api/v2/tickets/(\d+)/audits")
def _ticket_audits(
    api: ZendeskApi, world: World, request: ApiRequest, user: User, args: tuple[str, ...]
) -> ApiResponse:
    ticket = _ticket(world, args[0])
    audits = json.loads(json.dumps(world.audits.get(ticket.id, [])))
    return ApiResponse(200, paginate(request, "audits", audits))


# ---- users -----------------------------------------------------------------------------------


@_route("GET", r"/api/v2/users/me")
def _users_me(
    api: ZendeskApi, world: World, request: ApiRequest, user: User, args: tuple[str, ...]
) -> ApiResponse:
    return ApiResponse(200, {"user": world.render_user(user, api.instance_origin)})


@_route("GET", r"/api/v2/users/show_many")
def _users_show_many(
    api: ZendeskApi, world: World, request: ApiRequest, user: User, args: tuple[str, ...]
) -> ApiResponse:
    users = [world.users[i] for i in _ids_param(request) if i in world.users]
    body = _unpaged("users", [world.render_user(u, request.base) for u in users])
    return ApiResponse(200, _sideload(world, request, body, [u.id for u in users]))


@_route("GET", r"/api/v2/users/search")
def _users_search(
    api: ZendeskApi, world: World, request: ApiRequest, user: User, args: tuple[str, ...]
) -> ApiResponse:
    found = _search_users(world, request.param("query"), request.param("external_id"))
    body = paginate(request, "users", [world.render_user(u, request.base) for u in found])
    return ApiResponse(200, _sideload(world, request, body, [u["id"] for u in body["users"]]))


def _search_users(world: World, query: str | None, external_id: str | None) -> list[User]:
    """Exact (case-insensitive) email match on every identity for `email:` and bare addresses;
    a bare word matches names and addresses containing it."""
    users = sorted(world.users.values(), key=lambda u: u.id)
    if external_id:
        return [u for u in users if (u.external_id or "").lower() == external_id.lower()]
    text = (query or "").strip()
    if not text:
        return []
    if text.lower().startswith("email:"):
        text = text[len("email:") :].strip()
        exact = True
    else:
        exact = "@" in text
    text = text.strip("\"'").lower()
    if exact:
        return [u for u in users if text in (e.lower() for e in u.emails())]
    return [
        u for u in users if text in u.name.lower() or any(text in e.lower() for e in u.emails())
    ]


@_route("GET", r"/api/v2/users/(\d+)/organizations")
def _user_organizations(
    api: ZendeskApi, world: World, request: ApiRequest, user: User, args: tuple[str, ...]
) -> ApiResponse:
    member = _user(world, args[0])
    items = [
        world.render_organization(world.organizations[o], request.base)
        for o in world.organization_ids_of(member.id)
    ]
    return ApiResponse(200, paginate(request, "organizations", items))


# ---- organizations ---------------------------------------------------------------------------


@_route("GET", r"/api/v2/organizations/show_many")
def _organizations_show_many(
    api: ZendeskApi, world: World, request: ApiRequest, user: User, args: tuple[str, ...]
) -> ApiResponse:
    orgs = [world.organizations[i] for i in _ids_param(request) if i in world.organizations]
    items = [world.render_organization(o, request.base) for o in orgs]
    return ApiResponse(200, _unpaged("organizations", items))


# ---- organization fields ------------------------------------------------------------------------


@_route("GET", r"/api/v2/organization_fields")
def _organization_fields(
    api: ZendeskApi, world: World, request: ApiRequest, user: User, args: tuple[str, ...]
) -> ApiResponse:
    fields = sorted(world.organization_fields.values(), key=lambda f: (f.position, f.id))
    items = [world.render_organization_field(f, request.base) for f in fields]
    return ApiResponse(200, paginate(request, "organization_fields", items))


# ---- ticket fields -----------------------------------------------------------------------


@_route("GET", r"/api/v2/ticket_fields/(\d+)")
def _ticket_field_show(
    api: ZendeskApi, world: World, request: ApiRequest, user: User, args: tuple[str, ...]
) -> ApiResponse:
    found = world.ticket_fields.get(int(args[0]))
    if found is None:
        raise record_not_found()
    return ApiResponse(200, {"ticket_field": world.render_ticket_field(found, request.base)})
