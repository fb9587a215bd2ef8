"""`python -m bot` with no command: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on $PORT.

HTTP mode runs the same gunicorn server as the Procfile, so local runs behave like production.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.config import Settings, SettingsError, exit_with_problems, load_settings
from bot.logs import configure

log = logging.getLogger(__name__)

# Shared with the Procfile's web: line (see gunicorn.conf.py).
GUNICORN_OPTIONS = {"workers": 2, "threads": 16, "timeout": 30, "graceful_timeout": 10}


def main() -> int:
    try:
        settings = load_settings(need=("slack", "zendesk"))
    except SettingsError as error:
        exit_with_problems(error.problems)
        raise
    configure(settings.LOG_LEVEL)
    if settings.socket_mode:
        return _socket_mode(settings)
    return _http(settings)


def _socket_mode(settings: Settings) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.slack.app import create_app
    from bot.wiring import build_fixes

    app = create_app(settings, build_fixes(settings))
    log.info("starting in Socket Mode")
    SocketModeHandler(app, settings.SLACK_APP_TOKEN).start()
    return 0


def _http(settings: Settings) -> int:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"0.0.0.0:{settings.PORT}")
            for key, value in GUNICORN_OPTIONS.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from bot.web import create

            return create()

    log.info("starting HTTP mode", extra={"port": settings.PORT})
    Server().run()
    return 0
