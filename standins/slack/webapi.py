"""The Web API methods of the Slack stand-in and the response_url endpoint, and their HTTP front.

Routes: `GET|POST /api/<method>`, Slack's Web API (arguments from the query string, a form body
or a JSON body, merged: slack_sdk sends some methods as JSON and others as GET or forms); and
`GET|POST /_response/<id>`, the response_url issued with a command or an interaction.

Each method answers in Slack's shape: HTTP 200 with `{"ok": false, "error": ...}` for failures,
except rate limiting (429 with Retry-After), as Slack does. The checks are the ones a bot can
trip over in a real workspace: unknown or unjoined channels, missing text, oversize blocks,
stale or reused trigger_ids, stale view hashes.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
import urllib.parse
from collections.abc import Mapping
from typing import Any

from standins.loopback import Answer, LoopbackHandler

from . import blocks as blocks_check
from .state import (
    APP_ID,
    BOT_ID,
    BOT_TOKEN,
    BOT_USER_ID,
    RESPONSE_URL_TTL,
    RESPONSE_URL_USES,
    TEAM_DOMAIN,
    TEAM_ID,
    TEAM_NAME,
    Channel,
    MessageRecord,
    ViewRecord,
    Workspace,
)


class ApiError(Exception):
    """A Slack error answer: `error` code plus optional response_metadata.messages."""

    def __init__(self, error: str, messages: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []


def failure(error: str, messages: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error": error}
    if messages:
        body["response_metadata"] = {"messages": messages}
    return body


class WebApi:
    """Dispatches `/api/<method>` calls against the workspace state."""

    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace

    # ---- dispatch --------------------------------------------------------------------------

    def handle(self, method: str, args: dict[str, Any], bearer: str | None) -> Answer:
        """Answer one call and record it (method, args without the token, outcome)."""
        token = bearer or args.get("token")
        call_args = {k: v for k, v in args.items() if k != "token"}
        return self._record(method, call_args, self._answer(method, call_args, token))

    def _record(self, method: str, args: Any, reply: Answer, **extra: str) -> Answer:
        """Log a call as `SlackStandIn.calls` shows it, and delay the answer as set."""
        with self.ws.lock:
            reply.delay = self.ws.latency.get(method, self.ws.latency.get(None, 0.0))
            self.ws.call_log.append(
                {
                    "method": method,
                    "args": args,
                    **extra,
                    "ok": bool(reply.body.get("ok")),
                    "error": reply.body.get("error"),
                    "http_status": reply.status,
                    "response": copy.deepcopy(reply.body),
                    "at": self.ws.now(),
                }
            )
            self.ws.notify()
        return reply

    def _answer(self, method: str, args: dict[str, Any], token: Any) -> Answer:
        # `api_` and the snake_case name answer a method (chat.postMessage:
        # api_chat_post_message); Slack's own names never hold an underscore.
        name = "api_" + re.sub(r"\.|(?=[A-Z])", "_", method).lower()
        handler = None if "_" in method else getattr(self, name, None)
        if handler is None:
            return Answer(200, {"ok": False, "error": "unknown_method", "req_method": method})
        # Match injections by channel id even when the bot names the channel (#name).
        channel = self.ws.resolve_channel(args.get("channel"))
        target = channel.id if channel is not None else args.get("channel")
        injection = self.ws.take_injection(method, target)
        if injection is not None:
            retry = injection.retry_after
            headers = {} if retry is None else {"Retry-After": str(int(max(retry, 0)))}
            status = 429 if injection.error == "ratelimited" else 200
            return Answer(status, failure(injection.error), headers)
        if not token:
            return Answer(200, failure("not_authed"))
        if token != BOT_TOKEN:
            return Answer(200, failure("invalid_auth"))
        try:
            with self.ws.lock:
                body = handler(args)
        except ApiError as exc:
            return Answer(200, failure(exc.error, exc.messages))
        return Answer(200, body)

    def _channel(self, ref: Any, unjoined: str | None = "channel_not_found") -> Channel:
        """The channel a call names. A private channel or DM the bot is not in answers
        `unjoined` (by default: it does not exist as far as the bot can tell)."""
        channel = self.ws.resolve_channel(ref)
        if channel is None:
            raise ApiError("channel_not_found")
        if unjoined and (channel.is_private or channel.is_im) and not channel.bot_member:
            raise ApiError(unjoined)
        return channel

    # ---- auth, users, groups, conversations ------------------------------------------------

    def api_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": TEAM_NAME,
            "user": self.ws.users[BOT_USER_ID]["name"],
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def api_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.ws.user(args.get("user"))
        if user is None:
            raise ApiError("user_not_found")
        return {"ok": True, "user": copy.deepcopy(user)}

    def api_usergroups_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        group = self.ws.usergroups.get(str(args.get("usergroup", "")))
        if group is None:
            raise ApiError("no_such_subteam")
        return {"ok": True, "users": list(group["users"])}

    def api_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = args.get("users")
        if isinstance(users, str):
            users = [u.strip() for u in users.split(",") if u.strip()]
        if not users:
            raise ApiError("users_list_not_supplied")
        if len(users) > 1:
            # Group DMs are outside what the bot needs; refuse rather than fake them.
            raise ApiError("invalid_user_combination")
        if self.ws.user(users[0]) is None or users[0] == BOT_USER_ID:
            raise ApiError("user_not_found")
        existed = any(c.is_im and c.im_user == users[0] for c in self.ws.channels.values())
        dm = self.ws.dm_channel(users[0])
        return {"ok": True, "no_op": existed, "already_open": existed, "channel": {"id": dm.id}}

    def api_conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": self._channel(args.get("channel")).info()}

    # ---- chat ------------------------------------------------------------------------------

    def api_chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"), unjoined="not_in_channel")
        # Public channels accept posts without joining (chat:write.public).
        body = self.post(channel.id, args)
        return {"ok": True, "channel": channel.id, "ts": body["ts"], "message": copy.deepcopy(body)}

    def api_chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        user = args.get("user")
        if self.ws.user(user) is None:
            raise ApiError("user_not_found")
        if user not in channel.members:
            raise ApiError("user_not_in_channel")
        return {"ok": True, "message_ts": self.post(channel.id, args, visible_to=str(user))["ts"]}

    def api_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"), unjoined=None)
        record = self.ws.find_message(channel.id, args.get("ts"))
        # Ephemeral messages cannot be edited with chat.update, only through response_url.
        if record is None or record.visible_to is not None:
            raise ApiError("message_not_found")
        if record.body.get("user") != BOT_USER_ID:
            raise ApiError("cant_update_message")
        self._update(record, args)
        body = record.body
        return {
            "ok": True,
            "channel": channel.id,
            "ts": record.ts,
            "text": body.get("text", ""),
            "message": copy.deepcopy(body),
        }

    def post(
        self, channel: str, args: Mapping[str, Any], visible_to: str | None = None
    ) -> dict[str, Any]:
        """Check a message's content and store it as the bot's (chat.postMessage,
        chat.postEphemeral, a response_url, the answer to a slash command)."""
        text, blocks = self._content(args)
        body: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "text": text or "",
            "ts": self.ws.next_ts(),
            "team": TEAM_ID,
        }
        if blocks is not None:
            body["blocks"] = blocks
        if args.get("thread_ts"):
            body["thread_ts"] = str(args["thread_ts"])
        self.ws.add_message(channel, body, visible_to=visible_to)
        return body

    def _content(self, args: Mapping[str, Any]) -> tuple[str | None, list[dict[str, Any]] | None]:
        """(text, blocks) of a message, checked: something to show, blocks within limits."""
        text = args.get("text")
        if text is not None and not isinstance(text, str):
            text = str(text)
        blocks = args.get("blocks")
        if blocks is not None:
            problems = blocks_check.check_message(blocks)
            if problems:
                raise ApiError("invalid_blocks", problems)
            blocks = copy.deepcopy(blocks)
            blocks_check.fill_missing_ids(blocks)
        if not text and not blocks:
            raise ApiError("no_text")
        if text is not None and blocks_check.slack_length(text) > blocks_check.MESSAGE_TEXT_LIMIT:
            # Slack documents both a cut at 40,000 and `msg_too_long`; refusing is the one a
            # bot must not rely on getting away with.
            raise ApiError("msg_too_long")
        return text, blocks

    def _update(self, record: MessageRecord, args: Mapping[str, Any]) -> None:
        text, blocks = self._content(args)
        # Slack keeps the previous blocks when an update leaves `blocks` out.
        if text is not None:
            record.body["text"] = text
        if blocks is not None:
            record.body["blocks"] = blocks
        record.body["edited"] = {"user": BOT_USER_ID, "ts": self.ws.next_ts()}
        self.ws.notify()

    # ---- views -----------------------------------------------------------------------------

    def api_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        spec = self._view_spec(args)
        trigger_id = args.get("trigger_id")
        trigger = self.ws.triggers.get(trigger_id) if isinstance(trigger_id, str) else None
        if trigger is None:
            raise ApiError("invalid_trigger_id")
        if trigger.used:
            raise ApiError("exchanged_trigger_id")
        if self.ws.now() - trigger.issued >= self.ws.trigger_ttl:
            raise ApiError("expired_trigger_id")
        trigger.used = True
        self.ws.close_views(trigger.user)  # no views.push: a new modal replaces the open one
        view_id = self.ws.next_id("V")
        record = ViewRecord(
            view={
                "id": view_id,
                "team_id": TEAM_ID,
                "state": {"values": {}},
                "root_view_id": view_id,
                "previous_view_id": None,
                "app_id": APP_ID,
                "app_installed_team_id": TEAM_ID,
                "bot_id": BOT_ID,
            },
            user=trigger.user,
        )
        self.ws.views[view_id] = record
        self.replace_view(record, spec)
        return {"ok": True, "view": copy.deepcopy(record.view)}

    def api_views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        spec = self._view_spec(args)
        if not args.get("view_id"):
            raise ApiError("invalid_arguments", [blocks_check.error("must provide view_id", "")])
        record = self.ws.views.get(args["view_id"])
        if record is None or not record.open:
            raise ApiError("not_found")
        if args.get("hash") and args["hash"] != record.view["hash"]:
            raise ApiError("hash_conflict")
        self.replace_view(record, spec)
        return {"ok": True, "view": copy.deepcopy(record.view)}

    def _view_spec(self, args: dict[str, Any]) -> dict[str, Any]:
        spec: Any = args.get("view")
        missing = [blocks_check.error("missing required field: view", "")]
        problems = missing if spec is None else blocks_check.check_view(spec)
        if problems:
            raise ApiError("invalid_arguments", problems)
        return spec

    def replace_view(self, record: ViewRecord, spec: dict[str, Any]) -> None:
        """A modal's content as Slack stores it (views.open, views.update, response_action
        update): ids filled in, a new hash, and input state kept for the inputs whose block_id
        stays, as in Slack."""
        blocks = copy.deepcopy(spec.get("blocks") or [])
        blocks_check.fill_missing_ids(blocks)
        view = record.view
        view.update(
            type=spec.get("type", "modal"),
            title=copy.deepcopy(spec.get("title")),
            close=copy.deepcopy(spec.get("close")),
            submit=copy.deepcopy(spec.get("submit")),
            blocks=blocks,
            private_metadata=spec.get("private_metadata", ""),
            callback_id=spec.get("callback_id", ""),
            hash=f"{int(self.ws.now())}.{secrets.token_hex(4)}",
        )
        kept_ids = {b.get("block_id") for b in blocks}
        values = view["state"]["values"]
        view["state"]["values"] = {k: v for k, v in values.items() if k in kept_ids}
        self.ws.notify()

    # ---- response_url ----------------------------------------------------------------------

    def respond(self, url_id: str, raw: bytes) -> Answer:
        """A POST to a response_url the stand-in issued with a command or an interaction."""
        try:
            payload: Any = json.loads(raw or b"{}")
        except ValueError:
            payload = raw.decode("utf-8", "replace")
        with self.ws.lock:
            reply = self._respond(url_id, payload)
        return self._record("response_url", payload, reply, url_id=url_id)

    def _respond(self, url_id: str, payload: Any) -> Answer:
        source = self.ws.response_urls.get(url_id)
        if source is None:
            return Answer(404, failure("no_such_url"))
        if self.ws.now() - source.created > RESPONSE_URL_TTL:
            return Answer(404, failure("expired_url"))
        if source.uses >= RESPONSE_URL_USES:
            return Answer(404, failure("used_url"))
        if not isinstance(payload, dict):
            return Answer(400, failure("invalid_payload"))
        original = self.ws.find_message(source.channel, source.source_ts)
        try:
            self._content(payload)
        except ApiError as exc:
            return Answer(400, failure(exc.error, exc.messages))
        source.uses += 1
        # Slack's own examples send the flag as the string "true"; slack_sdk sends a boolean.
        if payload.get("replace_original") in (True, "true") and original is not None:
            self._update(original, payload)
        else:
            in_channel = payload.get("response_type") == "in_channel"
            args = dict(payload, thread_ts=payload.get("thread_ts") or source.thread_ts)
            self.post(source.channel, args, visible_to=None if in_channel else source.user)
        return Answer(200, {"ok": True})


class Handler(LoopbackHandler):
    def dispatch(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        raw = self.read_body()
        found = re.fullmatch("/(api|_response)/(.+)", parts.path)
        api: WebApi = self.server.owner.api
        if found is None or self.command not in ("GET", "POST"):
            reply = Answer(404, failure("not_found"))
        elif found[1] == "_response":
            reply = api.respond(found[2], raw)
        else:
            reply = self._web_api(api, found[2], parts.query, raw)
        self.send(reply)

    def _web_api(self, api: WebApi, method: str, query: str, raw: bytes) -> Answer:
        args: dict[str, Any] = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        content_type = (self.headers.get("Content-Type") or "").lower()
        if raw and "json" in content_type:
            try:
                decoded = json.loads(raw)
            except ValueError:
                decoded = None
            if not isinstance(decoded, dict):
                return Answer(200, failure("invalid_json"))
            args.update(decoded)
        elif raw:
            args.update(urllib.parse.parse_qsl(raw.decode("utf-8", "replace"), True))
        auth = self.headers.get("Authorization") or ""
        bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        return api.handle(method, args, bearer)
