"""`python -m bot` with no command: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on $PORT.

HTTP mode runs the same gunicorn server as the Procfile, so local runs behave like production.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from bot.config import Settings, settings_or_exit
from bot.logs import configure

log = logging.getLogger(__name__)

# Shared with the Procfile's web: line (see gunicorn.conf.py). Threads, because the work is
# waiting on Slack and Zendesk; two workers, because acks under a burst are bound by one
# process's GIL. The app is preloaded so that settings problems surface once, in the master,
# and the workers share the replay guard's folder (bot/slack/guard.py). The worker is gthread
# reading each request whole before a thread takes it (bot/worker.py), so slow or half-sent
# requests wait in the event loop, up to worker_connections of them, not in the 32 threads.
GUNICORN_OPTIONS: dict[str, Any] = {
    "worker_class": "bot.worker.BufferingThreadWorker",
    "workers": 2,
    "threads": 32,
    "worker_connections": 1000,
    "timeout": 30,
    "graceful_timeout": 10,
    "preload_app": True,
}


# gunicorn's own lines as JSON too, so a log shipper reads one format.
GUNICORN_LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "bot.logs.JsonFormatter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "WARNING", "handlers": ["stderr"], "propagate": False},
    },
}


def main() -> int:
    settings = settings_or_exit(need=("slack", "zendesk"))
    configure(settings.LOG_LEVEL)
    if settings.socket_mode:
        return _socket_mode(settings)
    return _http(settings)


def _socket_mode(settings: Settings) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk.errors import SlackApiError

    from bot.wiring import build_slack_app

    app = build_slack_app(settings)
    log.info("starting in Socket Mode")
    try:
        SocketModeHandler(app, settings.SLACK_APP_TOKEN).start()
    except SlackApiError as error:
        reason = error.response.get("error")
        print(
            f"partner-fix: Slack refused to open a Socket Mode connection ({reason}). Check that "
            "SLACK_APP_TOKEN is an app-level token with connections:write and that Socket Mode "
            "is enabled for the app.",
            file=sys.stderr,
        )
        return 1
    except OSError as error:  # URLError and socket errors: Slack could not be reached at all
        reason = getattr(error, "reason", None) or error
        print(
            f"partner-fix: could not reach Slack at {settings.SLACK_API_URL} to open a Socket "
            f"Mode connection ({reason}). Check the network and SLACK_API_URL.",
            file=sys.stderr,
        )
        return 1
    return 0


def _http(settings: Settings) -> int:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"0.0.0.0:{settings.PORT}")
            for key, value in GUNICORN_OPTIONS.items():
                self.cfg.set(key, value)
            self.cfg.set("logconfig_dict", GUNICORN_LOGGING)

        def load(self) -> Any:
            from bot.wiring import create

            return create()

    log.info("starting HTTP mode", extra={"port": settings.PORT})
    Server().run()
    return 0
