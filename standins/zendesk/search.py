"""GET /api/v2/search.json for tickets, as Zendesk answers it: the query subset the sweep uses.

Understood terms: `type:ticket`, `status:S`, `status<S` / `status>S` (in Zendesk's status order),
`ticket_form_id:N`, `created>DATE` / `created<DATE` (a `YYYY-MM-DD` day, or a timestamp),
`tags:T` (one tag; a ticket has it), a leading `-` to negate any of them. Anything else is an
error, so a query the real Zendesk would read differently is noticed rather than half-answered.
Results are `{"results": [..., "result_type": "ticket"], "count", "next_page", "previous_page",
"facets"}`, offset pagination of at most 100 a page, and no page past the 1,000th result (422).
The search API has its own rate limit (`ZendeskApi.search_limit`): 429 with Retry-After past it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from standins.loopback import Answer
from standins.zendesk.api import (
    ApiRequest,
    ZendeskApi,
    _route,
    int_param,
    offset_links,
)
from standins.zendesk.errors import ApiError, bad_request, default_body
from standins.zendesk.world import TICKET_STATUSES, Ticket, User, World, parse_time

MAX_RESULTS = 1000
PER_PAGE = 100
STATUS_ORDER = TICKET_STATUSES  # Zendesk's order, for status<S and status>S
SORTABLE = ("created_at", "updated_at")


def _invalid(description: str) -> ApiError:
    return ApiError(422, {"error": "invalid", "description": description})


def _day(text: str) -> datetime:
    try:
        return parse_time(text)
    except ValueError:
        raise _invalid(f"cannot read the date {text!r}") from None


def _test(key: str, op: str, value: str) -> Callable[[Ticket], bool]:
    if key == "status" and value in STATUS_ORDER:
        rank = STATUS_ORDER.index(value)
        compare = {":": int.__eq__, "<": int.__lt__, ">": int.__gt__}[op]
        return lambda t: bool(compare(STATUS_ORDER.index(t.status), rank))
    if key == "ticket_form_id" and op == ":" and value.isdigit():
        return lambda t: t.ticket_form_id == int(value)
    if key == "created" and op in "<>":
        moment = _day(value)
        if len(value) == 10 and op == ">":  # `created>2026-11-01`: after that whole day
            moment += timedelta(days=1)
        if op == ">":
            return lambda t: t.created_at >= moment
        return lambda t: t.created_at < moment
    if key == "tags" and op == ":":
        return lambda t: value.lower() in (tag.lower() for tag in t.tags)
    raise _invalid(f"the sandbox does not understand the search term {key}{op}{value}")


def _term(term: str) -> Callable[[Ticket], bool] | None:
    """A predicate for one query term; None for `type:ticket` (every record here is one)."""
    negate = term.startswith("-")
    body = term.removeprefix("-")
    split = min((body.find(op), op) for op in ":<>" if body.find(op) > 0) if body else None
    if split is None or split[0] < 0:
        raise _invalid(f"the sandbox does not understand the search term {term!r}")
    key, op, value = body[: split[0]], split[1], body[split[0] + 1 :]
    if key == "type":
        if value != "ticket" or negate:
            raise _invalid("the sandbox searches tickets only (type:ticket)")
        return None
    test = _test(key, op, value)
    return (lambda t: not test(t)) if negate else test


def matching(world: World, query: str) -> list[Ticket]:
    terms = [_term(term) for term in query.split()]
    if not terms:
        raise bad_request("InvalidParameter", "query is required")
    tests = [t for t in terms if t is not None]
    return [t for t in world.tickets.values() if all(test(t) for test in tests)]


def _sorted(request: ApiRequest, tickets: list[Ticket]) -> list[Ticket]:
    sort_by = request.param("sort_by") or "created_at"
    if sort_by not in SORTABLE:
        raise bad_request("InvalidParameter", f"sort_by must be one of {', '.join(SORTABLE)}")
    descending = (request.param("sort_order") or "desc") != "asc"

    return sorted(tickets, key=lambda t: (getattr(t, sort_by), t.id), reverse=descending)


@_route("GET", r"/api/v2/search")
def _search(api: ZendeskApi, request: ApiRequest, user: User) -> Answer:
    admitted, headers = api.search_limit.admit()
    if not admitted:
        return Answer(429, default_body(429), headers)
    found = _sorted(request, matching(api.world, request.param("query") or ""))
    per_page = min(int_param(request, "per_page", PER_PAGE), PER_PAGE)
    number = int_param(request, "page", 1)
    start = (number - 1) * per_page
    if start >= MAX_RESULTS:
        raise _invalid("Search results are limited to 1,000: narrow the query.")
    end = min(start + per_page, len(found), MAX_RESULTS)
    results = [
        {**api.world.render_ticket(t, request.base), "result_type": "ticket"}
        for t in found[start:end]
    ]
    more = end < min(len(found), MAX_RESULTS)
    # Zendesk counts every match, also past the 1,000 it will page through.
    body = {"results": results, "facets": None, "count": len(found)}
    return Answer(200, {**body, **offset_links(request, number, per_page, more)})
