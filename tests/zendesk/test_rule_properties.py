"""Property, over real HTTP through the whole Zendesk side (wiring -> gateway -> zenpy -> the
stand-in): however memberships and organization tags and fields move between the preview, Apply
and Undo, every ticket the bot writes ends on an organization that its requester belongs to and
that is a partner's exactly when the requester is a partner user, judged on ALL of the
requester's memberships in the stand-in's world as it is right after the write. And Apply puts
the ticket where its scenario says: a customer organization, never a partner's, or the partner's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.config import Settings
from bot.domain.planning import FixRequest, Plan
from bot.domain.scenarios import Scenario
from bot.fixes import Done, Fixes, Preview
from bot.ports import Trace
from bot.wiring import build_fixes
from standins.harness import Stack
from standins.zendesk import ZendeskSandbox
from standins.zendesk.world import bundled_seed
from tests.conftest import zendesk_settings

PAT, NINA, GARY = 4101000000001, 4101000000002, 4101000000003
CARLA, IVAN, HANA, UMA, OLGA = (
    4101000000101, 4101000000102, 4101000000103, 4101000000104, 4101000000105,
)  # fmt: skip
ACME, NORTHWIND = 360100000001, 360100000002
GLOBEX, INITECH, HOOLI, HOOLI_EU, UMBRELLA = (
    360100000011, 360100000012, 360100000013, 360100000014, 360100000015,
)  # fmt: skip
OPEN_TICKETS = [
    512301, 512302, 512303, 512304, 512305, 512307, 512308, 512309, 9007199254740993,
]  # fmt: skip
PEOPLE = [PAT, NINA, GARY, CARLA, IVAN, HANA, UMA, OLGA]
ORGS = [ACME, NORTHWIND, GLOBEX, INITECH, HOOLI, HOOLI_EU, UMBRELLA]
EMAILS = [
    "pat@acmedevops.example", "nina@northwind-int.example", "contractor@globex.example",
    "carla@globex.example", "ivan@initech.example", "hana@hooli.example",
    "uma@umbrella.example", "olga@orgless.example", "sam@gitlab.example",
    "nobody@globex.example",
]  # fmt: skip
CUSTOMERS = EMAILS[3:7]
USER_OF = dict(zip(EMAILS, [PAT, NINA, GARY, CARLA, IVAN, HANA, UMA, OLGA], strict=False))
# Whom Undo would make requester again: each ticket's requester in the seed.
ORIGINAL_REQUESTER = {int(t["id"]): int(t["requester_id"]) for t in bundled_seed()["tickets"]}
CARLA_ON_GLOBEX = FixRequest(
    ticket_id=512301, scenario=Scenario.CUSTOMER_ACCOUNT, customer_email="carla@globex.example"
)
PARTNER_TAGS = {"open_partner", "select_partner", "alliance_partner"}
PARTNER_VALUES = {"open_partner", "select_partner", "alliance_partner"}
WRITING = [
    Scenario.CUSTOMER_ACCOUNT,
    Scenario.SERVICES_ENGAGEMENT,
    Scenario.PARTNER_COMMERCIAL,
    Scenario.PARTNER_NFR,
]

# ---- the world as it truly is: read from the stand-in itself, every membership ----------------


def is_partner_org(zendesk: ZendeskSandbox, org_id: int) -> bool:
    org = zendesk.world.organizations[org_id]
    kind = str(org.organization_fields.get("account_type") or "").strip().lower()
    return bool(set(org.tags) & PARTNER_TAGS) or kind in PARTNER_VALUES


def violation(zendesk: ZendeskSandbox, ticket_id: int) -> str | None:
    """What is wrong with the ticket's requester and organization in the world, or None."""
    ticket = zendesk.ticket(ticket_id)
    requester, org = ticket["requester_id"], ticket["organization_id"]
    if org is None:
        return None
    memberships = zendesk.world.organization_ids_of(requester)
    if org not in memberships:
        return f"ticket {ticket_id}: requester {requester} is not in organization {org}"
    requester_is_partner = any(is_partner_org(zendesk, o) for o in memberships)
    if requester_is_partner != is_partner_org(zendesk, org):
        return (
            f"ticket {ticket_id}: requester {requester} (partner: {requester_is_partner}, "
            f"memberships {memberships}) on organization {org} "
            f"(partner: {is_partner_org(zendesk, org)})"
        )
    return None


# ---- moves an admin (or Salesforce's sync) makes between two clicks ----------------------------


def who(zendesk: ZendeskSandbox, request: FixRequest, role: int | str) -> int | None:
    ticket = zendesk.ticket(request.ticket_id)
    if role == "customer":
        return USER_OF.get(request.customer_email or "")
    if role == "partner":
        return USER_OF.get(request.partner_email or "") or ticket["submitter_id"]
    if role == "original":
        return ORIGINAL_REQUESTER[request.ticket_id]
    if role in ("requester", "submitter"):
        return int(ticket[f"{role}_id"])
    return int(role)


def which_org(zendesk: ZendeskSandbox, request: FixRequest, role: int | str) -> int | None:
    if role == "ticket's":
        found = zendesk.ticket(request.ticket_id)["organization_id"]
        return int(found) if found else None
    if isinstance(role, str):
        user = who(zendesk, request, role.removesuffix("'s"))
        orgs = zendesk.world.organization_ids_of(user) if user else []
        return orgs[0] if orgs else None
    return role


@dataclass(frozen=True)
class Move:
    kind: str
    # A user id, or who that is for this request: "customer" (the customer email's user),
    # "requester" (the ticket's requester at the time of the move).
    who: int | str
    org: int | str
    default: bool = False
    value: str | None = None

    def apply(self, zendesk: ZendeskSandbox, request: FixRequest) -> None:
        user = who(zendesk, request, self.who)
        org = which_org(zendesk, request, self.org)
        if org is None:
            return
        try:
            if self.kind == "join" and user is not None:
                zendesk.world.add_membership(user, org, default=self.default)
            elif self.kind == "leave" and user is not None:
                zendesk.world.remove_membership(user, org)
            elif self.kind == "tags":
                zendesk.world.update_organization(org, tags=[self.value] if self.value else [])
            elif self.kind == "field":
                zendesk.world.update_organization(org, fields={"account_type": self.value})
        except (KeyError, ValueError):
            pass  # already a member, or not one: this move changes nothing


# Who and what a move touches: mostly the people and organizations this request rests on
# (resolved when the move is made), sometimes anyone.
ROLES = ["customer", "customer", "original", "original", "requester", "submitter", "partner"]
ORG_ROLES = ["customer's", "customer's", "original's", "original's", "ticket's", "partner's"]
PARTNERISH = ["open_partner", "select_partner", "alliance_partner"]

people = st.one_of(st.sampled_from(ROLES), st.sampled_from(ROLES), st.sampled_from(PEOPLE))
joins = st.builds(
    Move,
    kind=st.just("join"),
    who=people,
    org=st.sampled_from([ACME, NORTHWIND, ACME, NORTHWIND, *ORGS]),
    default=st.booleans(),
)
leaves = st.builds(
    Move, kind=st.just("leave"), who=people, org=st.sampled_from([*ORG_ROLES, *ORGS])
)
marks = st.builds(
    Move,
    kind=st.sampled_from(["tags", "field"]),
    who=st.just("customer"),
    org=st.sampled_from([*ORG_ROLES, *ORG_ROLES, *ORGS]),
    value=st.sampled_from([*PARTNERISH, "Open_Partner ", None, "Customer", "Reseller"]),
)
move = st.one_of(joins, joins, leaves, marks, marks)
moves = st.lists(move, max_size=2)
# Between two clicks there is always something moving: that is what the property is about.
some_moves = st.lists(move, min_size=1, max_size=3)


@st.composite
def requests_(draw: st.DrawFn) -> FixRequest:
    scenario = draw(st.sampled_from(WRITING))
    return FixRequest(
        # The tickets whose requester is a customer on a customer organization, twice as often:
        # Undo puts those people back, and that is where a moved world can bite.
        ticket_id=draw(st.sampled_from([*OPEN_TICKETS, 512303, 512303, 512309, 512307])),
        scenario=scenario,
        # Mostly someone who is a customer in the seed, sometimes anyone at all.
        customer_email=draw(st.sampled_from([*EMAILS, *CUSTOMERS, *CUSTOMERS])),
        partner_email=draw(st.one_of(st.none(), st.none(), st.sampled_from(EMAILS))),
    )


def move_all(zendesk: ZendeskSandbox, request: FixRequest, some: list[Move]) -> None:
    for move in some:
        move.apply(zendesk, request)


# ---- the property ------------------------------------------------------------------------------


@dataclass
class Bot:
    zendesk: ZendeskSandbox
    fixes: Fixes
    writes: int = 0


def bot_for(zendesk: ZendeskSandbox) -> Bot:
    settings: Settings = zendesk_settings(zendesk)
    return Bot(zendesk, build_fixes(settings))


def check_after_write(bot: Bot, request: FixRequest, result: Any, step: str) -> None:
    if not isinstance(result, Done):
        return
    bot.writes += 1
    problem = violation(bot.zendesk, request.ticket_id)
    assert problem is None, f"after {step}: {problem}"
    if step == "Apply":
        # What each scenario puts the ticket on (the contract's table): the customer's
        # organization, never a partner's; or the partner's.
        org = bot.zendesk.ticket(request.ticket_id)["organization_id"]
        wants_partner = request.scenario in (Scenario.PARTNER_COMMERCIAL, Scenario.PARTNER_NFR)
        on_partner = org is not None and is_partner_org(bot.zendesk, org)
        assert org is not None and on_partner == wants_partner, (
            f"after Apply of {request.scenario.value}: ticket {request.ticket_id} on "
            f"organization {org} (partner: {on_partner})"
        )


def play(
    bot: Bot,
    request: FixRequest,
    before_preview: list[Move],
    before_apply: list[Move],
    before_undo: list[Move],
) -> None:
    zendesk, fixes = bot.zendesk, bot.fixes
    zendesk.reset()
    move_all(zendesk, request, before_preview)
    previewed = fixes.preview(request)
    assert isinstance(previewed, Preview), previewed
    outcome = previewed.outcome
    if not isinstance(outcome, Plan) or outcome.already_correct:
        return
    move_all(zendesk, request, before_apply)
    trace = Trace(request_id="req-prop", requested_by="hypothesis")
    applied = fixes.apply(outcome, request, trace)
    check_after_write(bot, request, applied, "Apply")
    if not isinstance(applied, Done):
        return
    move_all(zendesk, request, before_undo)
    undone = fixes.undo(request.ticket_id, trace, trace.request_id)
    check_after_write(bot, request, undone, "Undo")


def test_every_write_leaves_requester_and_organization_on_the_same_side(
    stack: Stack,
) -> None:
    bot = bot_for(stack.zendesk)
    run = _property(bot)
    run()
    # The property must have been put to the test: some generated cases wrote.
    assert bot.writes >= 10, bot.writes


def _property(bot: Bot) -> Callable[[], None]:
    @settings(
        max_examples=100,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        request=requests_(), before_preview=moves, before_apply=some_moves, before_undo=some_moves
    )
    # The cases of issue #7, always tried first; the generated ones explore around them.
    @example(
        request=CARLA_ON_GLOBEX,
        before_preview=[],
        before_apply=[Move("join", CARLA, ACME)],  # not her default: in no sideload
        before_undo=[],
    )
    @example(
        request=CARLA_ON_GLOBEX,
        before_preview=[Move("field", "customer", "customer's", value="Open_Partner")],
        before_apply=[],
        before_undo=[],
    )
    @example(
        request=FixRequest(ticket_id=512303, scenario=Scenario.PARTNER_COMMERCIAL),
        before_preview=[],
        before_apply=[],
        before_undo=[Move("join", HANA, NORTHWIND)],
    )
    def run(
        request: FixRequest,
        before_preview: list[Move],
        before_apply: list[Move],
        before_undo: list[Move],
    ) -> None:
        play(bot, request, before_preview, before_apply, before_undo)

    return run
