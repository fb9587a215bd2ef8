"""gunicorn settings for the Procfile's web: line (bind comes from $PORT on the command line)."""

from bot.serve import GUNICORN_LOGGING, GUNICORN_OPTIONS

worker_class = GUNICORN_OPTIONS["worker_class"]
workers = GUNICORN_OPTIONS["workers"]
threads = GUNICORN_OPTIONS["threads"]
worker_connections = GUNICORN_OPTIONS["worker_connections"]
timeout = GUNICORN_OPTIONS["timeout"]
graceful_timeout = GUNICORN_OPTIONS["graceful_timeout"]
logconfig_dict = GUNICORN_LOGGING
preload_app = GUNICORN_OPTIONS["preload_app"]
