"""gunicorn's settings for hirelog:

    gunicorn -c python:hirelog.gunicorn_config 'api:create_app()'

It lives outside the `api` package on purpose: gunicorn imports it before anything else, and
PROMETHEUS_MULTIPROC_DIR must be set before prometheus_client is first imported.

Without --preload: every worker builds its application (and its database connections) after
the fork. Workers count their figures in PROMETHEUS_MULTIPROC_DIR (a fresh folder per start
unless set), so GET /metrics on any worker reports them all; logging is hirelog's (one line
per request is written by the application, so gunicorn's access log is off); errors gunicorn
answers itself are problem+json (api/serving.py). Anything here can be overridden on the
command line; WEB_CONCURRENCY sets the number of workers as usual.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

from hirelog import logs
from hirelog.settings import Settings

_settings = Settings.from_env()

worker_class = "api.serving.Worker"
timeout = 30  # a worker silent for longer (a request stuck that long) is restarted
graceful_timeout = 20
keepalive = 2
limit_request_line = 8190  # longer: 414 problem+json (api/serving.py)
accesslog = None  # the application logs every request (api/observe.py)
logconfig_dict = logs.dict_config(_settings)

_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
    prefix="hirelog-metrics-")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def on_starting(server: Any) -> None:
    """Figures of an earlier run must not be counted again."""
    for name in os.listdir(_metrics_dir):
        path = os.path.join(_metrics_dir, name)
        if os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
