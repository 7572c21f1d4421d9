"""Gunicorn's settings for Collaborate: docker-compose.yml runs `gunicorn --config
gunicorn.conf.py`, and gunicorn reads this file from the working directory by default (the image's
CMD). Each value can be changed through the environment variable beside it.

Behind a reverse proxy (docs/reverse-proxy.md) the proxy bounds bodies per route and buffers slow
clients; these limits hold whether it is there or not."""

import os


def _int(name, default):
    return int(os.environ.get(name) or default)


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = _int("GUNICORN_WORKERS", 3)

# A worker silent this long (one request taking longer) is killed and replaced; stopping waits
# this long for requests in flight. The largest download streams well inside a minute at national
# scale.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# The request line (method, path and query string), the number of header fields and the size of
# each. The longest URL of ours (a list with every filter) is far shorter than 4 KB; a header
# field carries at most the session and CSRF cookies.
limit_request_line = _int("GUNICORN_LIMIT_REQUEST_LINE", 4094)
limit_request_fields = _int("GUNICORN_LIMIT_REQUEST_FIELDS", 50)
limit_request_field_size = _int("GUNICORN_LIMIT_REQUEST_FIELD_SIZE", 8190)

# A worker is replaced after this many requests (give or take the jitter), so that a slow leak
# can never grow without bound.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

accesslog = "-"
errorlog = "-"


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR set, a worker that exits leaves its live gauges behind."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
