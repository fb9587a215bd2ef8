"""Hostile input on every Slack surface, end to end: the Procfile's gunicorn against both stand-ins.

The corpus is data (`hostile_inputs.json`, a JSON array with one entry per line, so control
characters, bidi overrides and zero-width characters are visible as `\\uXXXX` escapes):

    {"id": "host-07", "kind": "host", "text": "...",
     "repeat": N, "prefix": "...", "suffix": "...",   the text is prefix + text * N + suffix
     "names": 512301,       the whole text legitimately names this ticket (command, modal field)
     "finds": 512301,       a message with this text names this ticket first (shortcut);
                            defaults to "names", null when a message names none
     "accepts": ["partner_email"]}   email fields where a preview with Apply is a right answer

Every entry goes through the slash command, each modal field, the scenario radio (sent raw) and
the message shortcut. Each must get an HTTP 200 ack, a clear answer to the person, no write to
Zendesk, and nothing from the input may come back as a live Slack control sequence. One test per
surface walks the whole corpus and reports every failure at once: some 2,000 runs as separate
tests would take minutes to set up and tear down.
"""

from __future__ import annotations

import json
import random
import re
import secrets
import string
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.slack.listeners.commands import HELP_WORDS
from standins.harness import PROGRESS_MARKS, Agent, Thread, has_button
from standins.slack import AppResponse, SlackStandIn
from standins.slack.standin import post_signed
from standins.zendesk import ZendeskSandbox

CORPUS_PATH = Path(__file__).with_name("hostile_inputs.json")
ASKER, POSTER, CHANNEL = "U0AGENT1", "U0AGENT2", "C0SUPPORT"
APPLY = "partner_fix_apply"
INPUT_BLOCKS = {"ticket", "scenario", "customer_email", "partner_email"}
SEEDED_TICKETS = frozenset(range(512301, 512310))
# Waiting for one answer; a whole surface gets its own budget so a dead bot fails in bounded time.
WAIT = 5.0
SURFACE_BUDGET = 55.0

# A Slack control sequence: a broadcast, a mention, a channel or user-group link, or a link.
CONTROL = re.compile(r"<(?:[!@#]|https?:|mailto:|tel:)", re.IGNORECASE)
# The bot's own mention of the person who asked, always after "by " or "for " in its templates;
# the same mention pasted into the input is echoed elsewhere (in quotes, after a colon).
OWN_MENTION = re.compile(rf"(?:(?<=by )|(?<=for ))<@{ASKER}>")
# mrkdwn's three control characters, once the bot's own sequences are taken out: `<` and `>` must
# come as entities, and `&` must start one.
RAW_MRKDWN = re.compile(r"[<>]|&(?!amp;|lt;|gt;)")


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    text: str
    names: int | None
    finds: int | None
    accepts: frozenset[str]

    @property
    def blank(self) -> bool:
        # What the bot itself strips: such a field counts as left empty, not as hostile.
        return not self.text.strip()

    def __str__(self) -> str:
        shown = self.text if len(self.text) <= 60 else self.text[:40] + "…" + self.text[-12:]
        return f"{self.id} {shown!r}"


def load_corpus() -> list[Case]:
    entries = json.loads(CORPUS_PATH.read_text(encoding="utf-8"))
    cases = []
    for entry in entries:
        text = entry.get("prefix", "") + entry["text"] * entry.get("repeat", 1)
        names = entry.get("names")
        cases.append(
            Case(
                id=entry["id"],
                kind=entry["kind"],
                text=text + entry.get("suffix", ""),
                names=names,
                finds=entry.get("finds", names),
                accepts=frozenset(entry.get("accepts", ())),
            )
        )
    return cases


CORPUS = load_corpus()
IDS = {case.id for case in CORPUS}


def test_corpus_is_broad_and_well_formed() -> None:
    assert len(CORPUS) >= 200
    assert len(IDS) == len(CORPUS), "ids must be unique"
    kinds = {case.kind for case in CORPUS}
    for kind in ("id", "link", "host", "userinfo", "bidi", "zero_width", "control", "digits"):
        assert kind in kinds
    for kind in ("email_invalid", "email_partner", "email_tagged", "email_case", "whitespace"):
        assert kind in kinds
    for kind in ("slack_control", "entity", "mrkdwn", "injection", "oversized"):
        assert kind in kinds
    assert any(len(case.text) >= 10_000 for case in CORPUS)
    texts = {case.text for case in CORPUS}
    for must in ("<!channel>", "<!here>", "<!everyone>", "<@U0AGENT2>", "<#C0SUPPORT>"):
        assert must in texts
    for must in ("<!subteam^S0SUPPORT>", "<https://evil.example|click>", "&amp;", "", " "):
        assert must in texts
    assert any("gitlab.zendesk.com.evil.com" in t for t in texts)
    assert any("gitlab-federal-support.zendesk.com" in t for t in texts)


# ---- looking at what the bot did ------------------------------------------------------------


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a JSON-like value that Slack could parse, with where it sits.

    Left out: plain_text objects and the initial_value of an input, which Slack shows literally
    (`/partner-fix <#512301|x>` names ticket 512301 and is kept in the form as typed; that is
    not a channel link).
    """
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            literal = key == "initial_value" or (
                key == "text" and value.get("type") == "plain_text"
            )
            if not literal:
                yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def _mrkdwn(value: Any, top: bool = True) -> Iterator[str]:
    """The strings Slack parses as mrkdwn: mrkdwn text objects and a message's `text`."""
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn" and isinstance(value.get("text"), str):
            yield value["text"]
        if top and isinstance(value.get("text"), str):
            yield value["text"]  # the notification fallback
        for key, item in value.items():
            if key != "text" or not isinstance(item, str):
                yield from _mrkdwn(item, top=False)
    elif isinstance(value, list):
        for item in value:
            yield from _mrkdwn(item, top=False)


class Watch:
    """The stand-ins' logs of one input's run, and what they say about it."""

    def __init__(self, slack: SlackStandIn, zendesk: ZendeskSandbox) -> None:
        self.slack = slack
        self.zendesk = zendesk
        self.own_link = re.compile(
            "<" + re.escape(zendesk.url) + r"/agent/tickets/(\d+)\|#\1>", re.IGNORECASE
        )
        # An open modal that the last input left as it was (its answer was inline errors, which
        # call nothing): the next input is typed into it, saving a slash command per input.
        self.modal: str | None = None
        self.calls_before = 0

    def start(self) -> None:
        self.zendesk.reset()
        if self.modal is None:
            self.slack.reset()
        self.calls_before = len(self.slack.calls())

    def wait_call(
        self, method: str, predicate: Callable[[dict[str, Any]], bool] = lambda c: True
    ) -> dict[str, Any] | None:
        try:
            return self.slack.wait_for_call(method, predicate, WAIT)
        except TimeoutError:
            return None

    def wait_reply(self) -> dict[str, Any] | None:
        """The bot's settled reply in a thread (preview, refusal or failure), once it is there."""
        try:
            return self.slack.wait_for_message(
                CHANNEL,
                lambda m: (
                    m.get("thread_ts") not in (None, m["ts"])
                    and not any(mark in str(m.get("text")) for mark in PROGRESS_MARKS)
                ),
                WAIT,
            )
        except TimeoutError:
            return None

    def settled_view(self, opened: dict[str, Any]) -> dict[str, Any]:
        """The modal as the person ends up seeing it: after the bot has read the ticket, if it
        went to read one."""
        view_id = opened["response"]["view"]["id"]
        if "Reading the ticket" in json.dumps(opened["args"].get("view")):
            self.wait_call("views.update", lambda c: c["args"].get("view_id") == view_id)
        return self.slack.view(view_id)

    def problems(self, answer: AppResponse | None = None) -> list[str]:
        """What every input's run must not do, whatever the surface."""
        found: list[str] = []
        if answer is not None:
            if answer.status >= 300:
                found.append(f"HTTP {answer.status}: {answer.body[:200]}")
            found += answer.problems  # a late ack, an answer Slack would refuse
        writes = [
            f"{r['method']} {r['path']}" for r in self.zendesk.requests() if r["method"] != "GET"
        ]
        if writes:
            found.append(f"wrote to Zendesk: {writes}")
        posted: list[tuple[str, Any]] = [
            (c["method"], c["args"])
            for c in self.slack.calls()[self.calls_before :]
            if c["method"].startswith(("chat.", "views.")) or c["method"] == "response_url"
        ]
        if answer is not None and answer.body.strip():
            posted.append(("ack", answer.json() or {"text": answer.body}))
        for method, args in posted:
            for path, text in _strings(args):
                rest = self._without_own(text)
                if CONTROL.search(rest):
                    found.append(f"control sequence in {method}{path}: {_around(rest, CONTROL)}")
            for text in _mrkdwn(args):
                rest = self._without_own(text)
                if RAW_MRKDWN.search(rest):
                    found.append(f"unescaped mrkdwn in {method}: {_around(rest, RAW_MRKDWN)}")
        return found

    def _without_own(self, text: str) -> str:
        return self.own_link.sub("", OWN_MENTION.sub("", text))


def _around(text: str, pattern: re.Pattern[str]) -> str:
    match = pattern.search(text)
    assert match is not None
    return repr(text[max(match.start() - 30, 0) : match.end() + 30])


def _warning(view: dict[str, Any]) -> str | None:
    """The problem the modal shows (a `:warning:` context), if any."""
    for block in view.get("blocks") or []:
        for element in block.get("elements") or []:
            text = element.get("text") if isinstance(element, dict) else None
            if isinstance(text, str) and text.startswith(":warning:"):
                return text
    return None


def _initial(view: dict[str, Any], block_id: str) -> Any:
    for block in view.get("blocks") or []:
        if block.get("block_id") == block_id:
            return (block.get("element") or {}).get("initial_value")
    return None


def _shows_ticket(view: dict[str, Any], ticket_id: int) -> bool:
    return f"|#{ticket_id}>*" in json.dumps(view.get("blocks"))


def _check_errors(errors: dict[str, str], field: str) -> list[str]:
    found = []
    if field not in errors:
        found.append(f"inline errors {errors} say nothing about {field}")
    if not set(errors) <= INPUT_BLOCKS:
        found.append(f"error keys {sorted(errors)} are not all input blocks")
    found += [f"error for {k} longer than 150: {len(v)}" for k, v in errors.items() if len(v) > 150]
    return found


# ---- one input on one surface ----------------------------------------------------------------


def blank_modal(watch: Watch) -> str:
    """An empty modal (`/partner-fix` alone) to type into: the one still open, or a new one."""
    if watch.modal is None:
        answer = watch.slack.slash_command(ASKER, CHANNEL, "")
        assert answer.status == 200, answer.body
        opened = watch.wait_call("views.open")
        assert opened is not None and opened["ok"], "the bot opened no modal for /partner-fix"
        watch.modal = str(opened["response"]["view"]["id"])
    return watch.modal


def via_command(watch: Watch, case: Case) -> list[str]:
    answer = watch.slack.slash_command(ASKER, CHANNEL, case.text)
    found: list[str] = []
    if case.text.strip().lower() in HELP_WORDS:
        if "/partner-fix" not in answer.body:
            found.append("help asked, no usage in the answer")
        return found + watch.problems(answer)
    opened = watch.wait_call("views.open")
    if opened is None:
        return ["no modal and no answer", *watch.problems(answer)]
    view = watch.settled_view(opened)
    warning = _warning(view)
    if case.blank:
        if warning or _initial(view, "ticket"):
            found.append(f"blank command should open an empty form: {warning}")
    elif case.names in SEEDED_TICKETS:
        if warning or not _shows_ticket(view, case.names):
            found.append(f"ticket {case.names} not shown: {warning}")
    elif warning is None:
        found.append("the modal shows no problem with the text")
    return found + watch.problems(answer)


def via_field(field: str, base: dict[str, Any]) -> Callable[[Watch, Case], list[str]]:
    """Type the input into one modal field, with the other fields making a valid request."""

    def run(watch: Watch, case: Case) -> list[str]:
        view_id = blank_modal(watch)
        answer = watch.slack.submit_view(ASKER, view_id, {**base, field: case.text})
        found: list[str] = []
        if answer.errors:
            if field == "ticket" and case.names in SEEDED_TICKETS:
                found.append(f"ticket {case.names} refused: {answer.errors}")
            return found + _check_errors(answer.errors, field) + watch.problems(answer)
        watch.modal = None  # submitted: Slack closed it
        if field == "ticket" and case.names is None:
            found.append("accepted as a ticket")
        reply = watch.wait_reply()
        if reply is None:
            return [*found, "no inline error and no answer in a thread", *watch.problems(answer)]
        if (
            field != "ticket"
            and has_button(reply, APPLY)
            and not (field in case.accepts or case.blank)
        ):
            found.append(f"a preview with Apply: {reply.get('text')!r}")
        if field == "ticket" and case.names is not None and f"#{case.names}" not in reply["text"]:
            found.append(f"answer is not about ticket {case.names}: {reply.get('text')!r}")
        return found + watch.problems(answer)

    return run


def via_scenario(watch: Watch, case: Case) -> list[str]:
    """A radio value no option has: Slack never sends one, a forger could. The stand-in only
    sends real options, so this one is signed and posted by hand."""
    view = watch.slack.view(blank_modal(watch))
    view["state"] = {
        "values": {
            "ticket": {"ticket": {"type": "plain_text_input", "value": "512303"}},
            "scenario": {
                "scenario": {
                    "type": "radio_buttons",
                    "selected_option": {
                        "text": {"type": "plain_text", "text": "x"},
                        "value": case.text,
                    },
                }
            },
            "customer_email": {"customer_email": {"type": "email_text_input", "value": None}},
            "partner_email": {"partner_email": {"type": "email_text_input", "value": None}},
        }
    }
    payload = {
        "type": "view_submission",
        "team": {"id": watch.slack.team_id, "domain": watch.slack.team_domain},
        "user": {"id": ASKER, "username": "avery", "name": "avery", "team_id": watch.slack.team_id},
        "api_app_id": watch.slack.app_id,
        "token": "hostile",
        # Unique, so the bot's replay check never mistakes two inputs for one request.
        "trigger_id": secrets.token_hex(8),
        "view": view,
        "response_urls": [],
    }
    status, body, headers, elapsed = post_signed(
        str(watch.slack.app_url),
        {"payload": json.dumps(payload)},
        watch.slack.signing_secret,
        timeout=WAIT,
    )
    answer = AppResponse(status=status, body=body, elapsed=elapsed, headers=headers, sent=payload)
    ack = answer.json() or {}
    if ack.get("response_action") != "errors":
        watch.modal = None
        return [f"accepted a scenario no option has: {body[:200]}", *watch.problems(answer)]
    return _check_errors(ack.get("errors") or {}, "scenario") + watch.problems(answer)


def via_shortcut(watch: Watch, case: Case) -> list[str]:
    ts = watch.slack.post_user_message(POSTER, CHANNEL, case.text, raw=True)
    answer = watch.slack.message_shortcut(ASKER, CHANNEL, ts)
    found: list[str] = []
    if case.finds is None:
        note = watch.wait_call("chat.postEphemeral")
        if note is None or "no Zendesk ticket" not in json.dumps(note["args"]):
            found.append("no ephemeral note that the message names no ticket")
        elif note["args"].get("user") != ASKER:
            found.append(f"the note went to {note['args'].get('user')}")
        if watch.slack.calls("views.open"):
            found.append("opened a modal for a message that names none of our tickets")
        return found + watch.problems(answer)
    opened = watch.wait_call("views.open")
    if opened is None:
        return [f"no modal for ticket {case.finds}", *watch.problems(answer)]
    view = watch.settled_view(opened)
    if _initial(view, "ticket") != str(case.finds):
        found.append(f"modal for {_initial(view, 'ticket')!r}, not {case.finds}")
    if case.finds in SEEDED_TICKETS and not _shows_ticket(view, case.finds):
        found.append(f"ticket {case.finds} not shown: {_warning(view)}")
    return found + watch.problems(answer)


SURFACES: dict[str, Callable[[Watch, Case], list[str]]] = {
    "command": via_command,
    "ticket": via_field("ticket", {"scenario": "partner_commercial"}),
    "customer_email": via_field(
        "customer_email", {"ticket": "512302", "scenario": "services_engagement"}
    ),
    "partner_email": via_field(
        "partner_email",
        {
            "ticket": "512302",
            "scenario": "services_engagement",
            "customer_email": "ivan@initech.example",
        },
    ),
    "scenario": via_scenario,
    "shortcut": via_shortcut,
}


# ---- the tests -------------------------------------------------------------------------------


@pytest.fixture
def watch(slack: SlackStandIn, zendesk: ZendeskSandbox) -> Watch:
    return Watch(slack, zendesk)


def run_one(watch: Watch, surface: str, case: Case) -> list[str]:
    watch.start()
    try:
        return SURFACES[surface](watch, case)
    except Exception as error:  # one broken input must not hide the others' results
        watch.modal = None
        return [f"{type(error).__name__}: {error}"]


@pytest.mark.timeout(SURFACE_BUDGET + 30)
@pytest.mark.parametrize("surface", list(SURFACES))
def test_every_hostile_input_on(surface: str, watch: Watch) -> None:
    deadline = time.monotonic() + SURFACE_BUDGET
    failures: list[str] = []
    cases = CORPUS
    for done, case in enumerate(cases):
        if time.monotonic() > deadline:
            failures.append(f"out of time after {done} of {len(cases)} inputs")
            break
        problems = run_one(watch, surface, case)
        if problems:
            failures.append(f"{case}: " + "; ".join(problems))
    assert not failures, f"{len(failures)} inputs mishandled via {surface}:\n" + "\n".join(failures)


def incompressible(length: int, seed: int = 0) -> str:
    """Text zlib can't shrink, to show what a packed button value does with it."""
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(length))


@pytest.mark.timeout(30)
def test_long_organization_email_in_zendesk_still_gets_an_answer(
    zendesk: ZendeskSandbox, watch: Watch
) -> None:
    # The field is free text a partner fills in on the ticket form: hostile input from Zendesk.
    email, token = zendesk.credentials
    edited = requests.put(
        f"{zendesk.url}/api/v2/tickets/512301.json",
        json={"ticket": {"custom_fields": [{"id": 360012194200, "value": incompressible(3000)}]}},
        auth=(f"{email}/token", token),
        timeout=5,
    )
    assert edited.status_code == 200
    zendesk.clear_requests()
    view_id = blank_modal(watch)
    answer = watch.slack.submit_view(
        ASKER,
        view_id,
        {
            "ticket": "512301",
            "scenario": "customer_account",
            "customer_email": "carla@globex.example",
        },
    )
    assert answer.status == 200 and not answer.errors
    reply = watch.wait_reply()
    assert reply is not None, "no preview, refusal or failure in the thread"
    assert watch.problems(answer) == []
    # Apply, then Undo: the field comes back whole, from Zendesk's audit, not the cut copy.
    original = incompressible(3000)
    agent = Agent(watch.slack, ASKER, CHANNEL)
    thread = Thread(CHANNEL, str(reply.get("thread_ts") or reply["ts"]))
    agent.click(
        thread,
        "partner_fix_apply",
        until=lambda ms: any(has_button(m, "partner_fix_undo") for m in ms),
    )
    agent.click(thread, "partner_fix_undo")
    fields = {f["id"]: f["value"] for f in zendesk.ticket(512301)["custom_fields"]}
    assert fields[360012194200] == original
