"""The Zendesk stand-in: a seeded Zendesk Support API subset over loopback HTTP, stateful, with
fault injection (`python -m bot sandbox` serves it on its own)."""

from .server import SeedError, ZendeskSandbox, main

__all__ = ["SeedError", "ZendeskSandbox", "main"]
