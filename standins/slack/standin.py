"""A Slack workspace stand-in, in both directions, on loopback HTTP.

- As the Web API (what the bot calls): point slack_sdk at `SlackStandIn.url`
  (`WebClient(token=..., base_url=standin.url)`).
- As Slack calling the app: `slash_command`, `message_shortcut`, `click_button`, `submit_view`
  send signed, Slack-shaped requests to the app's Request URL, `app_url`. They are built from
  the stored workspace state (the real message a shortcut acts on, the real view a submission
  belongs to), so an app that keeps the wrong id or misreads a payload fails here as in Slack.

Slack signs every request with `v0=` HMAC-SHA256 of `v0:{timestamp}:{raw body}` using the app's
signing secret. The tampering options exist so tests can prove the app rejects unsigned, stale
or wrongly signed requests.

Standard library only, and nothing from the rest of `bot/`: a stand-in that shared code with the
bot would agree with the bot's mistakes instead of catching them.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import html
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from standins.loopback import Loopback

from . import blocks as blocks_check
from .state import (
    APP_ID,
    BOT_ID,
    BOT_TOKEN,
    BOT_USER_ID,
    TEAM_DOMAIN,
    TEAM_ID,
    VERIFICATION_TOKEN,
    Channel,
    Injection,
    MessageRecord,
    ViewRecord,
    Workspace,
)
from .webapi import ApiError, Handler, WebApi

# Mentions as the client writes them, and bare links (without trailing punctuation).
_TOKEN = re.compile(
    r"<@(?P<user>U[A-Z0-9]+)>"
    r"|<#(?P<channel>C[A-Z0-9]+)(?:\|[^<>]*)?>"
    r"|<!subteam\^(?P<usergroup>S[A-Z0-9]+)(?:\|[^<>]*)?>"
    r"|<!(?P<broadcast>here|channel|everyone)>"
    r"|(?P<link>https?://[^\s<>]*[^\s<>.,;:!?)'\"])"
)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Slack-Signature value for a body sent at `timestamp`."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class AppResponse:
    """What the app answered, and what the stand-in sent and made of the answer."""

    status: int
    body: str
    elapsed: float
    headers: dict[str, str]
    sent: dict[str, Any]
    trigger_id: str | None = None
    response_url: str | None = None
    # submit_view: the stored view after applying the app's response_action.
    view: dict[str, Any] | None = None
    # submit_view: the `errors` of `response_action: errors`.
    errors: dict[str, str] | None = None
    # Things Slack would refuse or show the user as an error (bad ack body, invalid update...).
    problems: list[str] = field(default_factory=list)

    @property
    def acked_in_time(self) -> bool:
        """Slack shows the user an error unless the app answers 200 within 3 seconds."""
        return self.status == 200 and self.elapsed < 3.0

    def json(self) -> Any:
        """The body parsed as JSON, or None when it is empty or not JSON."""
        try:
            return json.loads(self.body) if self.body.strip() else None
        except ValueError:
            return None


def post_signed(
    url: str,
    fields: dict[str, str],
    secret: str,
    *,
    sign: bool = True,
    timestamp_offset: float = 0.0,
    timeout: float = 10.0,
) -> tuple[int, str, dict[str, str], float]:
    """POST a form body as Slack does; returns (status, body, headers, elapsed seconds).

    The timestamp is real wall-clock time (not the workspace clock), because the app checks it
    against its own clock.
    """
    body = urllib.parse.urlencode(fields).encode()
    timestamp = str(int(time.time() + timestamp_offset))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        "X-Slack-Request-Timestamp": timestamp,
    }
    if sign:
        headers["X-Slack-Signature"] = signature(secret, timestamp, body)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw, answer_headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:
        status, raw, answer_headers = exc.code, exc.read(), exc.headers
    except (urllib.error.URLError, OSError) as exc:
        raise ConnectionError(f"the app at {url} did not answer: {exc}") from exc
    elapsed = time.monotonic() - started
    return status, raw.decode("utf-8", "replace"), dict(answer_headers.items()), elapsed


Found = dict[str, Any]
Matcher = Callable[[Found], bool] | None


class SlackStandIn(Loopback):
    """One Slack workspace (team T0PARTNER) with the bot installed, served on loopback."""

    handler = Handler
    team_id, team_domain, app_id = TEAM_ID, TEAM_DOMAIN, APP_ID
    bot_user_id, bot_id, bot_token = BOT_USER_ID, BOT_ID, BOT_TOKEN

    def __init__(
        self,
        signing_secret: str = "stand-in-signing-secret",
        users: Sequence[Mapping[str, Any]] | None = None,
        channels: Sequence[Mapping[str, Any]] | None = None,
        usergroups: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.workspace = Workspace(users, channels, usergroups)
        self.api = WebApi(self.workspace)
        self.signing_secret = signing_secret
        # Slack's Request URL for the app, set once the app listens.
        self.app_url: str | None = None

    # ---- lifecycle: start, stop, port and base_url are Loopback's ----------------------

    def _bound(self) -> None:
        self.workspace.base_url = self.base_url

    @property
    def url(self) -> str:
        """The Web API base with its trailing slash, as slack_sdk's base_url wants it."""
        return f"{self.base_url}/api/"

    # ---- state -----------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget messages, views, calls, injections and latency; keep people and channels."""
        self.workspace.reset()

    def calls(self, method: str | None = None) -> list[Found]:
        """Every Web API call (and response_url POST, as method "response_url"), in order:
        {method, args, ok, error, http_status, response, at}."""
        with self.workspace.lock:
            log = self.workspace.call_log
            return [copy.deepcopy(c) for c in log if method in (None, c["method"])]

    def messages(self, channel: str | None = None) -> list[Found]:
        """Current state of every message, oldest first, Slack-shaped plus `channel`,
        `is_ephemeral` and, for ephemeral ones, `visible_to`."""
        with self.workspace.lock:
            return [r.public() for r in self.workspace.messages if channel in (None, r.channel)]

    def thread(self, channel: str, ts: str) -> list[Found]:
        """The parent message and its replies (ephemeral replies included), oldest first."""
        with self.workspace.lock:
            return [r.public() for r in self.workspace.thread_records(channel, ts)]

    def view(self, view_id: str) -> Found:
        with self.workspace.lock:
            record = self.workspace.views.get(view_id)
            if record is None:
                raise KeyError(f"no view {view_id}")
            return copy.deepcopy(record.view)

    def views(self, open_only: bool = False) -> list[Found]:
        """Every view opened so far (with `is_open` and `user` added), oldest first."""
        with self.workspace.lock:
            return [
                {**copy.deepcopy(r.view), "is_open": r.open, "user": r.user}
                for r in self.workspace.views.values()
                if r.open or not open_only
            ]

    # ---- failure injection and time --------------------------------------------------------

    def inject(
        self,
        method: str,
        error: str,
        count: int = 1,
        channel: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """The next `count` calls of `method` (only those for `channel`, if given) fail with
        `error`. `ratelimited` answers HTTP 429 with Retry-After (1 by default), as Slack does."""
        if retry_after is None and error == "ratelimited":
            retry_after = 1
        injection = Injection(method, error, max(int(count), 1), channel, retry_after)
        with self.workspace.lock:
            self.workspace.injections.append(injection)

    def set_latency(self, seconds: float, method: str | None = None) -> None:
        """Delay answers of `method` (or every method, and response URLs, when None)."""
        with self.workspace.lock:
            self.workspace.latency[method] = max(float(seconds), 0.0)

    def new_trigger_id(self, user: str = "U0AGENT1") -> str:
        """A fresh trigger_id, for calling views.open directly in tests."""
        self.workspace.require_user(user)
        return self.workspace.new_trigger(user)

    # ---- waiting for the bot's asynchronous work -------------------------------------------

    def wait_for_message(
        self, channel: str | None = None, predicate: Matcher = None, timeout: float = 5.0
    ) -> Found:
        """The first message (oldest first) matching; raises TimeoutError after `timeout`."""
        where = channel or "any channel"
        return self._wait(lambda: self.messages(channel), predicate, timeout, f"message in {where}")

    def wait_for_call(self, method: str, predicate: Matcher = None, timeout: float = 5.0) -> Found:
        """The first recorded call of `method` matching; raises TimeoutError after `timeout`."""
        return self._wait(lambda: self.calls(method), predicate, timeout, f"{method} call")

    def _wait(
        self, items: Callable[[], list[Found]], predicate: Matcher, timeout: float, what: str
    ) -> Found:
        def probe() -> Found | None:
            return next((item for item in items() if predicate is None or predicate(item)), None)

        found = self.workspace.wait_for(probe, timeout)
        if found is None:
            raise TimeoutError(f"no matching {what}")
        return found

    # ---- people typing ---------------------------------------------------------------------

    def post_user_message(
        self, user: str, channel: str, text: str, thread_ts: str | None = None, raw: bool = False
    ) -> str:
        """Post as a person; returns the ts. Like Slack, the stored text escapes `& < >` and
        wraps links in `<...>` (raw=True stores the text exactly as given)."""
        ws = self.workspace
        if ws.require_user(user).get("is_bot"):
            raise ValueError(f"{user} is a bot; people post with post_user_message")
        where = ws.require_channel(channel)
        if (where.is_private or where.is_im) and user not in where.members:
            raise ValueError(f"{user} is not a member of {where.id}")
        stored, block = typed(text)
        body: dict[str, Any] = {
            "type": "message",
            "user": user,
            "text": text if raw else stored,
            "ts": ws.next_ts(),
            "team": TEAM_ID,
            "blocks": [block],
        }
        if thread_ts:
            if ws.find_message(where.id, thread_ts) is None:
                raise ValueError(f"no message {thread_ts} in {where.id} to reply to")
            body["thread_ts"] = thread_ts
        return ws.add_message(where.id, body).ts

    # ---- requests to the app ---------------------------------------------------------------

    def slash_command(
        self,
        user: str,
        channel: str,
        text: str,
        *,
        sign: bool = True,
        timestamp_offset: float = 0.0,
        secret: str | None = None,
    ) -> AppResponse:
        """A person runs a slash command in a channel. A JSON or text answer to the request
        itself is shown as Slack shows it: ephemeral, unless response_type is in_channel.
        For tests of the app's door: `sign=False` leaves the signature out, `timestamp_offset`
        moves the timestamp, `secret` signs with another secret."""
        person, where = self.workspace.require_user(user), self.workspace.require_channel(channel)
        trigger_id = self.workspace.new_trigger(user)
        response_url = self.workspace.new_response_url(user, where.id)
        fields = {
            "token": VERIFICATION_TOKEN,
            "team_id": TEAM_ID,
            "team_domain": TEAM_DOMAIN,
            "channel_id": where.id,
            "channel_name": "directmessage" if where.is_im else where.name,
            "user_id": user,
            "user_name": str(person["name"]),
            "command": "/partner-fix",
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
        reply = self._send(fields, dict(fields), sign, timestamp_offset, secret)
        self._show_command_ack(reply, user, where)
        return reply

    def message_shortcut(self, user: str, channel: str, message_ts: str) -> AppResponse:
        """A person picks the app's message shortcut on a stored message."""
        where = self.workspace.require_channel(channel)
        record = self.workspace.find_message(where.id, message_ts)
        if record is None or record.visible_to is not None:
            raise ValueError(f"no message {message_ts} in {where.id} to run a shortcut on")
        payload = self._payload("message_action", user)
        # No api_app_id, as this stand-in has always sent message_action: the app must not need it.
        del payload["api_app_id"]
        payload.update(
            action_ts=f"{time.time():.6f}",
            channel={"id": where.id, "name": where.name},
            callback_id="partner_fix_message",
            response_url=self.workspace.new_response_url(
                user, where.id, thread_ts=record.thread_ts
            ),
            message_ts=record.ts,
            message=copy.deepcopy(record.body),
        )
        return self._send({"payload": json.dumps(payload)}, payload)

    def click_button(
        self,
        user: str,
        channel: str | None,
        message_ts: str | None,
        action_id: str,
        *,
        view_id: str | None = None,
    ) -> AppResponse:
        """A person clicks the button with `action_id` in a message (message_ts None: the
        newest message in the channel that the person sees and that has that button), or in
        an open modal when view_id is given."""
        payload = self._payload("block_actions", user)
        with self.workspace.lock:
            if view_id is not None:
                view = copy.deepcopy(self._open_view(user, view_id).view)
                blocks = view["blocks"]
                payload.update(
                    container={"type": "view", "view_id": view_id},
                    view=view,
                    state=copy.deepcopy(view["state"]),
                )
            elif channel is None:
                raise ValueError("click_button needs a channel, or a view_id")
            else:
                where = self.workspace.require_channel(channel)
                record = self._message_with_button(user, where, message_ts, action_id)
                blocks = record.body.get("blocks") or []
                payload.update(
                    container={
                        "type": "message",
                        "message_ts": record.ts,
                        "channel_id": where.id,
                        "is_ephemeral": record.visible_to is not None,
                        **({"thread_ts": record.thread_ts} if record.thread_ts else {}),
                    },
                    channel={"id": where.id, "name": where.name},
                    state={"values": {}},
                    response_url=self.workspace.new_response_url(
                        user, where.id, record.ts, record.thread_ts
                    ),
                )
                # Slack leaves the message out of clicks on ephemeral messages.
                if record.visible_to is None:
                    payload["message"] = copy.deepcopy(record.body)
            found = blocks_check.find_button(blocks, action_id)
            if found is None:
                raise ValueError(f"no button {action_id!r} in view {view_id}")
        block, button = found
        action = {
            "action_id": button["action_id"],
            "block_id": block["block_id"],
            "text": copy.deepcopy(button.get("text")),
            "type": "button",
            "action_ts": f"{time.time():.6f}",
        }
        # Slack sends value and style only when the button has them.
        payload["actions"] = [action | {k: button[k] for k in ("value", "style") if k in button}]
        return self._send({"payload": json.dumps(payload)}, payload)

    def submit_view(self, user: str, view_id: str, values: Mapping[str, Any]) -> AppResponse:
        """A person fills a modal's inputs (block_id -> the text, or the chosen option's value)
        and presses Submit; the app's response_action is then applied."""
        payload = self._payload("view_submission", user)
        with self.workspace.lock:
            record = self._open_view(user, view_id)
            record.view["state"]["values"] = build_state_values(record.view["blocks"], values)
            payload.update(view=copy.deepcopy(record.view), response_urls=[])
        reply = self._send({"payload": json.dumps(payload)}, payload)
        self._apply_response_action(record, reply)
        with self.workspace.lock:
            reply.view = copy.deepcopy(record.view)
        return reply

    # ---- helpers ---------------------------------------------------------------------------

    def _payload(self, kind: str, user: str) -> dict[str, Any]:
        """What every interactivity payload carries: who, where, and a fresh trigger_id."""
        person = self.workspace.require_user(user)
        name = person["name"]
        return {
            "type": kind,
            "token": VERIFICATION_TOKEN,
            "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
            # An external member's own team_id, as Slack sends it for Slack Connect channels.
            "user": {"id": user, "username": name, "name": name, "team_id": person["team_id"]},
            "api_app_id": APP_ID,
            "is_enterprise_install": False,
            "enterprise": None,
            "trigger_id": self.workspace.new_trigger(user),
        }

    def _send(
        self,
        fields: dict[str, str],
        sent: dict[str, Any],
        sign: bool = True,
        timestamp_offset: float = 0.0,
        secret: str | None = None,
    ) -> AppResponse:
        if not self.app_url:
            raise RuntimeError("no app_url configured: set slack.app_url")
        status, body, headers, elapsed = post_signed(
            self.app_url,
            fields,
            self.signing_secret if secret is None else secret,
            sign=sign,
            timestamp_offset=timestamp_offset,
        )
        reply = AppResponse(status=status, body=body, elapsed=elapsed, headers=headers, sent=sent)
        reply.trigger_id, reply.response_url = sent.get("trigger_id"), sent.get("response_url")
        if status != 200:
            reply.problems.append(f"the app answered HTTP {status}: Slack shows the user an error")
        elif not reply.acked_in_time:
            reply.problems.append(f"the app took {elapsed:.2f}s to answer: Slack gives up after 3s")
        return reply

    def _show_command_ack(self, reply: AppResponse, user: str, where: Channel) -> None:
        if reply.status != 200 or not reply.body.strip():
            return
        answer = reply.json()
        if answer is None:
            answer = {"text": reply.body}
        if not isinstance(answer, dict) or not (answer.get("text") or answer.get("blocks")):
            return
        shown = {key: answer[key] for key in ("text", "blocks") if key in answer}
        in_channel = answer.get("response_type") == "in_channel"
        try:
            with self.workspace.lock:
                self.api.post(where.id, shown, visible_to=None if in_channel else user)
        except ApiError as exc:
            reply.problems.append(f"the command's answer was refused: {exc.error} {exc.messages}")

    def _open_view(self, user: str, view_id: str) -> ViewRecord:
        record = self.workspace.views.get(view_id)
        if record is None or not record.open:
            raise ValueError(f"no open view {view_id}")
        if record.user != user:
            raise ValueError(f"view {view_id} was opened for {record.user}, not {user}")
        return record

    def _message_with_button(
        self, user: str, where: Channel, message_ts: str | None, action_id: str
    ) -> MessageRecord:
        if message_ts is not None:
            record = self.workspace.find_message(where.id, message_ts)
            if record is None or not record.visible(user):
                raise ValueError(f"{user} sees no message {message_ts} in {where.id}")
            candidates = [record]
        else:
            candidates = [r for r in reversed(self.workspace.messages) if r.channel == where.id]
        for record in candidates:
            blocks = record.body.get("blocks") or []
            if record.visible(user) and blocks_check.find_button(blocks, action_id):
                return record
        raise ValueError(f"{user} sees no button {action_id!r} in {where.id}")

    def _apply_response_action(self, record: ViewRecord, reply: AppResponse) -> None:
        """Do to the stored modal what Slack does with the app's answer to a submission."""
        if reply.status != 200:
            return
        answer = reply.json()
        if answer is None and reply.body.strip():
            reply.problems.append("the answer to view_submission is not JSON: the modal stays")
            return
        action = answer.get("response_action") if isinstance(answer, dict) else None
        ws = self.workspace
        with ws.lock:
            if action is None:
                record.open = False
                ws.notify()
            elif action == "errors":
                self._show_errors(record, answer.get("errors"), reply)
            else:
                # Slack also has update, push and clear; the bot answers with errors or
                # nothing, so any other answer is reported rather than half-modelled.
                reply.problems.append(f"response_action {action!r} is not modelled")

    def _show_errors(self, record: ViewRecord, errors: Any, reply: AppResponse) -> None:
        if not isinstance(errors, dict) or not errors:
            reply.problems.append("response_action errors needs a non-empty `errors` object")
            return
        inputs = {b.get("block_id") for b in record.view["blocks"] if b.get("type") == "input"}
        for block_id in errors:
            if block_id not in inputs:
                reply.problems.append(
                    f"errors key {block_id!r} is not the block_id of an input block: "
                    "Slack refuses the whole answer"
                )
        reply.errors = {str(k): str(v) for k, v in errors.items()}


def build_state_values(
    blocks: list[dict[str, Any]], values: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """`view.state.values` as Slack sends it: every input block, keyed by block_id then
    action_id, shaped by element type; inputs left out keep their initial value (or none)."""
    inputs = {b["block_id"]: b for b in blocks if b.get("type") == "input"}
    unknown = sorted(set(values) - set(inputs))
    if unknown:
        raise ValueError(f"no input blocks {unknown} in this view (inputs: {sorted(inputs)})")
    state: dict[str, dict[str, Any]] = {}
    for block_id, block in inputs.items():
        element = block["element"]
        kind, given, value = element["type"], block_id in values, values.get(block_id)
        if kind in blocks_check.TEXT_INPUTS:
            text = value if given else element.get("initial_value")
            shown = {"type": kind, "value": None if text in (None, "") else str(text)}
        else:  # radio buttons and static selects: one option, the initial one if untouched
            options = element.get("options") or []
            chosen = next((copy.deepcopy(o) for o in options if o.get("value") == value), None)
            if not given:
                chosen = element.get("initial_option")
            elif value is not None and chosen is None:
                choices = [o.get("value") for o in options]
                raise ValueError(f"{value!r} is not an option of {element['action_id']}: {choices}")
            shown = {"type": kind, "selected_option": chosen}
        state[block_id] = {element["action_id"]: shown}
    return state


def typed(text: str) -> tuple[str, dict[str, Any]]:
    """What Slack stores for a message a person typed: the text with `& < >` escaped, links
    wrapped in `<...>` and mentions (`<@U…>`, `<#C…>`, `<!here>`, `<!subteam^S…>`) kept, as if
    picked from the autocomplete; and the rich_text block Slack adds."""
    keys = {"user": "user_id", "channel": "channel_id", "usergroup": "usergroup_id"}
    stored: list[str] = []
    elements: list[dict[str, Any]] = []
    position = 0
    for match in [*_TOKEN.finditer(text), None]:
        end = len(text) if match is None else match.start()
        if end > position:
            stored.append(html.escape(text[position:end], quote=False))
            elements.append({"type": "text", "text": text[position:end]})
        if match is None:
            break
        kind = next(name for name, value in match.groupdict().items() if value is not None)
        value, position = match.group(kind), match.end()
        if kind == "link":
            stored.append(f"<{html.escape(value, quote=False)}>")
            elements.append({"type": "link", "url": value})
        else:
            stored.append(match.group(0))
            key = keys.get(kind, "range")
            elements.append({"type": kind, key: value})
    block = {
        "type": "rich_text",
        "block_id": blocks_check.random_id(),
        "elements": [{"type": "rich_text_section", "elements": elements}],
    }
    return "".join(stored), block
