"""Property tests for ticket references: robust on any text, exact on every accepted form."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.refs import (
    MAX_INPUT_CHARS,
    MAX_TICKET_ID,
    RefError,
    TicketRef,
    find_ticket_refs,
    parse_ticket_ref,
)

HC = ("support.gitlab.com",)

# Every kind of character, including controls, surrogates-free Unicode and Slack's `<>&|`.
any_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300)
long_text = st.text(min_size=MAX_INPUT_CHARS - 50, max_size=MAX_INPUT_CHARS + 50)
# Text built from the pieces a reference is made of, so parsing gets past its first checks.
pieces = st.sampled_from(
    [
        "https://",
        "http://",
        "gitlab.zendesk.com",
        "support.gitlab.com",
        "evil.com",
        "@",
        ":",
        ":443",
        "/agent",
        "/tickets/",
        "/hc/en-us/requests/",
        "/api/v2/tickets/",
        "#",
        "ZD",
        "ticket ",
        "<",
        ">",
        "|",
        "&",
        " ",
        "\n",
        ".json",
        "?",
        "0",
        "1",
        "42",
        "\u0663",
        "\u200b",
    ]
)
ref_like_text = st.lists(pieces, max_size=20).map("".join)
texts = st.one_of(any_text, ref_like_text)

subdomains = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
ids = st.integers(min_value=1, max_value=MAX_TICKET_ID)

LINK_TEMPLATES = [
    "https://{sub}.zendesk.com/agent/tickets/{id}",
    "http://{sub}.zendesk.com/agent/tickets/{id}",
    "https://{sub}.zendesk.com/agent/tickets/{id}/events",
    "https://{sub}.zendesk.com/agent/tickets/{id}?a=1&b=2#c",
    "https://{sub}.zendesk.com/agent/#/tickets/{id}",
    "https://{sub}.zendesk.com/hc/en-us/requests/{id}",
    "https://{sub}.zendesk.com/hc/requests/{id}",
    "https://{sub}.zendesk.com/api/v2/tickets/{id}.json",
    "https://{sub}.zendesk.com/api/v2/tickets/{id}",
    "https://{sub}.zendesk.com/tickets/{id}",
    "https://{sub}.zendesk.com:443/agent/tickets/{id}",
    "{sub}.zendesk.com/agent/tickets/{id}",
    "<https://{sub}.zendesk.com/agent/tickets/{id}|ticket 1>",
    "<https://{sub}.zendesk.com/agent/tickets/{id}>",
]
HC_TEMPLATES = [
    "https://support.gitlab.com/hc/en-us/requests/{id}",
    "https://support.gitlab.com/hc/requests/{id}",
    "<https://support.gitlab.com/hc/requests/{id}|my request>",
]
MARKER_TEMPLATES = [
    "#{id}",
    "ZD#{id}",
    "ZD {id}",
    "ZD-{id}",
    "zd#{id}",
    "ticket {id}",
    "ticket #{id}",
]
BARE_TEMPLATE = "{id}"
WRAPPINGS = ["{}", "  {}  ", "{}.", "{},", "({})", "\n{}\n", "<{}>"]

ALL_TEMPLATES = LINK_TEMPLATES + HC_TEMPLATES + MARKER_TEMPLATES + [BARE_TEMPLATE]


def expected_host(template: str, sub: str) -> str | None:
    if "support.gitlab.com" in template:
        return "support.gitlab.com"
    if "zendesk.com" in template:
        return f"{sub}.zendesk.com"
    return None


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_parse_never_raises_and_answers_well_formed(text: str) -> None:
    result = parse_ticket_ref(text, HC)
    assert isinstance(result, TicketRef | RefError)
    check_result(text, result)


@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(long_text)
def test_parse_never_raises_on_long_text(text: str) -> None:
    result = parse_ticket_ref(text, HC)
    check_result(text, result)
    if len(text) > MAX_INPUT_CHARS:
        assert isinstance(result, RefError)
        assert "too long" in result.reason


def check_result(text: str, result: TicketRef | RefError) -> None:
    if isinstance(result, TicketRef):
        assert isinstance(result.id, int)
        assert 0 < result.id <= MAX_TICKET_ID
        assert result.host is None or result.host == result.host.lower()
        return
    reason = result.reason
    assert reason
    assert len(reason) < 200
    assert not set("<>&") & set(reason)
    assert "\n" not in reason
    # Never echo more than ~60 characters of the input in one piece.
    for start in range(len(reason) - 61):
        assert reason[start : start + 62] not in text


@given(
    template=st.sampled_from(ALL_TEMPLATES),
    wrapping=st.sampled_from(WRAPPINGS),
    sub=subdomains,
    ticket_id=ids,
)
def test_every_accepted_form_round_trips(
    template: str, wrapping: str, sub: str, ticket_id: int
) -> None:
    if template.startswith("<") and wrapping == "<{}>":
        wrapping = "{}"  # Slack never nests its own wrapping
    text = wrapping.format(template.format(sub=sub, id=ticket_id))
    expected = TicketRef(id=ticket_id, host=expected_host(template, sub))
    assert parse_ticket_ref(text, HC) == expected
    # A message holding just the reference names that ticket and nothing else.
    assert find_ticket_refs(text, HC) == [expected]


@given(ticket_id=st.integers(min_value=MAX_TICKET_ID + 1, max_value=10**40))
def test_ids_beyond_64_bits_are_refused(ticket_id: int) -> None:
    result = parse_ticket_ref(f"#{ticket_id}")
    assert isinstance(result, RefError)
    assert "too large" in result.reason


@given(ticket_id=st.integers(min_value=10**12, max_value=MAX_TICKET_ID))
def test_every_64_bit_id_is_accepted(ticket_id: int) -> None:
    assert parse_ticket_ref(f"#{ticket_id}") == TicketRef(id=ticket_id, host=None)
    assert parse_ticket_ref(f"ZD#{ticket_id:025d}") == TicketRef(id=ticket_id, host=None)


@settings(max_examples=300)
@given(texts)
def test_find_never_raises_and_ids_are_well_formed(text: str) -> None:
    refs = find_ticket_refs(text, HC)
    assert len({ref.id for ref in refs}) == len(refs)
    for ref in refs:
        assert 0 < ref.id <= MAX_TICKET_ID
        # Every id found is written, in ASCII digits, somewhere in the message.
        assert str(ref.id) in text.translate({ord("<"): " "}) or ("0" + str(ref.id)) in text


# Prose that must never be read as a ticket; no markers, no links.
PROSE = st.sampled_from(
    [
        "hi",
        "we have",
        "500",
        "users",
        "on 16.3.1",
        "since 2024-05-01",
        "thanks!",
        "3 nodes",
        "see gitlab-org/gitlab#123",
        "issue #9",
        "MR #10",
        "(12 GB)",
        "v17",
        "&amp;",
    ]
)
SEPARATORS = st.sampled_from([" ", "\n", ", ", " and ", "; "])


@st.composite
def messages(draw: st.DrawFn) -> tuple[str, list[int], list[int]]:
    """A Slack-like message, the ids its reference pieces name in order, and all parseable ids."""
    parts: list[str] = []
    named: list[int] = []
    parsed: list[int] = []
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        kind = draw(st.sampled_from(["link", "marker", "bare", "prose"]))
        if kind == "prose":
            parts.append(draw(PROSE))
            continue
        ticket_id = draw(ids)
        if kind == "link":
            template = draw(st.sampled_from(LINK_TEMPLATES + HC_TEMPLATES))
            named.append(ticket_id)
        elif kind == "marker":
            template = draw(st.sampled_from(MARKER_TEMPLATES))
            named.append(ticket_id)
        else:
            template = BARE_TEMPLATE
        piece = template.format(sub=draw(subdomains), id=ticket_id)
        result = parse_ticket_ref(piece, HC)
        assert isinstance(result, TicketRef)
        parsed.append(result.id)
        parts.append(piece)
    text = ""
    for index, part in enumerate(parts):
        text += (draw(SEPARATORS) if index else "") + part
    return text, named, parsed


def whole_message_ref(text: str) -> list[int]:
    # A message that is nothing but one reference (even a bare number) names that ticket.
    whole = parse_ticket_ref(text, HC)
    return [whole.id] if isinstance(whole, TicketRef) else []


@settings(max_examples=600)
@given(messages())
def test_find_names_every_link_and_marker_in_order_and_only_what_parses(
    message: tuple[str, list[int], list[int]],
) -> None:
    text, named, parsed = message
    found = [ref.id for ref in find_ticket_refs(text, HC)]
    assert set(found) <= set(parsed) | set(whole_message_ref(text))
    assert found == (whole_message_ref(text) or list(dict.fromkeys(named)))
