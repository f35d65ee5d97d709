"""Static files with a content version in their address, and the service worker at the root.

A phone keeps scripts for a week and in its service worker's cache, so after an upgrade it
must never run a new module with an old one: every module is imported through an import map
that names the versioned address of each, and the service worker's cache is named after the
versions of all the files, so that an upgrade installs a new worker that drops the old cache.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, url_for

STATIC = Path(__file__).parent / "static"
SCRIPTS = "js"


@lru_cache(maxsize=256)
def version(filename: str) -> str:
    """A short hash of the file, so a phone's cached copy is replaced when the file changes."""
    return hashlib.sha256((STATIC / filename).read_bytes()).hexdigest()[:10]


def static_url(filename: str) -> str:
    return url_for("static", filename=filename, v=version(filename))


@lru_cache(maxsize=1)
def modules() -> tuple[str, ...]:
    return tuple(sorted(p.relative_to(STATIC).as_posix() for p in (STATIC / SCRIPTS).glob("*.js")))


def import_map() -> dict:
    """An import map from each module's plain address (as `./queue.js` resolves) to its
    versioned one; a page puts it before its first module script."""
    return {"imports": {url_for("static", filename=name): static_url(name) for name in modules()}}


@lru_cache(maxsize=1)
def release() -> str:
    """One version for all the static files: the service worker's cache is named after it."""
    files = sorted(p.relative_to(STATIC).as_posix() for p in STATIC.rglob("*") if p.is_file())
    joined = "\n".join(f"{name}={version(name)}" for name in files)
    return hashlib.sha256(joined.encode()).hexdigest()[:12]


def service_worker() -> Response:
    """Served from the root so that it may keep every phone page for offline use; its text
    carries the release, so a browser sees a new worker after every upgrade."""
    text = (STATIC / SCRIPTS / "sw.js").read_text(encoding="utf-8")
    text = text.replace('const RELEASE = "dev";', f"const RELEASE = {json.dumps(release())};", 1)
    response = Response(text, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


def init_app(app: Flask) -> None:
    app.jinja_env.globals["static_url"] = static_url
    app.jinja_env.globals["import_map"] = import_map
    app.add_url_rule("/sw.js", "service_worker", service_worker)
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 7 * 24 * 3600
