"""One request as the bot sees it: who, where to reply, the clicked message, request id, trace.

Built once per request, after the ack, by `Turn.of` for every surface: the slash command, the
message shortcut, the modal's submission (its route rides in `private_metadata`) and the buttons
(the clicked message's thread, or its ephemeral container). Slack's payload is the source:
Bolt's `context` holds the same user and channel, but its team prefers a view's
`app_installed_team_id` and its channel misses a button's container, so reading it would change
the trace written into the ticket and where a note lands.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from bot.logs import request_id as current_request_id
from bot.ports import Trace
from bot.slack.replies import Where
from bot.slack.values import ModalContext, decode_context

log = logging.getLogger(__name__)

Body = dict[str, Any]


def new_request_id() -> str:
    return uuid.uuid4().hex[:12]


def user_id(body: Body) -> str:
    user = body.get("user_id") or body.get("user")
    if isinstance(user, dict):
        user = user.get("id")
    return str(user) if user else ""


def button_value(body: Body) -> str:
    """The clicked button's value, as the bot wrote it ("" when there is none)."""
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value") or "")


def metadata(body: Body) -> ModalContext | None:
    """A view submission's route, as the modal was opened with it (None when unreadable)."""
    if body.get("type") != "view_submission":
        return None
    return decode_context((body.get("view") or {}).get("private_metadata"))


def where_of(body: Body) -> tuple[Where, str | None]:
    """Where replies go, and the clicked message's ts (buttons only)."""
    user = user_id(body)
    if body.get("type") == "view_submission":
        opened = metadata(body)
        if opened is None:
            return Where(user=user), None
        where = Where(
            user=user,
            channel=opened.channel,
            thread_ts=opened.thread_ts,
            response_url=opened.response_url,
        )
        return where, None
    if body.get("type") == "block_actions":
        container = body.get("container") or {}
        message = body.get("message") or {}
        ts = container.get("message_ts") or message.get("ts")
        where = Where(
            user=user,
            channel=(body.get("channel") or {}).get("id") or container.get("channel_id"),
            thread_ts=container.get("thread_ts") or message.get("thread_ts") or ts,
            response_url=body.get("response_url"),
            ephemeral=bool(container.get("is_ephemeral")),
        )
        return where, ts
    if body.get("type") == "message_action":
        # The preview goes into the message's thread: its own, or the one it is a reply in.
        message = body.get("message") or {}
        where = Where(
            user=user,
            channel=(body.get("channel") or {}).get("id"),
            thread_ts=message.get("thread_ts") or message.get("ts") or body.get("message_ts"),
            response_url=body.get("response_url"),
        )
        return where, None
    # The slash command (the bot starts the thread), or anything else that reaches the bot.
    channel = body.get("channel_id") or body.get("channel")
    if isinstance(channel, dict):
        channel = channel.get("id")
    if not channel:
        channel = (body.get("container") or {}).get("channel_id")
    where = Where(
        user=user, channel=str(channel) if channel else None, response_url=body.get("response_url")
    )
    return where, None


def note_where_of(body: Body) -> Where:
    """Where a note only the person sees belongs (a denial, a form that could not open): the
    channel they acted in, not a thread, else their DM. Cheap: the access check uses it."""
    where, _ = where_of(body)
    return Where(user=where.user, channel=where.channel, response_url=where.response_url)


def _trace(body: Body, rid: str) -> Trace:
    user = body.get("user") or {}
    uid = str(user.get("id") or body.get("user_id") or "")
    name = str(user.get("username") or user.get("name") or body.get("user_name") or uid)
    team = body.get("team") or {}
    return Trace(
        request_id=rid,
        requested_by=f"{name} (Slack {uid})",
        slack_user=uid or None,
        slack_team=str(team.get("id") or body.get("team_id") or "") or None,
    )


@dataclass(frozen=True)
class Turn:
    """One request after its ack."""

    surface: str
    user: str
    team: str | None
    where: Where
    # The clicked message (buttons): its ts, and the message itself (the preview Apply keeps
    # under a failure, the summary Undo strips of its button).
    ts: str | None
    request_id: str
    trace: Trace
    message: dict[str, Any] = field(default_factory=dict, compare=False)
    # A view submission's private_metadata, as the modal was opened with it.
    opened: ModalContext | None = None
    # The command's or the shortcut's: good for one views.open, for 3 seconds.
    trigger_id: str = ""

    @classmethod
    def of(cls, body: Body, surface: str, carried: str | None = None) -> Turn:
        """The turn of `body`; the request id is `carried` (a button's), else the modal's, else
        new: one id follows a fix from its command to the write."""
        opened = metadata(body)
        rid = carried or (opened.request_id if opened else None) or new_request_id()
        where, ts = where_of(body)
        trace = _trace(body, rid)
        message = body.get("message") if body.get("type") == "block_actions" else None
        return cls(
            surface=surface,
            user=where.user,
            team=trace.slack_team,
            where=where,
            ts=ts,
            request_id=rid,
            trace=trace,
            message=message if isinstance(message, dict) else {},
            opened=opened,
            trigger_id=str(body.get("trigger_id") or ""),
        )

    def begin(self) -> Turn:
        """Logs carry this turn's request id from here on (threads are reused, so every step
        sets it before it logs anything), starting with what came in."""
        current_request_id.set(self.request_id)
        log.info("received", extra={"surface": self.surface, "user": self.user})
        return self

    @property
    def note_where(self) -> Where:
        """Where a note only the person sees belongs: the channel, not the thread."""
        return Where(
            user=self.where.user, channel=self.where.channel, response_url=self.where.response_url
        )
