"""Serving the app with gunicorn: threaded workers, schema upgraded once before they fork."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gunicorn.app.base import BaseApplication


class JelajahServer(BaseApplication):
    """gunicorn with threaded workers: a slow phone upload is not killed after 30 s."""

    def __init__(self, options: Mapping[str, Any], app_settings: Mapping[str, Any] | None = None):
        self.options = dict(options)
        self.app_settings = app_settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self):
        # Each worker builds its own app after the fork, so no database connection is shared.
        from webapp import create_app

        return create_app(self.app_settings)


def gunicorn_options(server: Mapping[str, Any], **overrides: Any) -> dict[str, Any]:
    options = {
        "bind": f"{server['host']}:{server['port']}",
        "workers": server["workers"],
        "threads": server["threads"],
        "worker_class": "gthread",
        "timeout": server["timeout"],
        "graceful_timeout": 20,
        "keepalive": 5,
        "accesslog": "-",
        "errorlog": "-",
    }
    options.update({k: v for k, v in overrides.items() if v is not None})
    return options
