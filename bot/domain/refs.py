"""Ticket references: what a support engineer pastes, turned into a Zendesk ticket id.

`parse_ticket_ref` judges one field's worth of text (a modal input, a slash-command argument) and
says either which ticket it names or, in one plain sentence, why it names none. `find_ticket_refs`
scans a whole Slack message for the tickets it links or explicitly marks.

Pure: every answer is a function of the arguments. Not being a ticket is an ordinary outcome, so it
comes back as a `RefError` value rather than an exception.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

__all__ = [
    "MAX_INPUT_CHARS",
    "MAX_TICKET_ID",
    "RefError",
    "TicketRef",
    "find_ticket_refs",
    "parse_ticket_ref",
]

_T = TypeVar("_T")

MAX_INPUT_CHARS = 2000
# Zendesk's ids are 64-bit signed integers.
MAX_TICKET_ID = 2**63 - 1
MAX_ID_DIGITS = len(str(MAX_TICKET_ID))
# Reasons go straight into Slack, so they quote at most this much of what was typed.
_ECHO_CHARS = 60


@dataclass(frozen=True, slots=True)
class TicketRef:
    """A ticket named by the user; `host` is the lowercased host of the link, None for bare ids."""

    id: int
    host: str | None


@dataclass(frozen=True, slots=True)
class RefError:
    """The text names no single ticket; `reason` is one short, Slack-safe sentence saying why."""

    reason: str


# Every pattern is ASCII-only: with Unicode case folding `[a-z]` and `i` also match the Kelvin
# sign, dotless i and long s, and `\d` matches Arabic-Indic or fullwidth digits; none belong in a
# host or an id.
_FLAGS = re.ASCII | re.IGNORECASE

# `#123`, `ZD#123`, `ZD 123`, `ZD-123`, `ticket 123`, `ticket #123` and a bare `123`.
_MARKER = r"(?:(?:zd|ticket)[ \xa0]*[#:-]?[ \xa0]*|\#)"
_BARE = re.compile(rf"{_MARKER}?([0-9]+)", _FLAGS)
_NEGATIVE = re.compile(r"(?:(?:zd|ticket)[ \xa0]*\#?|\#)?[ \xa0]*[-\u2212][ \xa0]*[0-9]+", _FLAGS)

_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):(//)?", _FLAGS)
# A link typed without its scheme: a dotted host whose last label is a name, then a path.
_SCHEMELESS = re.compile(r"(?:[a-z0-9-]+\.)+[a-z][a-z0-9-]*(?::[0-9]*)?(?:[/?#].*)?", _FLAGS)
# Exactly one DNS label in front of zendesk.com: `a.b.zendesk.com` or `zendesk.com` is not ours.
_ZENDESK_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.zendesk\.com", re.ASCII)

# What may follow the id in a ticket path (`/events`, `/print`). No dots or escapes: `/../` or
# `%2e%2e` would let a link that starts like a ticket resolve to some other page.
_TAIL = r"(?:/[a-z0-9_-]*)*"
_ZENDESK_PATHS = (
    re.compile(rf"/agent/tickets/([0-9]+){_TAIL}", _FLAGS),
    re.compile(rf"/api/v2/tickets/([0-9]+)(?:\.json|{_TAIL})", _FLAGS),
    re.compile(r"/tickets/([0-9]+)(?:\.json)?/?", _FLAGS),
)
_HELP_CENTER_PATH = re.compile(
    rf"/hc(?:/[a-z]{{2,3}}(?:-[a-z0-9]{{2,8}})*)?/requests/([0-9]+){_TAIL}", _FLAGS
)
# The old agent UI kept its route in the fragment: `/agent/#/tickets/123`.
_AGENT_ROOT = re.compile(r"/agent/?", _FLAGS)
_AGENT_FRAGMENT = re.compile(rf"/tickets/([0-9]+){_TAIL}(?:\?.*)?", _FLAGS | re.DOTALL)

# Slack wraps links as `<url|label>` or `<url>`; the label is display text and never counts.
_SCAN = re.compile(
    r"<(?P<wrapped>[^<>|\s]+)(?:\|[^<>]*)?>"
    r"|(?P<link>https?://[^\s<>]+)"
    r"|(?P<hostlink>(?<![\w@./-])(?:[a-z0-9-]+\.)+[a-z][a-z0-9-]*(?::[0-9]+)?/[^\s<>]*)"
    rf"|(?P<marker>{_MARKER})(?P<id>[0-9]+)",
    _FLAGS,
)
_UNICODE_SPACE = re.compile(r"\s")
_TOKEN_SEPARATORS = re.compile(r"[\s,;]+")

# Wrapping people add around a reference: brackets, quotes, Slack bold/italic/code, end punctuation.
_LEADING = "([{\"'`*_~\u201c\u2018\u00ab"
_TRAILING = ".,;:!?)]}\"'`*_~\u201d\u2019\u00bb"
# In GitLab's world `issue #5` or `MR #5` is not a Zendesk ticket.
_NOT_TICKET_WORDS = frozenset(
    {
        *("issue", "issues", "mr", "mrs", "epic", "epics", "pr", "prs"),
        *("incident", "incidents", "pipeline", "pipelines", "job", "jobs"),
    }
)
# Line breaks, control and invisible format characters (zero-width space, bidi overrides) have no
# place in a link or number and can disguise what a link really points to.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# Look-alikes keep the echo readable while Slack sees no `<…>` link, mention or `&` entity.
_SLACK_SAFE = str.maketrans({"<": "\u2039", ">": "\u203a", "&": "\uff06"})


def parse_ticket_ref(text: str, help_center_hosts: Iterable[str] = ()) -> TicketRef | RefError:
    """Return the one ticket `text` names, or a `RefError` saying why it names none."""
    if len(text) > MAX_INPUT_CHARS:
        return RefError(
            f"That text is {len(text):,} characters long, too long for a ticket link or number: "
            "paste just one."
        )
    stripped = text.strip()
    if not stripped:
        return RefError("Nothing was given: paste a ticket link or a ticket number.")
    hosts = _normalise_hosts(help_center_hosts)

    single = _parse_single(stripped, hosts)
    if isinstance(single, TicketRef):
        return single

    # The text as a whole is not one reference; say the most useful thing about why.
    scanned = _distinct(ref.id for ref in _scan(stripped, hosts))
    tokens = [token for token in _TOKEN_SEPARATORS.split(stripped) if token]
    token_refs = [_parse_single(token, hosts) for token in tokens]
    if len(tokens) > 1 and all(isinstance(ref, TicketRef) for ref in token_refs):
        listed = [ref for ref in token_refs if isinstance(ref, TicketRef)]
        instances = _distinct(ref.host for ref in listed if _on_zendesk(ref.host))
        if len(_distinct(ref.id for ref in listed)) == 1 and len(instances) <= 1:
            # The same ticket pasted twice still names exactly one ticket. The link wins over the
            # bare id: its host is what the caller checks, so `123 <another instance's link to
            # 123>` can't pass as our ticket 123.
            return next((ref for ref in listed if ref.host), listed[0])
        # Two Zendesk instances with the same number are two different tickets.
        return RefError(f"{_quote(stripped)} names several tickets: give one.")
    if len(scanned) > 1:
        return RefError(f"{_quote(stripped)} names several tickets: give one.")
    if single is not None:
        return single
    if scanned:
        return RefError(
            f"{_quote(stripped)} has more than a ticket in it: paste just the link or number."
        )
    return RefError(f"{_quote(stripped)} isn't a ticket link or ticket number.")


def find_ticket_refs(
    text: str,
    help_center_hosts: Iterable[str] = (),
    keep: Callable[[TicketRef], bool] = lambda ref: True,
) -> list[TicketRef]:
    """Every ticket a Slack message links or marks (`#N`, `ZD#N`, `ticket N`), in order, once.

    Numbers in prose don't count ("we have 500 users"), unless the whole message is the reference.
    `keep` drops references before duplicates are merged, so a link to another Zendesk instance
    can't hide the same number written for ours.
    """
    hosts = _normalise_hosts(help_center_hosts)
    if len(text) <= MAX_INPUT_CHARS:
        whole = parse_ticket_ref(text, hosts)
        if isinstance(whole, TicketRef):
            return [whole] if keep(whole) else []
    found: dict[int, TicketRef] = {}
    for ref in _scan(text, hosts):
        if keep(ref):
            found.setdefault(ref.id, ref)
    return list(found.values())


def _normalise_hosts(hosts: Iterable[str]) -> frozenset[str]:
    # A lone string would otherwise be iterated character by character.
    if isinstance(hosts, str):
        hosts = (hosts,)
    return frozenset(host.strip().lower() for host in hosts if host.strip())


def _parse_single(candidate: str, hosts: frozenset[str]) -> TicketRef | RefError | None:
    """Judge `candidate` as exactly one reference; None when it doesn't even look like one."""
    if any(_is_hidden(ch) for ch in candidate):
        return RefError(
            f"{_quote(candidate)} contains a line break or an invisible character: paste the link "
            "or number on its own."
        )
    unwrapped = _unwrap(candidate)
    if isinstance(unwrapped, RefError):
        return unwrapped
    bare = _BARE.fullmatch(unwrapped)
    if bare:
        return _ref_from_digits(bare.group(1), None, unwrapped)
    if _NEGATIVE.fullmatch(unwrapped):
        return RefError(f"{_quote(unwrapped)} is negative: ticket numbers are positive.")
    link = _parse_link(unwrapped, hosts)
    if link is not None:
        return link
    if any(ch.isdigit() and not ch.isascii() for ch in unwrapped):
        return RefError(
            f"{_quote(unwrapped)} uses digits other than 0-9: type the ticket number with 0-9."
        )
    return None


def _unwrap(candidate: str) -> str | RefError:
    """Peel off brackets, quotes, end punctuation and Slack's `<url|label>` wrapping."""
    current = candidate
    # A few rounds cover `(<url>).`-style nesting; more would only serve hostile input.
    for _ in range(4):
        before = current
        current = current.lstrip(_LEADING).rstrip(_TRAILING).strip()
        inner = current[1:-1]
        if (
            len(current) >= 2
            and current[0] == "<"
            and current[-1] == ">"
            and "<" not in inner
            and ">" not in inner
        ):
            current = inner.partition("|")[0].strip()
            # `<@U…>`, `<#C…>` and `<!here>` are Slack mentions; `<#123>` is just a bracketed id.
            if current[:1] in ("@", "!") or (current[:1] == "#" and current[1:2].isalpha()):
                return RefError(f"{_quote(candidate)} is a Slack mention, not a ticket.")
        if current == before:
            break
    return current


def _parse_link(link: str, hosts: frozenset[str]) -> TicketRef | RefError | None:
    """Judge `link` as a URL to a ticket; None when it isn't shaped like a link at all."""
    if not link or any(ch.isspace() for ch in link):
        return None
    scheme = _SCHEME.match(link)
    if scheme and scheme.group(2):
        if scheme.group(1).lower() not in ("http", "https"):
            return RefError(f"{_quote(link)} isn't a web link: ticket links start with https://.")
        rest = link[scheme.end() :]
    elif scheme and scheme.group(1).lower() == "mailto":
        return RefError(f"{_quote(link)} is an email address, not a ticket.")
    elif _SCHEMELESS.fullmatch(link):
        rest = link
    else:
        return None
    # Browsers read a backslash as a slash, so it could move where the host ends.
    if "\\" in rest:
        return RefError(f"{_quote(link)} isn't a ticket link.")

    end = len(rest)
    for stop in "/?#":
        index = rest.find(stop)
        if index != -1:
            end = min(end, index)
    authority, after = rest[:end], rest[end:]
    before_fragment, _, fragment = after.partition("#")
    path = before_fragment.partition("?")[0]

    if "@" in authority:
        # `https://gitlab.zendesk.com@evil.com/` really goes to evil.com.
        return RefError(
            f"{_quote(link)} has a user name before the host, which a ticket link never has."
        )
    if not authority:
        return RefError(f"{_quote(link)} has no host, so it isn't a ticket link.")
    host, has_port, port = authority.partition(":")
    if authority.startswith("[") or not host.isascii():
        return _not_zendesk(authority)
    if has_port and port not in ("80", "443"):
        return RefError(f"{_quote(link)} names a port, which a ticket link never does.")
    host = host.lower()
    on_zendesk = _ZENDESK_HOST.fullmatch(host) is not None
    if not on_zendesk and host not in hosts:
        return _not_zendesk(authority)

    digits = _ticket_id_in_path(path, fragment, on_zendesk)
    if digits is None:
        return RefError(f"{_quote(link)} points to a page that isn't a ticket.")
    return _ref_from_digits(digits, host, link)


def _ticket_id_in_path(path: str, fragment: str, on_zendesk: bool) -> str | None:
    # Host-mapped help centers only serve the help center, so only request pages count there.
    patterns = (*_ZENDESK_PATHS, _HELP_CENTER_PATH) if on_zendesk else (_HELP_CENTER_PATH,)
    for pattern in patterns:
        match = pattern.fullmatch(path)
        if match:
            return match.group(1)
    if on_zendesk and _AGENT_ROOT.fullmatch(path):
        match = _AGENT_FRAGMENT.fullmatch(fragment)
        if match:
            return match.group(1)
    return None


def _not_zendesk(authority: str) -> RefError:
    return RefError(
        f"{_quote(authority)} isn't a Zendesk address: use a link on a zendesk.com subdomain "
        "or on our help center."
    )


def _ref_from_digits(digits: str, host: str | None, shown: str) -> TicketRef | RefError:
    # Length first: it bounds int(); leading zeros don't make a number larger.
    significant = digits.lstrip("0")
    if len(significant) > MAX_ID_DIGITS or (significant and int(significant) > MAX_TICKET_ID):
        return RefError(
            f"{_quote(shown)} has a number too large for a ticket (Zendesk's ticket ids go up "
            f"to {MAX_TICKET_ID})."
        )
    number = int(significant or "0")
    if number == 0:
        return RefError(f"{_quote(shown)} names ticket 0, which can't exist: tickets start at 1.")
    return TicketRef(id=number, host=host)


def _scan(text: str, hosts: frozenset[str]) -> list[TicketRef]:
    """Every ticket linked or explicitly marked in free text, in order, duplicates kept."""
    refs: list[TicketRef] = []
    position = 0
    while True:
        match = _SCAN.search(text, position)
        if match is None:
            return refs
        position = match.end()
        if match.group("wrapped") is not None:
            ref = _parse_link(match.group("wrapped"), hosts)
        elif match.group("marker") is not None:
            ref = _marker_ref(text, match)
            if ref is None:
                # Rejected markers may overlap a valid one (`xzd #5` holds `#5`): step by one.
                position = match.start() + 1
                continue
        else:
            group = "link" if match.group("link") is not None else "hostlink"
            # The ASCII-only pattern lets non-ASCII spaces into a link; they end it.
            candidate = _UNICODE_SPACE.split(match.group(group), maxsplit=1)[0]
            position = match.start(group) + max(len(candidate), 1)
            ref = _parse_link(candidate.rstrip(_TRAILING), hosts)
        if isinstance(ref, TicketRef):
            refs.append(ref)


def _marker_ref(text: str, match: re.Match[str]) -> TicketRef | None:
    start, end = match.start(), match.end()
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    after_next = text[end + 1] if end + 1 < len(text) else ""
    if _is_word_char(before) or _is_word_char(after):
        return None  # part of a longer word or number: `abc#12`, `#12b`, `ZD12٣`
    if after and after in ".," and after_next.isdigit():
        return None  # a decimal or a thousands separator: `#1.5`, `ticket 12,345`
    if match.group("marker").startswith("#"):
        if before and before in "&#/-.@":
            return None  # an HTML entity, a URL fragment, or a repeated `##`
        if _previous_word(text, start) in _NOT_TICKET_WORDS:
            return None
    ref = _ref_from_digits(match.group("id"), None, match.group())
    return ref if isinstance(ref, TicketRef) else None


def _previous_word(text: str, start: int) -> str:
    end = start
    while end > 0 and text[end - 1] in " \xa0":
        end -= 1
    begin = end
    # Words we look for are short; stopping early keeps the scan linear on hostile input.
    while begin > 0 and end - begin <= 20 and _is_word_char(text[begin - 1]):
        begin -= 1
    return text[begin:end].lower()


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _is_hidden(ch: str) -> bool:
    return unicodedata.category(ch) in _HIDDEN_CATEGORIES


def _distinct(items: Iterable[_T]) -> list[_T]:
    return list(dict.fromkeys(items))


def _on_zendesk(host: str | None) -> bool:
    return host is not None and _ZENDESK_HOST.fullmatch(host) is not None


def _quote(text: str) -> str:
    """A short, Slack-safe echo of user input: no mrkdwn control characters, no hidden ones."""
    safe = "".join("\ufffd" if _is_hidden(ch) else ch for ch in text).translate(_SLACK_SAFE)
    if len(safe) > _ECHO_CHARS:
        # Keep both ends: the host is at the start of a link and the ticket id near its end.
        safe = safe[: _ECHO_CHARS - 16] + "…" + safe[-15:]
    return f"“{safe}”"
