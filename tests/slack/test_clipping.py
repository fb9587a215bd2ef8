"""Block Kit lengths as Slack may count them (code points, UTF-16 units or UTF-8 bytes): one
clipping for every text, checked against the Slack stand-in's own limits."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.suggesting import suggest
from bot.fixes import Look
from bot.slack import blocks, values
from bot.slack.blocks import clip, escape, slack_length
from standins.slack import blocks as slack_blocks
from tests.domain.world import snapshot, ticket
from tests.slack.test_blocks import URL, the_plan

HEAVY = "Zoë 😀 中文の件名 ékö 👩‍👩‍👧 🇫🇷 & <b> "


def test_slack_length_is_the_largest_count() -> None:
    assert [slack_length(t) for t in ("a", "é", "中", "😀", "")] == [1, 2, 3, 4, 0]
    assert slack_length("😀" * 10) == 40  # 10 code points, 20 UTF-16 units, 40 bytes


@given(st.text(), st.integers(min_value=4, max_value=300))
def test_a_clipped_text_fits_and_keeps_its_start(text: str, limit: int) -> None:
    clipped = clip(text, limit)
    assert slack_length(clipped) <= limit
    if slack_length(text) <= limit:
        assert clipped == text
    else:
        assert clipped.endswith("…") and text.startswith(clipped[:-1])


@given(st.text(alphabet="a&<>😀é中 ", max_size=400), st.integers(min_value=4, max_value=200))
def test_a_cut_never_splits_an_entity_or_a_link(raw: str, limit: int) -> None:
    text = escape(raw) + " <@U0AGENT1> <https://x.example/a?b=1&c=2|#12>"
    clipped = clip(text, limit)
    body = clipped.removesuffix("…")
    assert "<" not in body.rsplit(">", 1)[-1]  # no mention or link left open
    outside_links = re.sub(r"<[^<>]*>", "", body)
    assert re.fullmatch(r"([^&]|&amp;|&lt;|&gt;)*", outside_links)  # no entity cut in half


def test_a_surrogate_pair_is_never_cut() -> None:
    pair = "\ud83d\ude00"  # a pair kept apart, as surrogateescape-ish text can hold it
    clipped = clip("a" * 4 + pair * 5, 11)
    assert not ("\ud800" <= clipped[-2] <= "\udbff")
    assert slack_length(clipped) <= 11


def accepted_view(view: dict[str, Any]) -> None:
    assert slack_blocks.check_view(view) == []


def accepted_message(msg: dict[str, Any]) -> None:
    assert slack_blocks.check_message(msg["blocks"]) == []
    assert slack_blocks.slack_length(msg["text"]) <= slack_blocks.MESSAGE_TEXT_LIMIT


def test_emoji_heavy_tickets_build_views_and_messages_slack_accepts() -> None:
    heavy = HEAVY * 400  # ~12,000 code points, several times that in bytes
    snap = snapshot(ticket(subject=heavy, description=heavy, org_email=heavy[:1900]))
    context = values.ModalContext(channel="C1", user="U0AGENT1", note=heavy[:500])
    view = blocks.modal(context, heavy[:2999], look=Look(snap, suggest(snap), URL))
    accepted_view(view)
    accepted_view(blocks.modal_problem(context, heavy))
    preview, _ = the_plan(subject=heavy, org_email=heavy[:1900])
    for msg in (
        blocks.preview(preview, "U0AGENT1", "rid"),
        blocks.notice(heavy),
        blocks.working(512301, "U0AGENT1"),
    ):
        accepted_message(msg)


def test_the_stand_in_refuses_text_too_long_in_bytes() -> None:
    # 2,000 code points fit a naive count of 3,000, not 3,000 bytes: Slack may refuse it.
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "é" * 2000}}
    assert slack_blocks.check_message([section])
    section["text"]["text"] = clip("é" * 2000, blocks.SECTION_LIMIT)
    assert slack_blocks.check_message([section]) == []
