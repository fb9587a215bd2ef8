"""The command line: `python -m bot [run | plan | fix | undo | check | sweep | sandbox | demo]`.

Exit codes: 0 done, 1 refused or failed, 2 usage or settings.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import uuid
from collections.abc import Callable, Sequence
from typing import TextIO

from bot.config import Settings, exit_with_problems, settings_or_exit
from bot.domain.finding import Finding
from bot.domain.planning import FixRequest, Inquiry, Plan, Refusal
from bot.domain.refs import RefError
from bot.domain.scenarios import SCENARIOS, Scenario
from bot.domain.wording import change_lines, summary_lines, ticket_facts
from bot.fixes import Done, Failed, Fixes, Preview, Stale
from bot.logs import configure, quiet
from bot.ports import Trace

DONE, REFUSED, USAGE = 0, 1, 2

DESCRIPTION = """\
partner-fix corrects Zendesk tickets that GitLab Open Partners raised for their customers:
it sets the Organization Email (partners) field, makes the right person the requester on the
right organization, CCs the partner when they asked, and never associates a customer with a
partner's organization (or the reverse).

Without a command it starts the Slack bot (Socket Mode when SLACK_APP_TOKEN is set, else HTTP
on $PORT). Settings come from the environment or a .env file: see .env.example.
"""

EPILOG = """\
examples:
  python -m bot demo                       the whole flow on built-in stand-ins, no accounts
  python -m bot plan 512301 --scenario customer_account --customer-email carla@globex.example
  python -m bot fix https://gitlab.zendesk.com/agent/tickets/512301 --scenario customer_account \\
      --customer-email carla@globex.example --yes
  python -m bot undo 512301
  python -m bot sweep --since 7 --post     list (and post as alerts) open tickets that look wrong
exit codes: 0 done, 1 refused or failed, 2 usage or settings
"""

SCENARIO_HELP = "; ".join(f"{s.value}: {SCENARIOS[s].title}" for s in Scenario)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="start the Slack bot (the default)")

    def fix_arguments(sub: argparse.ArgumentParser, scenario_required: bool) -> None:
        sub.add_argument("ticket", help="a ticket link or id (#123, ZD#123, an agent or /hc link)")
        sub.add_argument(
            "--scenario",
            "-s",
            required=scenario_required,
            choices=[s.value for s in Scenario],
            metavar="S",
            help=SCENARIO_HELP
            + ("" if scenario_required else ". Default: the scenario the bot suggests"),
        )
        sub.add_argument(
            "--customer-email",
            metavar="E",
            help="the customer's email (customer scenarios); default: the customer the "
            "Organization Email names, or the one the bot found when it names nobody",
        )
        sub.add_argument(
            "--partner-email",
            metavar="P",
            help="the partner to CC or to make requester (default: the ticket's submitter)",
        )
        sub.add_argument(
            "--organization",
            type=int,
            metavar="ID",
            help="the customer organization, when the customer is in several",
        )

    fix_arguments(
        commands.add_parser(
            "plan", help="show the ticket, the suggested scenario and the plan; writes nothing"
        ),
        scenario_required=False,
    )
    fix = commands.add_parser("fix", help="plan, confirm, then apply the correction")
    fix_arguments(fix, scenario_required=True)
    fix.add_argument("--yes", "-y", action="store_true", help="apply without asking")
    undo = commands.add_parser("undo", help="reverse the bot's last correction of a ticket")
    undo.add_argument("ticket", help="a ticket link or id")
    undo.add_argument("--yes", "-y", action="store_true", help="undo without asking")
    commands.add_parser("check", help="verify the settings and the Zendesk connection")
    sweep = commands.add_parser(
        "sweep",
        help="list the open tickets that look mis-associated; writes nothing to Zendesk",
        description="List the open tickets (not solved or closed) that look mis-associated: on "
        "the partner form (ZENDESK_PARTNER_FORM_ID), or off it with a partner organization's "
        "requester (Zendesk copies ZENDESK_PARTNER_ORG_TAGS onto their tickets). One line per "
        "ticket: its id, the suggested scenario, what looks wrong. Found through Zendesk's "
        "search API, whose index lags a few minutes behind new tickets and which returns at "
        "most 1,000 tickets per query (the newest). Never writes to Zendesk.",
        epilog="exit codes: 0 done, 1 a Zendesk fault (or an alert not posted), 2 usage",
    )
    sweep.add_argument(
        "--since",
        type=_positive,
        default=30,
        metavar="DAYS",
        help="tickets created in the last DAYS days (default 30)",
    )
    sweep.add_argument(
        "--limit",
        type=_positive,
        metavar="N",
        help="stop after N tickets that look mis-associated (default: all)",
    )
    sweep.add_argument(
        "--post",
        action="store_true",
        help="also post each as an alert in SLACK_ALERT_CHANNEL (once per ticket in 10 minutes)",
    )
    commands.add_parser(
        "sandbox", help="serve the Zendesk stand-in on 127.0.0.1 (from a checkout)", add_help=False
    )
    commands.add_parser(
        "demo",
        help="play the four scenarios on the stand-ins (no accounts; from a checkout)",
        add_help=False,
    )
    return parser


def _standin_command(command: str, argv: list[str]) -> int:
    """`demo` and `sandbox` run the stand-ins, which live beside the package (in `standins/`)
    and are not shipped in it: imported only here, and only when asked for."""
    try:
        if command == "sandbox":
            from standins.zendesk import main as run
        else:
            from standins.demo import main as run
    except ImportError as error:
        if (error.name or "").partition(".")[0] != "standins":
            raise
        print(
            f"error: the demo and the sandbox run from a checkout of the project "
            f"(python -m bot {command} in its folder); this installation has the bot only.",
            file=sys.stderr,
        )
        return 2
    return run(argv)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    # These two have their own parsers (and --help) and need no settings.
    if args_list[:1] in (["sandbox"], ["demo"]):
        return _standin_command(args_list[0], args_list[1:])
    args = build_parser().parse_args(args_list)
    command = args.command or "run"
    if command == "run":
        from bot.serve import main as serve_main

        return serve_main()
    settings = settings_or_exit(need=("zendesk",))
    if "LOG_LEVEL" in settings.model_fields_set:
        configure(settings.LOG_LEVEL)  # asked for: JSON lines on stderr, as the server logs
    else:
        quiet()
    if command == "sweep":
        from bot.sweep import sweep

        return sweep(settings, args.since, args.limit, args.post)
    fixes = _fixes(settings)
    if command == "check":
        return check(settings)
    if command == "undo":
        return undo(fixes, args.ticket, yes=args.yes)
    request = _request(fixes, args)
    if isinstance(request, int):
        return request
    if command == "plan":
        return plan_or_fix(fixes, request, write=False)
    return plan_or_fix(fixes, request, write=True, yes=args.yes)


def _fixes(settings: Settings) -> Fixes:
    from bot.wiring import build_fixes

    try:
        return build_fixes(settings)
    except ValueError as error:
        exit_with_problems([str(error)])
        raise


def _ticket_id(fixes: Fixes, text: str, out: TextIO = sys.stderr) -> int | None:
    ref = fixes.parse(text)
    if isinstance(ref, RefError):
        print(f"partner-fix: {ref.reason}", file=out)
        return None
    return ref.id


def _request(fixes: Fixes, args: argparse.Namespace) -> FixRequest | int:
    """The request from the options; what they leave out (the scenario for `plan`, the
    customer's email) comes from the ticket, as the modal would prefill it."""
    ticket_id = _ticket_id(fixes, args.ticket)
    if ticket_id is None:
        return USAGE
    scenario = Scenario(args.scenario) if args.scenario else None
    customer_email = args.customer_email
    needs_customer = scenario is None or SCENARIOS[scenario].customer_is_requester
    if scenario is None or (needs_customer and not customer_email):
        look = fixes.look(ticket_id)
        if isinstance(look, Failed):
            print_failed(look)
            return REFUSED
        if scenario is None:
            scenario = look.suggestion.scenario
            print(f"Chose the suggested scenario, {scenario.value}: {look.suggestion.reason}")
        if look.finding is not None:
            print_finding(look.finding)
        customer_email = customer_email or look.customer_email
        if SCENARIOS[scenario].customer_is_requester and not customer_email:
            print(
                f"partner-fix: the {scenario.value} scenario needs the customer's email and the "
                "ticket names no customer the bot could be sure of: give --customer-email.",
                file=sys.stderr,
            )
            return USAGE
    return FixRequest(
        ticket_id=ticket_id,
        scenario=scenario,
        customer_email=customer_email,
        partner_email=args.partner_email,
        organization_id=args.organization,
    )


def print_finding(finding: Finding, out: TextIO = sys.stdout) -> None:
    print(finding.line, file=out)
    if finding.clear is None:
        for candidate in finding.candidates:
            print(f"  - {candidate.describe()}: {candidate.why}", file=out)


def _trace() -> Trace:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "someone"
    return Trace(request_id=uuid.uuid4().hex[:12], requested_by=f"{who} (command line)")


def print_preview(preview: Preview, out: TextIO = sys.stdout) -> None:
    print(f"Ticket {preview.snapshot.ticket.id}  {preview.url}", file=out)
    for label, value in ticket_facts(preview.snapshot):
        print(f"  {label + ':':<32}{value}", file=out)
    suggestion = preview.suggestion
    print(f"\nSuggested scenario: {suggestion.scenario.value}. {suggestion.reason}", file=out)
    outcome = preview.outcome
    print(f"\nChosen scenario: {preview.request.scenario.value}", file=out)
    if isinstance(outcome, Refusal):
        print(f"Refused ({outcome.rule}): {outcome.message}", file=out)
    elif isinstance(outcome, Inquiry):
        print(f"Nothing to write. Ask {outcome.partner}:", file=out)
        for question in outcome.questions:
            print(f"  - {question}", file=out)
    else:
        print_plan(outcome, out)


def print_plan(plan: Plan, out: TextIO = sys.stdout) -> None:
    if plan.already_correct:
        print("Already correct: nothing to change.", file=out)
    else:
        print("Changes:", file=out)
        for line in change_lines(plan):
            print(f"  {line}", file=out)
    for note in plan.notes:
        print(f"Note: {note}", file=out)
    others = [(i, name) for i, name in plan.organization_choices if i != plan.organization_id]
    for org_id, name in others:
        print(f"  another of the customer's organizations: {name} (--organization {org_id})")
    for line in summary_lines(plan)[1:]:
        print(line, file=out)


def print_failed(failed: Failed, out: TextIO = sys.stderr) -> None:
    print(f"partner-fix: {failed.message}", file=out)
    if failed.changed is None:
        print("partner-fix: whether the ticket changed is not known; check it.", file=out)


def confirm(question: str, ask: Callable[[str], str] = input) -> bool:
    try:
        return ask(f"{question} [y/N] ").strip().lower() in {"y", "yes"}
    except EOFError:
        return False


def plan_or_fix(fixes: Fixes, request: FixRequest, write: bool, yes: bool = False) -> int:
    """The preview, printed (`plan`); with `write`, then applied after a confirmation (or
    `yes`) and the summary printed (`fix`)."""
    preview = fixes.preview(request)
    if isinstance(preview, Failed):
        print_failed(preview)
        return REFUSED
    print_preview(preview)
    outcome = preview.outcome
    if not isinstance(outcome, Plan):
        return DONE if isinstance(outcome, Inquiry) else REFUSED
    if not write or outcome.already_correct:
        return DONE
    if not yes and not confirm(f"\nApply these changes to ticket {request.ticket_id}?"):
        print("Not applied: nothing was changed.")
        return REFUSED
    return _report(fixes.apply(outcome, request, _trace()), fixes.large_files_url)


def _report(result: Done | Stale | Failed | Refusal, large_files_url: str | None = None) -> int:
    if isinstance(result, Refusal):
        print(f"Refused ({result.rule}): {result.message}", file=sys.stderr)
        return REFUSED
    if isinstance(result, Failed):
        print_failed(result)
        return REFUSED
    if isinstance(result, Stale):
        print(f"\n{result.reason} Now:")
        print_preview(result.fresh)
        return REFUSED
    verb = "Undone" if result.plan.undo else "Applied"
    extra = " (confirmed by re-reading the ticket)" if result.settled else ""
    print(f"\n{verb}: ticket {result.plan.ticket_id}{extra}  {result.url}")
    for line in change_lines(result.plan):
        print(f"  {line}")
    if not result.plan.undo:
        for line in summary_lines(result.plan, large_files_url):
            print(line)
    return DONE


def undo(fixes: Fixes, text: str, yes: bool) -> int:
    ticket_id = _ticket_id(fixes, text)
    if ticket_id is None:
        return USAGE
    reverse = fixes.undo_preview(ticket_id)
    if isinstance(reverse, Refusal | Failed):
        return _report(reverse)
    print(f"Undo of partner-fix's last correction of ticket {ticket_id} would write:")
    for line in change_lines(reverse):
        print(f"  {line}")
    if not yes and not confirm(f"Undo it on ticket {ticket_id}?"):
        print("Not undone: nothing was changed.")
        return REFUSED
    # Undo reads and judges the ticket again: it writes only what still holds.
    return _report(fixes.undo(ticket_id, _trace()))


def check(settings: Settings) -> int:
    from bot.slack.check import check_slack
    from bot.wiring import build_gateway, build_slack_client

    print(f"Zendesk: {settings.zendesk_base_url}")
    gateway = build_gateway(settings)
    problems = gateway.check_connection()
    if not problems:
        print("  ok: credentials accepted, Organization Email field found")
        # Only with the connection right: otherwise each read would say the same again.
        problems = gateway.check_ticket_editing()
        if not problems:
            print("  ok: the bot's Zendesk user is an agent who can edit tickets")
        field_problems = gateway.check_partner_org_field()
        problems += field_problems
        if not field_problems:
            values = ", ".join(settings.ZENDESK_PARTNER_ORG_VALUES)
            print(
                f"  ok: organization field {settings.ZENDESK_PARTNER_ORG_FIELD} found "
                f"(ZENDESK_PARTNER_ORG_FIELD; partner organizations hold {values} there)"
            )
    for problem in problems:
        print(f"  problem: {problem}")
    print(f"Slack: {settings.SLACK_API_URL}")
    fine, slack_problems = check_slack(settings, build_slack_client(settings))
    for line in fine:
        print(f"  ok: {line}")
    for problem in slack_problems:
        print(f"  problem: {problem}")
    return REFUSED if problems or slack_problems else DONE
