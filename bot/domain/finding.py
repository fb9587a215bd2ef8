"""find(snapshot) -> Finding: the customer the partner meant, when what they typed names nobody.

Pure: the gateway hands in the people Zendesk's user search found (in the snapshot, with every
organization of those still in the running); this ranks them by what the partner wrote (the
Organization Email, with its near misses; the Customer Name and Organization Name fields; addresses
in the description) and says why in words. A candidate is an end user who is not a partner's user
and has a customer organization: judged as the rule judges, on every membership, so someone the
bot could not read completely is never offered.

Similarity is rapidfuzz's: the optimal-string-alignment distance for addresses (a swapped pair
of letters is one slip, as people type), and its token ratio for names, whose word order and case
vary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA
from rapidfuzz.utils import default_process

from bot.domain.models import Frozen, Organization, Snapshot, User
from bot.domain.planning import describe_org, email_domain, valid_email

# Near misses: at most this many slips in the local part and the domain together.
MAX_SLIPS = 2
# A name this close (0-100, case and word order aside) counts as the same name.
SAME_NAME = 90.0
MAX_SHOWN = 5
# The best candidate is clear when it is this far ahead of the next.
CLEAR_MARGIN = 10

_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


class Candidate(Frozen):
    user: User
    organization: Organization
    score: int
    why: str

    def describe(self) -> str:
        return f"{self.user.name} <{self.user.email}> of {describe_org(self.organization)}"


class Finding(Frozen):
    """What the finder made of the ticket: the candidates, best first, and one sentence."""

    typed: str | None
    candidates: tuple[Candidate, ...] = ()
    # The one candidate clearly ahead of the rest, to prefill.
    clear: Candidate | None = None
    line: str = ""


def clues(snapshot: Snapshot) -> tuple[str | None, list[str]]:
    """The Organization Email as typed, and the addresses written in the description."""
    ticket = snapshot.ticket
    typed = (ticket.org_email or "").strip().lower() or None
    written = [a.lower() for a in _ADDRESS.findall(ticket.description)]
    return typed, [a for a in dict.fromkeys(written) if a != typed]


def search_terms(snapshot: Snapshot) -> list[str]:
    """What to ask Zendesk's user search for, most telling first: the typed local part, the
    Customer Name field, the typed domain's name."""
    typed, written = clues(snapshot)
    terms: list[str] = []
    if typed and "@" in typed:
        local, domain = typed.split("@", 1)
        terms.append(local)
        terms.append(domain.split(".")[0])
    if snapshot.ticket.customer_name:
        terms.insert(1, snapshot.ticket.customer_name.strip())
    terms += written
    return [t for t in dict.fromkeys(terms) if len(t) >= 3]


def named_customer(snapshot: Snapshot) -> User | None:
    """The customer (among the users read) whose address is exactly the Organization Email.

    A user with that address but no customer organization is no customer: when a partner types
    a wrong address as the requester, Zendesk makes a new, organization-less user of it.
    """
    typed, _ = clues(snapshot)
    if not typed:
        return None
    user = snapshot.user_by_email(typed) or next(
        (u for u in snapshot.users if (u.email or "").lower() == typed), None
    )
    if user is None or user.is_staff or snapshot.partner_orgs_of(user):
        return None
    return user if snapshot.customer_orgs_of(user) else None


def _slips(typed: str, actual: str) -> tuple[int, str] | None:
    """How far `actual` is from `typed`, in slips, and what they are in words; None if far."""
    if "@" not in typed or "@" not in actual:
        return None
    t_local, t_domain = typed.split("@", 1)
    a_local, a_domain = actual.lower().split("@", 1)
    t_name, _, t_tld = t_domain.rpartition(".")
    a_name, _, a_tld = a_domain.rpartition(".")
    words: list[str] = []
    local = OSA.distance(t_local, a_local)
    if local:
        words.append(_slip_words(local, "the name before the @", t_local, a_local))
    if t_name == a_name and t_tld != a_tld and OSA.distance(t_tld, a_tld) > 1:
        # `.co` for `.example`: a wrong top-level domain is one slip, however many letters.
        domain = 1
        words.append(f"a different ending (.{t_tld} for .{a_tld})")
    else:
        domain = OSA.distance(t_domain, a_domain)
        if domain:
            words.append(_slip_words(domain, "the domain", t_domain, a_domain))
    total = local + domain
    if total == 0 or total > MAX_SLIPS:
        return None
    return total, " and ".join(words)


def _slip_words(count: int, where: str, typed: str, actual: str) -> str:
    amount = "one letter" if count == 1 else f"{count} letters"
    return f"{amount} off in {where} ({typed} for {actual})"


def _same_name(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return fuzz.token_sort_ratio(a, b, processor=default_process) >= SAME_NAME


def _eligible(snapshot: Snapshot, user: User, complete: bool) -> Organization | None:
    """The user's first customer organization, if they may be offered at all. With `complete`,
    only someone whose every organization was read and none is a partner's."""
    if user.role != "end-user" or not user.email or not valid_email(user.email):
        return None
    is_partner = snapshot.is_partner(user)
    if is_partner or (complete and is_partner is None):
        return None  # a partner's user, or someone whose organizations were not all read
    submitter = snapshot.submitter
    if submitter is not None and email_domain(user.email) == email_domain(submitter.email):
        return None  # on the partner's own domain
    orgs = snapshot.customer_orgs_of(user)
    return orgs[0] if orgs else None


def _judge(
    snapshot: Snapshot, user: User, typed: str | None, written: list[str], complete: bool
) -> Candidate | None:
    org = _eligible(snapshot, user, complete)
    if org is None:
        return None
    ticket = snapshot.ticket
    email = (user.email or "").lower()
    score, reasons = 0, []
    if email in written:
        score, reasons = 100, ["their address is written in the description"]
    elif typed:
        slips = _slips(typed, email)
        if slips is not None:
            score = 90 if slips[0] == 1 else 80
            reasons.append(f"their address is {slips[1]}")
    if _same_name(ticket.customer_name, user.name):
        score = max(score, 70) + 10
        reasons.append("their name is the one in the Customer Name field")
    if score and _same_name(ticket.customer_org, org.name):
        score += 5
        reasons.append(f"they are at {org.name}, as the Organization Name field says")
    if not score:
        return None
    return Candidate(user=user, organization=org, score=score, why="; ".join(reasons))


def _ranked(snapshot: Snapshot, found: Sequence[int], complete: bool) -> list[Candidate]:
    typed, written = clues(snapshot)
    people = (snapshot.user(i) for i in dict.fromkeys(found))
    judged = (_judge(snapshot, u, typed, written, complete) for u in people if u is not None)
    return sorted(
        (c for c in judged if c is not None), key=lambda c: (-c.score, c.user.name, c.user.id)
    )


def shortlist(snapshot: Snapshot, found: Sequence[int]) -> list[int]:
    """Who among `found` could be shown, judged on what the search gave (default organizations):
    the few whose every organization must be read before the finder may offer them."""
    return [c.user.id for c in _ranked(snapshot, found, complete=False)[:MAX_SHOWN]]


def find(snapshot: Snapshot, found: Sequence[int]) -> Finding:
    """Rank the users `found` (ids in the snapshot, every organization read) as the customer
    the partner meant."""
    typed, _ = clues(snapshot)
    shown = tuple(_ranked(snapshot, found, complete=True)[:MAX_SHOWN])
    clear = None
    if shown and (len(shown) == 1 or shown[0].score - shown[1].score >= CLEAR_MARGIN):
        clear = shown[0]
    return Finding(typed=typed, candidates=shown, clear=clear, line=_line(typed, shown, clear))


def _line(typed: str | None, shown: tuple[Candidate, ...], clear: Candidate | None) -> str:
    said = (
        f"Organization Email says {typed}, which matches nobody"
        if typed
        else ("The Organization Email is empty")
    )
    if clear is not None:
        return f"{said}; {clear.describe()} is the closest customer: {clear.why}."
    if shown:
        return (
            f"{said}; {len(shown)} customers are as close as each other, so none is filled in: "
            "pick the right one with the partner."
        )
    return f"{said}, and no customer comes close: ask the partner for the customer's address."
