"""What rides in button values and private_metadata: exact round trips, and refusals of the rest.

Slack signs every payload, so a value normally comes back as the bot wrote it; but an older bot's
value, a value cut by a proxy or a forged one must still end as None (the person then gets "that
button's data is damaged") and never as an exception, a hang or a memory blow-up. And what the bot
writes must fit: Slack refuses a message whose button value is over 2,000 characters, and a modal
whose private_metadata is over 3,000.
"""

from __future__ import annotations

import base64
import json
import random
import string
import time
import zlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.planning import Change, Correction, FixRequest, Plan
from bot.domain.scenarios import Scenario
from bot.slack.values import (
    MAX_BUTTON_VALUE,
    MAX_PRIVATE_METADATA,
    MAX_UNPACKED,
    ApplyValue,
    ModalContext,
    TicketValue,
    decode_apply,
    decode_context,
    decode_ticket,
    encode_apply,
    encode_context,
    encode_ticket,
)

REQUEST = FixRequest(
    ticket_id=512301,
    scenario=Scenario.SERVICES_ENGAGEMENT,
    customer_email="carla@globex.example",
    partner_email="pat@acmedevops.example",
    organization_id=360100000011,
)
CORRECTION = Correction(
    requester=(4101000000201, 4101000000101),
    organization=(None, 360100000011),
    org_email=("carla@globex.exmaple", "carla@globex.example"),
    cc_added=4101000000001,
)


def plan(name: str = "Carla Customer", org_email_before: str = "carla@globex.exmaple") -> Plan:
    """A services-engagement plan whose descriptive words are built from `name`."""
    return Plan(
        ticket_id=512301,
        scenario=Scenario.SERVICES_ENGAGEMENT,
        updated_at="2026-11-27T10:11:12Z",
        correction=CORRECTION.model_copy(
            update={"org_email": (org_email_before, "carla@globex.example")}
        ),
        organization_id=360100000011,
        changes=(
            Change(field="requester", label="Requester", before="nobody", after=name),
            Change(field="organization", label="Organization", before="none", after=name),
            Change(
                field="org_email",
                label="Organization Email (partners)",
                before=org_email_before,
                after="carla@globex.example",
            ),
            Change(field="cc", label="CC", before="not in CC", after=f"{name} added"),
        ),
        subscription=f"{name} (ultimate): the customer's",
        contact=f"{name}, with Pat Partner on CC",
        notes=(f"{name} is in 2 customer organizations",),
        organization_choices=((360100000011, name), (360100000014, name)),
    )


def incompressible(length: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(length))


def packed(data: bytes) -> str:
    """Bytes packed the way the bot packs a value: zlib, then base64url."""
    return base64.urlsafe_b64encode(zlib.compress(data, 9)).decode()


# ---- round trips -----------------------------------------------------------------------------


def test_apply_value_round_trip() -> None:
    original = plan()
    value = encode_apply(REQUEST, original, "a1b2c3d4e5f6")
    assert len(value) <= MAX_BUTTON_VALUE
    carried = decode_apply(value)
    assert carried is not None
    assert carried.request == REQUEST and carried.request_id == "a1b2c3d4e5f6"
    # Everything the write and its safe_update stamp need comes back exactly.
    for key in ("ticket_id", "scenario", "updated_at", "correction", "organization_id", "changes"):
        assert getattr(carried.plan, key) == getattr(original, key), key
    assert carried.plan.subscription == original.subscription
    # The words only the preview needed are left behind.
    assert carried.plan.notes == () and carried.plan.organization_choices == ()


def test_apply_value_has_no_raw_text_from_zendesk() -> None:
    value = encode_apply(REQUEST, plan(name="<!channel> & <@U0AGENT2>"))
    assert set(value) <= set(string.ascii_letters + string.digits + "-_=")


@pytest.mark.parametrize("length", [200, 2_000, 20_000])
@pytest.mark.parametrize("compressible", [True, False])
def test_long_names_still_fit_a_button(length: int, compressible: bool) -> None:
    name = "Carla " * (length // 6) if compressible else incompressible(length)
    value = encode_apply(REQUEST, plan(name=name))
    assert len(value) <= MAX_BUTTON_VALUE
    carried = decode_apply(value)
    assert carried is not None
    assert carried.request == REQUEST and carried.plan.correction == plan().correction
    assert all(len(c.after) <= 200 for c in carried.plan.changes)


def test_a_long_organization_email_on_the_ticket_still_fits_a_button() -> None:
    value = encode_apply(REQUEST, plan(org_email_before=incompressible(3_000)))
    assert len(value) <= MAX_BUTTON_VALUE
    assert decode_apply(value) is not None


@pytest.mark.parametrize("request_value", [None, REQUEST])
def test_ticket_value_round_trip(request_value: FixRequest | None) -> None:
    value = encode_ticket(512301, request_value, request_id="a1b2c3d4e5f6")
    assert decode_ticket(value) == TicketValue(
        ticket_id=512301, request=request_value, request_id="a1b2c3d4e5f6"
    )


def test_ticket_value_fits_with_the_longest_emails() -> None:
    longest = "a" * 64 + "@" + "b" * 185 + ".example"
    request = REQUEST.model_copy(update={"customer_email": longest, "partner_email": longest})
    value = encode_ticket(999999999999, request, request_id="f" * 12)
    assert len(value) <= MAX_BUTTON_VALUE
    assert decode_ticket(value) == TicketValue(
        ticket_id=999999999999, request=request, request_id="f" * 12
    )


def test_modal_context_round_trip() -> None:
    context = ModalContext(
        channel="C0SUPPORT",
        thread_ts="1795827926.952372",
        response_url="https://hooks.slack.com/commands/T0/1/abc",
        user="U0AGENT1",
        note="The message names 2 tickets; this is the first (others: #512302).",
        request_id="a1b2c3d4e5f6",
    )
    text = encode_context(context)
    assert len(text) <= MAX_PRIVATE_METADATA
    assert decode_context(text) == context


def test_a_long_note_is_dropped_to_fit_private_metadata() -> None:
    context = ModalContext(channel="C0SUPPORT", user="U0AGENT1", note="#512302, " * 1_000)
    text = encode_context(context)
    assert len(text) <= MAX_PRIVATE_METADATA
    assert decode_context(text) == context.model_copy(update={"note": None})


# ---- garbage, tampering, bombs ---------------------------------------------------------------

GOOD_APPLY = encode_apply(REQUEST, plan(), "a1b2c3d4e5f6")
GOOD_TICKET = encode_ticket(512301, REQUEST, "a1b2c3d4e5f6")
GOOD_CONTEXT = encode_context(ModalContext(channel="C0SUPPORT", user="U0AGENT1"))

GARBAGE: list[Any] = [
    None,
    "",
    " ",
    "=",
    "====",
    "null",
    "{}",
    "[]",
    '""',
    "0",
    "-1",
    "NaN",
    "Infinity",
    "not base64 at all!",
    "\x00" * 10,
    "\ud800",  # a lone surrogate: JSON can carry one (`"\ud800"`) and Python keeps it
    '"\\ud800"',
    "<!channel>",
    "%" * 100,
    "A" * 3,
    "A" * 10_001,
    "[" * 100_000,
    '{"a":' * 50_000,
    "9" * 100_000,
    '{"ticket_id": ' + "9" * 5_000 + "}",
    '{"ticket_id": 1e400}',
    '{"ticket_id": "512301"x}',
    '{"ticket_id": 512301, "surprise": true}',
    '{"user": "U0AGENT1", "surprise": true}',
    '{"user": ' + '"' + "x" * 1_000_000 + '"' + ', "channel": [1]}',
    "x" * 5_000_000,
    GOOD_APPLY[: len(GOOD_APPLY) // 2],
    GOOD_APPLY[::-1],
    GOOD_APPLY.upper(),
    GOOD_TICKET[:-1],
    GOOD_CONTEXT[:-1],
    packed(b"\xff\xfe\xfa"),  # not UTF-8
    packed(b"not json"),
    packed(b'{"request": {"ticket_id": "x"}, "plan": null}'),
    packed(b"[" * 60_000),
    base64.urlsafe_b64encode(b"not zlib").decode(),
    base64.urlsafe_b64encode(zlib.compress(b"{}")[:-3]).decode(),  # a cut stream
]


def decoders() -> list[tuple[str, Any, type]]:
    return [
        ("apply", decode_apply, ApplyValue),
        ("ticket", decode_ticket, TicketValue),
        ("context", decode_context, ModalContext),
    ]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("garbage", GARBAGE, ids=lambda g: repr(g)[:40])
@pytest.mark.parametrize(("name", "decode", "model"), decoders(), ids=lambda d: str(d)[:8])
def test_garbage_decodes_to_none(name: str, decode: Any, model: type, garbage: Any) -> None:
    started = time.monotonic()
    assert decode(garbage) is None
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "noise", ["\u202e", "\u200b", " ", "\n", "!", "<!channel>"], ids=lambda n: repr(n)
)
def test_noise_in_a_value_never_changes_what_it_says(noise: str) -> None:
    # base64 decoding skips characters outside its alphabet, so noise may be ignored; it must
    # never turn the value into a different one.
    middle = len(GOOD_APPLY) // 2
    for forged in (noise + GOOD_APPLY, GOOD_APPLY[:middle] + noise + GOOD_APPLY[middle:]):
        assert decode_apply(forged) in (None, decode_apply(GOOD_APPLY))


def test_every_cut_of_an_apply_value_is_refused() -> None:
    # A proxy or a copy-paste that loses the end of the value must not yield a half plan. (A cut
    # into the zlib checksum alone still inflates to the whole, exact plan: that is fine.)
    for end in range(len(GOOD_APPLY)):
        carried = decode_apply(GOOD_APPLY[:end])
        assert carried is None or carried == decode_apply(GOOD_APPLY), end


def test_a_changed_character_never_raises() -> None:
    rng = random.Random(1)
    alphabet = string.ascii_letters + string.digits + "-_=+/!~\u00e9"
    for _ in range(500):
        where = rng.randrange(len(GOOD_APPLY))
        forged = GOOD_APPLY[:where] + rng.choice(alphabet) + GOOD_APPLY[where + 1 :]
        carried = decode_apply(forged)
        assert carried is None or isinstance(carried, ApplyValue)


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "payload",
    [
        b"\x00" * 50_000_000,  # 50 MB of zeros
        b" " * 20_000_000,
        b"[" * 20_000_000,
        # A real value padded past the unpack limit with JSON-legal whitespace.
        zlib.decompress(base64.urlsafe_b64decode(GOOD_APPLY)) + b" " * (MAX_UNPACKED + 1),
    ],
    ids=["zeros", "spaces", "brackets", "padded"],
)
def test_zip_bombs_are_refused_without_inflating(payload: bytes) -> None:
    bomb = packed(payload)
    started = time.monotonic()
    assert decode_apply(bomb) is None
    # Bounded by MAX_UNPACKED, not by the bomb's size.
    assert time.monotonic() - started < 1


def test_a_bomb_that_fits_a_button_is_refused() -> None:
    # The biggest deflate ratio within a real button value: ~1,500 bytes inflating to ~1.5 MB.
    bomb = packed(b"\x00" * 1_500_000)
    assert len(bomb) <= MAX_BUTTON_VALUE
    assert decode_apply(bomb) is None


def test_a_value_just_under_the_unpack_limit_still_decodes() -> None:
    padded = zlib.decompress(base64.urlsafe_b64decode(GOOD_APPLY))
    padded += b" " * (MAX_UNPACKED - len(padded))
    assert decode_apply(packed(padded)) == decode_apply(GOOD_APPLY)


# ---- properties ------------------------------------------------------------------------------

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
any_text = st.text(max_size=3_000)  # every code point, lone surrogates included


@pytest.mark.timeout(60)
@PROPERTY
@given(any_text)
def test_property_any_text_decodes_without_raising(text: str) -> None:
    for _, decode, model in decoders():
        result = decode(text)
        assert result is None or isinstance(result, model)


@pytest.mark.timeout(60)
@PROPERTY
@given(st.binary(max_size=5_000))
def test_property_any_packed_bytes_decode_without_raising(data: bytes) -> None:
    result = decode_apply(packed(data))
    assert result is None or isinstance(result, ApplyValue)


@pytest.mark.timeout(60)
@PROPERTY
@given(
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30)),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
        ),
        max_leaves=25,
    )
)
def test_property_any_json_decodes_without_raising(document: Any) -> None:
    text = json.dumps(document)
    for _, decode, model in decoders():
        result = decode(text)
        assert result is None or isinstance(result, model)
    result = decode_apply(packed(text.encode()))
    assert result is None or isinstance(result, ApplyValue)


names = st.one_of(
    st.text(max_size=20_000),
    st.tuples(st.text(min_size=1, max_size=20), st.integers(1, 2_000)).map(lambda p: p[0] * p[1]),
)
emails = st.from_regex(r"[a-z0-9.+_-]{1,64}@[a-z0-9-]{1,60}\.[a-z]{2,10}", fullmatch=True)


@pytest.mark.timeout(60)
@PROPERTY
@given(names, emails, emails, st.integers(1, 10**12 - 1), st.text(max_size=12))
def test_property_apply_values_fit_and_round_trip(
    name: str, customer: str, before: str, ticket_id: int, request_id: str
) -> None:
    # Names (from Zendesk) of any length and content; the org email an email-sized field.
    request = REQUEST.model_copy(update={"ticket_id": ticket_id, "customer_email": customer})
    original = plan(name=name, org_email_before=before).model_copy(update={"ticket_id": ticket_id})
    value = encode_apply(request, original, request_id or None)
    assert len(value) <= MAX_BUTTON_VALUE
    carried = decode_apply(value)
    assert carried is not None
    assert carried.request == request and carried.request_id == (request_id or None)
    assert carried.plan.correction == original.correction
    assert carried.plan.updated_at == original.updated_at
    assert carried.plan.ticket_id == ticket_id


@pytest.mark.timeout(60)
@PROPERTY
@given(
    st.text(max_size=100),
    st.one_of(st.none(), st.text(max_size=10_000)),
    st.one_of(st.none(), st.text(max_size=30)),
)
def test_property_modal_context_fits_and_round_trips(
    user: str, note: str | None, ts: str | None
) -> None:
    context = ModalContext(channel="C0SUPPORT", thread_ts=ts, user=user, note=note)
    text = encode_context(context)
    assert len(text) <= MAX_PRIVATE_METADATA
    decoded = decode_context(text)
    assert decoded is not None
    assert decoded in (context, context.model_copy(update={"note": None}))
