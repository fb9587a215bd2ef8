"""Waiting, bounded, for what the bot (or the baseline) does after an ack, read from the Slack
stand-in's call log: modals opened (and filled), previews turned into outcomes."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence

from bench.engineer import Preview
from standins.slack import SlackStandIn

SETTLE_TIMEOUT = 90.0


def modals(
    slack: SlackStandIn,
    since: int,
    triggers: Sequence[str | None],
    started: float,
    *,
    filled: bool = True,
    timeout: float = SETTLE_TIMEOUT,
) -> str:
    """Wait until a modal was opened (and, with `filled`, updated) for each trigger, or its
    views.open failed; say how that went. The baseline opens modals it never fills."""
    ws = slack.workspace
    wanted = set(triggers)
    deadline = time.monotonic() + timeout
    opened: dict[str, str] = {}  # trigger_id -> view id
    errors: Counter[str] = Counter()
    update_errors: Counter[str] = Counter()
    done_views: set[str] = set()
    last = 0.0
    while time.monotonic() < deadline:
        with ws.lock:
            for call in ws.call_log[since:]:
                args = call["args"]
                if call["method"] == "views.open" and args.get("trigger_id") in wanted:
                    trigger = str(args["trigger_id"])
                    if trigger in opened or trigger in errors:
                        continue
                    if call["ok"]:
                        opened[trigger] = str(call["response"]["view"]["id"])
                        if not filled:
                            last = max(last, float(call["at"]))
                    else:
                        errors[str(call["error"])] += 1
                elif (
                    filled
                    and call["method"] == "views.update"
                    and args.get("view_id") not in done_views
                ):
                    done_views.add(str(args.get("view_id")))
                    if not call["ok"]:
                        # Counted once per view: the view stays unfilled.
                        update_errors[str(call["error"])] += 1
                        continue
                    last = max(last, float(call["at"]))
        settled = len(opened) + sum(errors.values()) >= len(wanted)
        if settled and (not filled or set(opened.values()) <= done_views):
            break
        time.sleep(0.1)
    words = f"{len(opened)}/{len(wanted)} modals opened"
    if filled:
        words += (
            f", {len(set(opened.values()) & done_views) - sum(update_errors.values())} filled in"
        )
    for what, failures in (("views.open", errors), ("views.update", update_errors)):
        if failures:
            said = ", ".join(f"{e} x{n}" for e, n in failures.items())
            words += f" ({what} failed: {said})"
    if last:
        words += f"; the last {'filled' if filled else 'opened'} {last - started:.1f} s after"
    return words


def applies(
    slack: SlackStandIn, since: int, previews: Sequence[Preview], started: float
) -> tuple[str, Counter[str]]:
    """Wait until each clicked preview shows its outcome; say how that went."""
    ws = slack.workspace
    wanted = {(p.channel, p.ts) for p in previews}
    outcome: dict[tuple[str, str], str] = {}
    last = 0.0
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while time.monotonic() < deadline and len(outcome) < len(wanted):
        with ws.lock:
            for call in ws.call_log[since:]:
                args = call["args"]
                key = (str(args.get("channel")), str(args.get("ts")))
                text = str(args.get("text"))
                if call["method"] != "chat.update" or key not in wanted or key in outcome:
                    continue
                if "Applying ticket" in text:
                    continue
                outcome[key] = text.split(" ticket #")[0] if "ticket #" in text else text[:60]
                last = max(last, float(call["at"]))
        time.sleep(0.1)
    kinds = Counter(outcome.values())
    words = ", ".join(f"{n} {kind!r}" for kind, n in kinds.most_common())
    words = f"outcomes: {words or 'none'} of {len(wanted)}"
    if last:
        words += f"; the last {last - started:.1f} s after"
    return words, kinds
