"""Which tickets a reference names: the policy on links to this bot's Zendesk and to others.

A link names its instance by its host, and another instance (the US Government one, say) holds
a different ticket under the same number, whose data must stay out of here. The bot's own host is
known from the settings (ZENDESK_SUBDOMAIN), or learned from Zendesk the first time a
*.zendesk.com link needs checking (ZENDESK_URL alone: a host-mapped domain, or the stand-in).
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from bot.domain.refs import RefError, TicketRef, find_ticket_refs, parse_ticket_ref
from bot.ports import ZendeskError


class TicketRefs:
    def __init__(
        self,
        learn_host: Callable[[], str | None],
        instance_host: str | None = None,
        help_center_hosts: Collection[str] = (),
    ) -> None:
        self._learn_host = learn_host
        self._instance_host = (instance_host or "").lower() or None
        self._help_center_hosts = tuple(h.lower() for h in help_center_hosts)

    def parse(self, text: str, learn: bool = True) -> TicketRef | RefError:
        """A ticket reference, checked to name this bot's Zendesk (not another instance).

        `learn=False` never asks Zendesk (for the path of an ack): a *.zendesk.com link is then
        let through when the instance is not known yet, to be checked again after the ack.
        """
        ref = parse_ticket_ref(text, self._help_center_hosts)
        if isinstance(ref, RefError):
            return ref
        return self._foreign(ref, learn) or ref

    def find(self, text: str) -> list[TicketRef]:
        """Every ticket of this bot's Zendesk named in a message, in order."""
        return find_ticket_refs(
            text, self._help_center_hosts, keep=lambda ref: self._foreign(ref, True) is None
        )

    def _foreign(self, ref: TicketRef, learn: bool) -> RefError | None:
        """Why a link's instance is not this bot's (or can't be told to be); None when it is."""
        if ref.host is None or not ref.host.endswith(".zendesk.com"):
            return None  # a bare id, or our help center: ours by definition
        if self._instance_host is None and learn:
            try:
                self._instance_host = self._learn_host()
            except ZendeskError:
                return RefError(
                    reason="partner-fix could not check with Zendesk which instance that link is "
                    "on. Nothing was done; try again in a minute, or give the ticket number."
                )
            if self._instance_host is None:
                return RefError(
                    reason="partner-fix cannot tell which Zendesk instance it works on, so it "
                    "takes ticket numbers only; set ZENDESK_SUBDOMAIN to take links."
                )
        if self._instance_host is None or ref.host == self._instance_host:
            return None
        # Another instance (the US Government one, say) holds a different ticket under the same
        # number, whose data must stay out of here: nothing of it is echoed.
        return RefError(
            reason=f"That link is to another Zendesk instance than this bot's "
            f"({self._instance_host}), so partner-fix shows nothing of it."
        )
