"""Ticket references: every accepted form, every rejection, and scanning of Slack messages."""

from __future__ import annotations

import pytest

from bot.domain.refs import RefError, TicketRef, find_ticket_refs, parse_ticket_ref

HC = ("support.gitlab.com",)
ZD = "gitlab.zendesk.com"


ACCEPTED: list[tuple[str, int, str | None]] = [
    # Agent UI, with the trimmings a browser address bar carries.
    ("https://gitlab.zendesk.com/agent/tickets/123456", 123456, ZD),
    ("http://gitlab.zendesk.com/agent/tickets/123456", 123456, ZD),
    ("https://gitlab.zendesk.com/agent/tickets/123456/", 123456, ZD),
    ("https://gitlab.zendesk.com/agent/tickets/123456/events", 123456, ZD),
    ("https://gitlab.zendesk.com/agent/tickets/123456?brand=1", 123456, ZD),
    ("https://gitlab.zendesk.com/agent/tickets/123456#comment-9", 123456, ZD),
    ("https://gitlab.zendesk.com/agent/tickets/123456/print?x=1&y=2#top", 123456, ZD),
    ("https://gitlab.zendesk.com/agent/#/tickets/77", 77, ZD),
    ("https://gitlab.zendesk.com/agent#/tickets/77/events", 77, ZD),
    ("HTTPS://GitLab.ZenDesk.COM/Agent/Tickets/5", 5, ZD),
    ("https://gitlab.zendesk.com:443/agent/tickets/5", 5, ZD),
    ("http://gitlab.zendesk.com:80/agent/tickets/5", 5, ZD),
    ("https://gitlab-sandbox.zendesk.com/agent/tickets/5", 5, "gitlab-sandbox.zendesk.com"),
    ("https://a.zendesk.com/agent/tickets/5", 5, "a.zendesk.com"),
    ("https://9lives.zendesk.com/agent/tickets/5", 5, "9lives.zendesk.com"),
    # Help center, on zendesk.com and on the configured host-mapped domain.
    ("https://gitlab.zendesk.com/hc/en-us/requests/42", 42, ZD),
    ("https://gitlab.zendesk.com/hc/requests/42", 42, ZD),
    ("https://support.gitlab.com/hc/en-us/requests/42", 42, "support.gitlab.com"),
    ("https://SUPPORT.GitLab.com/hc/pt-br/requests/42?page=2", 42, "support.gitlab.com"),
    ("https://support.gitlab.com/hc/requests/42/", 42, "support.gitlab.com"),
    ("https://support.gitlab.com/hc/zh-hans-cn/requests/42", 42, "support.gitlab.com"),
    # API and legacy paths.
    ("https://gitlab.zendesk.com/api/v2/tickets/9.json", 9, ZD),
    ("https://gitlab.zendesk.com/api/v2/tickets/9", 9, ZD),
    ("https://gitlab.zendesk.com/api/v2/tickets/9/comments", 9, ZD),
    ("https://gitlab.zendesk.com/tickets/9", 9, ZD),
    ("https://gitlab.zendesk.com/tickets/9.json", 9, ZD),
    # Links typed without a scheme.
    ("gitlab.zendesk.com/agent/tickets/31", 31, ZD),
    ("support.gitlab.com/hc/en-us/requests/31", 31, "support.gitlab.com"),
    # Bare numbers and markers.
    ("123456", 123456, None),
    ("#123456", 123456, None),
    ("ZD#123456", 123456, None),
    ("ZD 123456", 123456, None),
    ("ZD-123456", 123456, None),
    ("ZD #123456", 123456, None),
    ("zd#123456", 123456, None),
    ("Zd123456", 123456, None),
    ("zd: 123456", 123456, None),
    ("ticket 123456", 123456, None),
    ("Ticket #123456", 123456, None),
    ("TICKET: 123456", 123456, None),
    ("ticket\xa0123456", 123456, None),
    ("000123", 123, None),
    ("999999999999", 999_999_999_999, None),
    ("1", 1, None),
    # Slack wrapping: the URL counts, the label never does.
    ("<https://gitlab.zendesk.com/agent/tickets/123|ticket 999>", 123, ZD),
    ("<https://gitlab.zendesk.com/agent/tickets/123>", 123, ZD),
    ("<#123>", 123, None),
    ("<ZD-123>", 123, None),
    ("<http://gitlab.zendesk.com/agent/tickets/123|gitlab.zendesk.com/agent/tickets/123>", 123, ZD),
    ("<https://support.gitlab.com/hc/en-us/requests/8|my request>", 8, "support.gitlab.com"),
    # Surrounding whitespace, punctuation, brackets, quotes and mrkdwn.
    ("  https://gitlab.zendesk.com/agent/tickets/123  \n", 123, ZD),
    ("https://gitlab.zendesk.com/agent/tickets/123.", 123, ZD),
    ("https://gitlab.zendesk.com/agent/tickets/123,", 123, ZD),
    ("(https://gitlab.zendesk.com/agent/tickets/123)", 123, ZD),
    ("(<https://gitlab.zendesk.com/agent/tickets/123>).", 123, ZD),
    ('"#123"', 123, None),
    ("“ZD-123”", 123, None),
    ("`123`", 123, None),
    ("*ticket 123*", 123, None),
    ("123!", 123, None),
    ("\t ticket #123; ", 123, None),
    # The same ticket twice still names one ticket.
    ("123 123", 123, None),
]


@pytest.mark.parametrize(("text", "ticket_id", "host"), ACCEPTED)
def test_accepted_forms(text: str, ticket_id: int, host: str | None) -> None:
    assert parse_ticket_ref(text, HC) == TicketRef(id=ticket_id, host=host)


REJECTED: list[tuple[str, str]] = [
    # (text, a fragment the reason must contain)
    ("", "Nothing was given"),
    ("   \n\t ", "Nothing was given"),
    ("x" * 2001, "too long"),
    ("1" * 2001, "2,001 characters"),
    # Hosts that aren't ours.
    ("https://evil.com/agent/tickets/1", "“evil.com” isn't a Zendesk address"),
    ("https://gitlab.zendesk.com.evil.com/agent/tickets/1", "isn't a Zendesk address"),
    ("https://zendesk.com/agent/tickets/1", "“zendesk.com” isn't a Zendesk address"),
    ("https://a.b.zendesk.com/agent/tickets/1", "isn't a Zendesk address"),
    ("https://-gitlab.zendesk.com/agent/tickets/1", "isn't a Zendesk address"),
    ("https://gitlab-.zendesk.com/agent/tickets/1", "isn't a Zendesk address"),
    ("https://git_lab.zendesk.com/agent/tickets/1", "isn't a Zendesk address"),
    ("https://gitlab.zendesk.com./agent/tickets/1", "isn't a Zendesk address"),
    ("https://gitlab.zendesk.co/agent/tickets/1", "isn't a Zendesk address"),
    ("https://gitlab.zendes\u212a.com/agent/tickets/1", "isn't a Zendesk address"),
    ("https://[::1]/agent/tickets/1", "isn't a Zendesk address"),
    ("https://127.0.0.1/agent/tickets/1", "isn't a Zendesk address"),
    ("https://help.gitlab.com/hc/en-us/requests/1", "isn't a Zendesk address"),
    ("evil.com/agent/tickets/1", "isn't a Zendesk address"),
    ("https://gitlab.zendesk.com@evil.com/agent/tickets/1", "user name"),
    ("https://user:pw@gitlab.zendesk.com/agent/tickets/1", "user name"),
    ("https://evil.com\\@gitlab.zendesk.com/agent/tickets/1", "isn't a ticket link"),
    ("https:///agent/tickets/1", "no host"),
    ("https://gitlab.zendesk.com:8443/agent/tickets/1", "port"),
    ("https://gitlab.zendesk.com:/agent/tickets/1", "port"),
    ("gitlab.zendesk.com:444/agent/tickets/1", "port"),
    ("ftp://gitlab.zendesk.com/agent/tickets/1", "isn't a web link"),
    ("javascript://gitlab.zendesk.com/agent/tickets/1", "isn't a web link"),
    ("mailto:someone@gitlab.com", "email address"),
    ("<mailto:someone@gitlab.com|someone@gitlab.com>", "email address"),
    # Pages that aren't a ticket.
    ("https://gitlab.zendesk.com/agent/users/5", "isn't a ticket"),
    ("https://gitlab.zendesk.com/hc/en-us/articles/5", "isn't a ticket"),
    ("https://gitlab.zendesk.com/agent/tickets/", "isn't a ticket"),
    ("https://gitlab.zendesk.com/agent/tickets/abc", "isn't a ticket"),
    ("https://gitlab.zendesk.com/agent/tickets/12abc", "isn't a ticket"),
    ("https://gitlab.zendesk.com/agent/tickets/%31%32", "isn't a ticket"),
    ("https://gitlab.zendesk.com/agent/tickets/1/../../users/5", "isn't a ticket"),
    ("https://gitlab.zendesk.com/agent//tickets/1", "isn't a ticket"),
    ("https://gitlab.zendesk.com/", "isn't a ticket"),
    ("gitlab.zendesk.com", "isn't a ticket"),
    ("https://gitlab.zendesk.com/agent/#/users/5", "isn't a ticket"),
    ("https://support.gitlab.com/agent/tickets/5", "isn't a ticket"),
    ("https://support.gitlab.com/tickets/5", "isn't a ticket"),
    ("https://gitlab.zendesk.com/hc/en-us/requests/new", "isn't a ticket"),
    # Ids that can't be tickets.
    ("0", "ticket 0"),
    ("000", "ticket 0"),
    ("#0", "ticket 0"),
    ("https://gitlab.zendesk.com/agent/tickets/0", "ticket 0"),
    ("-5", "negative"),
    ("#-5", "negative"),
    ("ZD#-5", "negative"),
    ("\u22125", "negative"),
    ("9223372036854775808", "too large"),
    ("12345678901234567890", "too large"),
    ("https://gitlab.zendesk.com/agent/tickets/9223372036854775808", "too large"),
    ("1.5", "isn't a ticket link or ticket number"),
    ("1e5", "isn't a ticket link or ticket number"),
    ("0x10", "isn't a ticket link or ticket number"),
    ("#", "isn't a ticket link or ticket number"),
    ("ZD", "isn't a ticket link or ticket number"),
    ("ticket", "isn't a ticket link or ticket number"),
    ("ticket ## 5", "isn't a ticket link or ticket number"),
    # Digits other than 0-9 (str.isdigit and int() accept these).
    ("\u0661\u0662\u0663", "digits other than 0-9"),
    ("\uff11\uff12\uff13", "digits other than 0-9"),
    ("#\u0967\u0968", "digits other than 0-9"),
    ("12\u0663", "digits other than 0-9"),
    ("\u00b2", "digits other than 0-9"),
    # Control and invisible characters inside.
    ("ticket\n123", "line break"),
    ("https://gitlab.zendesk.com/agent/tic\nkets/1", "line break"),
    ("https://gitlab.zendesk.com/agent/tickets/1\x00", "invisible character"),
    ("https://gitlab.zendesk.com/agent/tickets/1\u200b", "invisible character"),
    ("\u202ehttps://gitlab.zendesk.com/agent/tickets/1", "invisible character"),
    ("12\u00ad3", "invisible character"),
    ("ZD\t123", "invisible character"),
    # More than one ticket.
    ("123 456", "several tickets: give one"),
    ("123, 456", "several tickets: give one"),
    ("123\n456", "several tickets: give one"),
    ("ticket 1 and ticket 2", "several tickets: give one"),
    ("#1 #2", "several tickets: give one"),
    (
        "https://gitlab.zendesk.com/agent/tickets/1 https://gitlab.zendesk.com/agent/tickets/2",
        "several tickets: give one",
    ),
    (
        "<https://gitlab.zendesk.com/agent/tickets/1|a> and <https://gitlab.zendesk.com/agent/tickets/2|b>",
        "several tickets: give one",
    ),
    # One ticket, but in a sentence.
    ("please fix ticket 123", "more than a ticket in it"),
    ("see https://gitlab.zendesk.com/agent/tickets/123 thanks", "more than a ticket in it"),
    # Not a ticket at all.
    ("we have 500 users", "isn't a ticket link or ticket number"),
    ("hello", "isn't a ticket link or ticket number"),
    ("https://gitlab.com/gitlab-org/gitlab/-/issues/1", "isn't a Zendesk address"),
    ("<@U024BE7LH>", "Slack mention"),
    ("<#C024BE7LR|general>", "Slack mention"),
    ("<!here>", "Slack mention"),
]


@pytest.mark.parametrize(("text", "fragment"), REJECTED)
def test_rejections_say_why(text: str, fragment: str) -> None:
    result = parse_ticket_ref(text, HC)
    assert isinstance(result, RefError), result
    assert fragment in result.reason
    assert len(result.reason) < 200
    assert not set("<>&") & set(result.reason)


def test_long_input_is_not_echoed() -> None:
    result = parse_ticket_ref("https://gitlab.zendesk.com/agent/tickets/1 " * 100)
    assert isinstance(result, RefError)
    assert "zendesk" not in result.reason


def test_long_candidate_is_shortened_keeping_both_ends() -> None:
    link = "https://gitlab.zendesk.com/agent/users/" + "9" * 80
    result = parse_ticket_ref(link)
    assert isinstance(result, RefError)
    assert "https://gitlab.zendesk.com" in result.reason
    assert "…" in result.reason
    assert "9" * 15 in result.reason
    assert "9" * 16 not in result.reason


def test_reason_neutralises_slack_control_characters() -> None:
    result = parse_ticket_ref("<!channel> & <@U123> hi")
    assert isinstance(result, RefError)
    assert "\u2039!channel\u203a" in result.reason
    assert "\uff06" in result.reason


def test_hidden_characters_are_shown_as_replacement_in_reason() -> None:
    result = parse_ticket_ref("12\u202e34")
    assert isinstance(result, RefError)
    assert "\u202e" not in result.reason
    assert "\ufffd" in result.reason


def test_help_center_host_needs_configuring() -> None:
    link = "https://support.gitlab.com/hc/en-us/requests/42"
    assert isinstance(parse_ticket_ref(link), RefError)
    assert parse_ticket_ref(link, ["  Support.GitLab.com "]) == TicketRef(42, "support.gitlab.com")


def test_help_center_hosts_may_be_a_single_string() -> None:
    link = "https://support.gitlab.com/hc/requests/42"
    assert parse_ticket_ref(link, "support.gitlab.com") == TicketRef(42, "support.gitlab.com")


def test_help_center_hosts_may_be_a_one_shot_iterator() -> None:
    hosts = iter(["support.gitlab.com"])
    link = "https://support.gitlab.com/hc/requests/42"
    assert find_ticket_refs(f"see {link} and {link}", hosts) == [
        TicketRef(42, "support.gitlab.com")
    ]


def test_input_at_the_length_limit_is_still_parsed() -> None:
    text = "1".rjust(2000)
    assert parse_ticket_ref(text) == TicketRef(1, None)


MESSAGES: list[tuple[str, list[int]]] = [
    # A Slack message with wrapped links, markers, duplicates and prose numbers.
    (
        "Hey team, can someone look at <https://gitlab.zendesk.com/agent/tickets/123|#123> and "
        "ZD#456? Also #123 again; we have 500 users on 16.3 and ticket 789.",
        [123, 456, 789],
    ),
    # Thread text: several links on their own lines, a duplicate through another form.
    (
        "Tickets to fix:\n• <https://gitlab.zendesk.com/agent/tickets/1001>\n"
        "• <https://gitlab.zendesk.com/agent/tickets/1002|1002>\n"
        "• https://gitlab.zendesk.com/agent/#/tickets/1001\n• ZD-1003",
        [1001, 1002, 1003],
    ),
    # The whole message is a bare number: it counts.
    ("123456", [123456]),
    ("  123456.  ", [123456]),
    # Prose numbers don't.
    ("we have 500 users", []),
    ("Upgraded to 16.3.1 on 2024-05-01, 3 nodes, 12 GB", []),
    ("123 456", []),
    # Labels are display text only.
    ("<https://gitlab.com/gitlab-org/gitlab/-/issues/5|issue #5>", []),
    ("<https://docs.gitlab.com/|see ticket 77>", []),
    # GitLab references, HTML entities, channels and fragments aren't tickets.
    ("see gitlab-org/gitlab#12345 and issue #9, MR #10, epic #11", []),
    ("&#39; <#C024BE7LR|general> https://docs.gitlab.com/page#123", []),
    ("abc#12 #12b ZD12x #1.5 ticket 12,345 ##7", []),
    # Links to other hosts, non-ticket pages and disguised hosts are ignored.
    (
        "https://evil.com/agent/tickets/1 https://gitlab.zendesk.com@evil.com/agent/tickets/2 "
        "https://gitlab.zendesk.com/agent/users/3 https://gitlab.zendesk.com:8443/agent/tickets/4",
        [],
    ),
    # Links in prose with trailing punctuation and brackets; help-center host from settings.
    (
        "Customer opened https://support.gitlab.com/hc/en-us/requests/55, "
        "(see https://gitlab.zendesk.com/agent/tickets/56).",
        [55, 56],
    ),
    # Scheme-less links and markers after punctuation.
    ("fyi gitlab.zendesk.com/agent/tickets/61 (#62), [ZD 63]", [61, 62, 63]),
    # A rejected lookalike does not hide a real marker right after it.
    ("bzd #5", [5]),
    # Non-ASCII spaces end a link; non-ASCII digits never count.
    ("https://gitlab.zendesk.com/agent/tickets/71\u00a0and #\u0661\u0662 ticket \uff13", [71]),
    # Ids of the wrong size are dropped.
    ("#0 #12345678901234567890 ticket 8", [8]),
    ("#0 #1234567890123 ticket 8", [1234567890123, 8]),
]


@pytest.mark.parametrize(("text", "ids"), MESSAGES)
def test_find_ticket_refs_in_messages(text: str, ids: list[int]) -> None:
    assert [ref.id for ref in find_ticket_refs(text, HC)] == ids


def test_find_keeps_the_host_of_the_first_mention() -> None:
    text = "#123 then <https://gitlab.zendesk.com/agent/tickets/123> then ZD 4"
    assert find_ticket_refs(text) == [TicketRef(123, None), TicketRef(4, None)]


def test_find_reports_hosts_of_links() -> None:
    text = (
        "<https://GitLab.zendesk.com/agent/tickets/9|x> https://support.gitlab.com/hc/requests/10"
    )
    assert find_ticket_refs(text, HC) == [
        TicketRef(9, "gitlab.zendesk.com"),
        TicketRef(10, "support.gitlab.com"),
    ]


def test_find_handles_messages_longer_than_the_parse_limit() -> None:
    text = "lorem ipsum " * 500 + "ticket 42 " + "dolor " * 500
    assert find_ticket_refs(text) == [TicketRef(42, None)]


def test_find_is_fast_on_hostile_input() -> None:
    # Pathological shapes for backtracking regexes; the timeout in pyproject catches a blow-up.
    for text in ("a." * 50_000, "<a|" * 30_000, "#" * 100_000, "1" * 100_000, "<" + "a" * 100_000):
        find_ticket_refs(text)
        parse_ticket_ref(text[:2000])


def test_find_drops_other_instances_before_merging_duplicates() -> None:
    text = "https://gitlab-federal-support.zendesk.com/agent/tickets/512301 and ZD#512301"
    ours = find_ticket_refs(text, keep=lambda r: r.host in (None, "gitlab.zendesk.com"))
    assert [(r.id, r.host) for r in ours] == [(512301, None)]
    assert find_ticket_refs("#5", keep=lambda r: False) == []
