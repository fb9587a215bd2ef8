"""The Slack stand-in's workspace: people, channels, messages, modals, and what the bot called.

Everything here is guarded by one lock, because the HTTP server answers the bot on several
threads while a test reads the state and drives interactions from its own thread. A condition on
that lock lets a test wait for the bot's asynchronous work (listeners run after `ack()`).
"""

from __future__ import annotations

import copy
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

TEAM_ID = "T0PARTNER"
# A partner company connected to the workspace by Slack Connect: its people are external members.
OTHER_TEAM_ID = "T0ACMEPARTNERS"
TEAM_DOMAIN = "partner-sandbox"
TEAM_NAME = "Partner Sandbox"
BOT_USER_ID = "U0PARTNERBOT"
BOT_ID = "B0PARTNERBOT"
BOT_TOKEN = "xoxb-test"
APP_ID = "A0PARTNERFIX"
BOT_NAME = "Partner Fix"
# Slack still sends the deprecated verification token in payloads; apps must not rely on it.
VERIFICATION_TOKEN = "deprecated-verification-token"

TRIGGER_TTL = 3.0
RESPONSE_URL_TTL = 30 * 60.0
RESPONSE_URL_USES = 5


def _person(user_id: str, name: str, real_name: str, **more: Any) -> dict[str, Any]:
    return {"id": user_id, "name": name, "real_name": real_name, **more}


DEFAULT_USERS: tuple[dict[str, Any], ...] = (
    _person(
        "U0AGENT1", "avery", "Avery Agent", email="avery@gitlab.example", tz="America/New_York"
    ),
    _person("U0AGENT2", "blake", "Blake Agent", email="blake@gitlab.example", tz="Europe/London"),
    _person("U0OUTSIDER", "casey", "Casey Outsider", email="casey@gitlab.example"),
    # Guests: is_restricted = multi-channel guest, is_ultra_restricted = single-channel guest.
    _person("U0GUEST1", "gale", "Gale Guest", is_restricted=True),
    _person("U0GUEST2", "sol", "Sol Single", is_restricted=True, is_ultra_restricted=True),
    # A partner's employee in the Slack Connect channel: their own team_id, as Slack reports.
    _person("U0EXTERNAL", "erin", "Erin External", team_id=OTHER_TEAM_ID),
    _person("U0DEPARTED", "dale", "Dale Departed", deleted=True),
)
DEFAULT_CHANNELS: tuple[dict[str, Any], ...] = (
    {"id": "C0SUPPORT", "name": "support-team"},
    # Where the bot posts tickets that look mis-associated (SLACK_ALERT_CHANNEL).
    {"id": "C0ALERTS", "name": "partner-fix-alerts"},
    {
        "id": "C0PRIVATE",
        "name": "support-private",
        "is_private": True,
        "members": ["U0AGENT1", "U0AGENT2"],
    },
    # Public and not joined: chat:write.public lets the bot post here all the same.
    {"id": "C0PUBLIC2", "name": "general", "bot_member": False},
    # Slack Connect: shared with the partner company's workspace.
    {
        "id": "C0SHARED",
        "name": "ext-acme-partners",
        "shared_team_ids": [TEAM_ID, OTHER_TEAM_ID],
        "members": ["U0AGENT1", "U0AGENT2", "U0GUEST1", "U0EXTERNAL"],
    },
)
DEFAULT_USERGROUPS: dict[str, Any] = {
    "S0SUPPORT": {"handle": "support-team", "users": ["U0AGENT1", "U0AGENT2"]}
}


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    members: list[str] = field(default_factory=list)
    created: int = 0
    im_user: str | None = None
    # More than one team: a Slack Connect channel (shared with another organization).
    shared_team_ids: list[str] = field(default_factory=list)

    @property
    def ext_shared(self) -> bool:
        return any(team != TEAM_ID for team in self.shared_team_ids)

    @property
    def bot_member(self) -> bool:
        return BOT_USER_ID in self.members

    def info(self) -> dict[str, Any]:
        """The conversation object of conversations.info: the fields the bot reads."""
        if self.is_im:
            return {"id": self.id, "created": self.created, "is_im": True, "user": self.im_user}
        return {
            "id": self.id,
            "name": self.name,
            "created": self.created,
            "is_im": False,
            "is_private": self.is_private,
            "is_member": self.bot_member,
            "is_shared": self.ext_shared,
            "is_ext_shared": self.ext_shared,
            "is_org_shared": False,
            "is_pending_ext_shared": False,
            **({"shared_team_ids": list(self.shared_team_ids)} if self.ext_shared else {}),
        }


@dataclass
class MessageRecord:
    channel: str
    body: dict[str, Any]
    visible_to: str | None = None

    @property
    def ts(self) -> str:
        return str(self.body["ts"])

    @property
    def thread_ts(self) -> str | None:
        value = self.body.get("thread_ts")
        return str(value) if value else None

    def visible(self, user: str | None) -> bool:
        return self.visible_to is None or self.visible_to == user

    def public(self) -> dict[str, Any]:
        """The message as tests see it: Slack's shape plus where it is and who sees it."""
        out = copy.deepcopy(self.body)
        out["channel"] = self.channel
        out["is_ephemeral"] = self.visible_to is not None
        if self.visible_to is not None:
            out["visible_to"] = self.visible_to
        return out


@dataclass
class ViewRecord:
    view: dict[str, Any]
    user: str
    open: bool = True


@dataclass
class Trigger:
    user: str
    issued: float
    used: bool = False


@dataclass
class ResponseUrl:
    user: str
    channel: str
    source_ts: str | None
    thread_ts: str | None
    created: float
    uses: int = 0


@dataclass
class Injection:
    method: str
    error: str
    remaining: int
    channel: str | None
    retry_after: float | None


class Workspace:
    """State shared by the Web API server, the response_url endpoint and the interactions."""

    # How long a trigger_id stays usable (a test may shorten it to watch one expire in real time).
    trigger_ttl = TRIGGER_TTL

    def __init__(
        self,
        users: Sequence[Mapping[str, Any]] | None = None,
        channels: Sequence[Mapping[str, Any]] | None = None,
        usergroups: Mapping[str, Any] | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.base_url = "http://127.0.0.1:0"
        self._clock_offset = 0.0
        self._last_ts_micros = 0
        self._counter = 0
        bot = {"id": BOT_USER_ID, "name": "partner-fix", "real_name": BOT_NAME, "is_bot": True}
        self.users = {
            str(spec["id"]): _user_object(spec)
            for spec in [*(DEFAULT_USERS if users is None else users), bot]
        }
        self.users[BOT_USER_ID]["profile"]["bot_id"] = BOT_ID
        self._channel_specs = list(DEFAULT_CHANNELS if channels is None else channels)
        self.usergroups = {
            group_id: {"id": group_id, "handle": str(spec["handle"]), "users": list(spec["users"])}
            for group_id, spec in (DEFAULT_USERGROUPS if usergroups is None else usergroups).items()
        }
        self.reset()

    def reset(self) -> None:
        """Forget everything that happened; keep the people, channels and groups configured."""
        with self.lock:
            # By default, channels hold this workspace's people: external members are only in
            # the Slack Connect channels that name them, and deleted users in none.
            humans = [
                u
                for u, obj in self.users.items()
                if not obj["is_bot"] and not obj["deleted"] and obj["team_id"] == TEAM_ID
            ]
            self.channels: dict[str, Channel] = {}
            for spec in self._channel_specs:
                is_private = bool(spec.get("is_private", False))
                members = [u for u in spec.get("members", humans) if u != BOT_USER_ID]
                if spec.get("bot_member", not is_private):
                    members.append(BOT_USER_ID)
                self.channels[str(spec["id"])] = Channel(
                    id=str(spec["id"]),
                    name=str(spec["name"]),
                    is_private=is_private,
                    members=members,
                    created=int(self.now()) - 86400,
                    shared_team_ids=list(spec.get("shared_team_ids", [])),
                )
            self.messages: list[MessageRecord] = []
            self.views: dict[str, ViewRecord] = {}
            self.triggers: dict[str, Trigger] = {}
            self.response_urls: dict[str, ResponseUrl] = {}
            self.call_log: list[dict[str, Any]] = []
            self.injections: list[Injection] = []
            self.latency: dict[str | None, float] = {}
            self.changed.notify_all()

    # ---- time and ids ----------------------------------------------------------------------

    def now(self) -> float:
        return time.time() + self._clock_offset

    def advance_clock(self, seconds: float) -> None:
        """Move the workspace clock forward, to expire trigger_ids or response_urls without
        sleeping in tests."""
        with self.lock:
            self._clock_offset += seconds

    def next_ts(self) -> str:
        """A message ts, strictly increasing even for two messages in the same microsecond:
        bots key threads and updates on ts, so duplicates would hide real bugs."""
        with self.lock:
            micros = max(int(self.now() * 1_000_000), self._last_ts_micros + 1)
            self._last_ts_micros = micros
            return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def next_id(self, prefix: str) -> str:
        with self.lock:
            self._counter += 1
            return f"{prefix}0{self._counter:08X}"

    # ---- triggers and response URLs --------------------------------------------------------

    def new_trigger(self, user: str) -> str:
        with self.lock:
            trigger_id = f"{int(self.now())}.{self.next_id('')}.{secrets.token_hex(16)}"
            self.triggers[trigger_id] = Trigger(user=user, issued=self.now())
            return trigger_id

    def new_response_url(
        self, user: str, channel: str, source_ts: str | None = None, thread_ts: str | None = None
    ) -> str:
        with self.lock:
            url_id = f"{TEAM_ID}/{self.next_id('')}/{secrets.token_hex(12)}"
            self.response_urls[url_id] = ResponseUrl(
                user, channel, source_ts, thread_ts, created=self.now()
            )
            return f"{self.base_url}/_response/{url_id}"

    # ---- people and channels ---------------------------------------------------------------

    def user(self, user_id: Any) -> dict[str, Any] | None:
        return self.users.get(user_id) if isinstance(user_id, str) else None

    def require_user(self, user_id: str) -> dict[str, Any]:
        found = self.user(user_id)
        if found is None:
            raise ValueError(f"no such user in the stand-in workspace: {user_id}")
        return found

    def resolve_channel(self, ref: Any) -> Channel | None:
        """A channel by id, by name (`#name` or `name`, as chat.postMessage accepts), or a user
        id, which means the bot's DM with that user."""
        if not isinstance(ref, str) or not ref:
            return None
        with self.lock:
            if ref in self.channels:
                return self.channels[ref]
            if ref in self.users and not self.users[ref]["is_bot"]:
                return self.dm_channel(ref)
            name = ref.removeprefix("#")
            return next((c for c in self.channels.values() if not c.is_im and c.name == name), None)

    def require_channel(self, ref: str) -> Channel:
        channel = self.resolve_channel(ref)
        if channel is None:
            raise ValueError(f"no such channel in the stand-in workspace: {ref}")
        return channel

    def dm_channel(self, user_id: str) -> Channel:
        with self.lock:
            dm_id = "D" + user_id.removeprefix("U")
            if dm_id not in self.channels:
                self.channels[dm_id] = Channel(
                    id=dm_id,
                    name=user_id,
                    is_im=True,
                    members=[user_id, BOT_USER_ID],
                    created=int(self.now()),
                    im_user=user_id,
                )
            return self.channels[dm_id]

    # ---- messages and views ----------------------------------------------------------------

    def add_message(
        self, channel: str, body: dict[str, Any], visible_to: str | None = None
    ) -> MessageRecord:
        """Store a message; a reply also updates its parent the way Slack does (thread_ts on
        the parent, reply_count)."""
        with self.lock:
            record = MessageRecord(channel=channel, body=body, visible_to=visible_to)
            parent = self.find_message(channel, record.thread_ts)
            if parent is not None and parent.thread_ts and parent.thread_ts != parent.ts:
                # A reply to a reply lands in the parent's thread, as in Slack.
                body["thread_ts"] = parent.thread_ts
                parent = self.find_message(channel, parent.thread_ts)
            if parent is not None and visible_to is None:
                parent.body["thread_ts"] = parent.ts
                parent.body["reply_count"] = parent.body.get("reply_count", 0) + 1
            self.messages.append(record)
            self.changed.notify_all()
            return record

    def find_message(self, channel: str, ts: Any) -> MessageRecord | None:
        with self.lock:
            found = (r for r in self.messages if r.channel == channel and r.ts == ts)
            return next(found, None) if ts else None

    def thread_records(self, channel: str, ts: str) -> list[MessageRecord]:
        with self.lock:
            return [
                r
                for r in self.messages
                if r.channel == channel and (r.ts == ts or r.thread_ts == ts)
            ]

    def close_views(self, user: str) -> None:
        with self.lock:
            for record in self.views.values():
                record.open = record.open and record.user != user
            self.notify()

    # ---- calls, injections, waiting --------------------------------------------------------

    def take_injection(self, method: str, channel: Any) -> Injection | None:
        with self.lock:
            for injection in self.injections:
                if injection.method == method and injection.channel in (None, channel):
                    injection.remaining -= 1
                    if injection.remaining <= 0:
                        self.injections.remove(injection)
                    return injection
            return None

    def notify(self) -> None:
        with self.lock:
            self.changed.notify_all()

    def wait_for(self, probe: Callable[[], T | None], timeout: float) -> T | None:
        """Wait until probe() returns something other than None (checked on every change)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while (found := probe()) is None and (left := deadline - time.monotonic()) > 0:
                self.changed.wait(min(left, 0.05))
            return found


def _user_object(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A users.info user from a short spec (id, name, real_name; email, tz, team_id for an
    external member, and the flags)."""
    team_id = str(spec.get("team_id", TEAM_ID))
    profile = {"real_name": str(spec["real_name"]), "display_name": "", "team": team_id}
    return {
        "id": str(spec["id"]),
        "team_id": team_id,
        "name": str(spec["name"]),
        "real_name": str(spec["real_name"]),
        "tz": str(spec.get("tz", "America/Los_Angeles")),
        "profile": profile | ({"email": str(spec["email"])} if spec.get("email") else {}),
        **{
            flag: bool(spec.get(flag, False))
            for flag in ("deleted", "is_bot", "is_app_user", "is_restricted", "is_ultra_restricted")
        },
    }
