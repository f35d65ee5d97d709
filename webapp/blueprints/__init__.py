"""Flask blueprints, one per audience: parse the request, call one service, render."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app, flash, request, url_for
from flask_babel import gettext, ngettext

from webapp.i18n import readable
from webapp.services import ServiceError
from webapp.storage import LocalPhotoStore


def writes(view: Callable) -> Callable:
    """Marks a GET view that writes (the judges' queue claims an item): on SQLite its
    transaction then takes the write lock at once and waits for it, instead of failing with
    "database is locked" when another request wrote in between."""
    view.writes = True  # type: ignore[attr-defined]
    return view


def reads_first(view: Callable) -> Callable:
    """Marks a POST view that reads and does slow work (a photo) before it writes: its
    request starts in a read transaction, and the view writes in `db.write_transaction`, so
    that SQLite's write lock is not held while the photo is decoded."""
    view.reads_first = True  # type: ignore[attr-defined]
    return view


def now() -> datetime:
    return current_app.config["CLOCK"]()


def settings() -> dict:
    return current_app.config["SETTINGS"]


def photo_store() -> LocalPhotoStore:
    """The photo files, where the settings say."""
    return LocalPhotoStore(settings()["storage"]["uploads_dir"])


def message(exc: ServiceError) -> str:
    """The refusal in the reader's language, its distances as the reader writes them."""
    return gettext(exc.template, **readable(exc.params))


def flash_refusal(exc: ServiceError) -> None:
    flash(message(exc), "error")


def flash_rescored(count: int) -> None:
    """Says how many submissions a change of windows, times or rules scored anew."""
    if count:
        flash(
            ngettext(
                "%(num)s submission was scored again by the new times and rules.",
                "%(num)s submissions were scored again by the new times and rules.",
                count,
            ),
            "info",
        )


def safe_next(default_endpoint: str, **values: object) -> str:
    """The `next` address when it stays on this site, else the default page."""
    target = request.args.get("next") or request.form.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return url_for(default_endpoint, **values)
