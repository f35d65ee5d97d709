"""Rate limits on joining, logging in and sending, counted where every worker sees them.

Flask-Limiter counts in fixed windows, in the database by default (webapp/counters.py, the
`rate_limit` table) or in Redis when `limits.storage_url` names one. Counting in each worker's
memory is allowed only for a single worker (`require_shared_storage`): with several, each
would let through its own full budget.

Join codes, and the odds of guessing one. A code is 8 symbols from 25, C8 = 25^8 =
152,587,890,625 codes; cards printed before that carry 6 symbols, C6 = 25^6 = 244,140,625.
A try at a code is counted before the code is looked up, and given back unless the code named
no group, so only wrong guesses use the budgets and requests sent at once cannot overshoot
them. Whatever the number of addresses, everyone's wrong guesses together are limited to
WRONG_CODES for codes of 8 symbols and WRONG_OLD_CODES for codes of 6 (a guess can only match
a code of its own length). A window of a day overlaps at most two daily windows, so a day of
trying at the limit makes at most G8 = 2 x 250 = 500 guesses of 8 symbols and
G6 = 2 x 5 = 10 of 6. With N8 groups holding new codes and N6 old ones, the chance that any
guess of that day hits any code of any event is, by the union bound,

    p <= G8 * N8 / C8 + G6 * N6 / C6 = N8 * 3.28e-9 + N6 * 4.10e-8

20 groups with new codes: p = 6.6e-8. 20 with new and 20 still on old cards: p = 8.9e-7.
p stays below one in a million up to 305 groups with new codes (and none with old ones),
or 24 with old codes. A hit on a code of an event that is over gives only the refusal naming
that event. Each address is further held to WRONG_CODES_PER_ADDRESS.

The price: once the day's wrong guesses are used up, nobody can join until the window ends
(phones already joined are not affected), and the old codes' budget is small enough that a
few wrong guesses close it for the day. The groups page offers "New code" for those cards.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from datetime import timedelta
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_babel import format_timedelta, gettext
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from flask_login import current_user

from webapp.config import SettingsError
from webapp.counters import DatabaseStorage
from webapp.db import request_session
from webapp.domain import joincodes
from webapp.domain.text import N_
from webapp.models import Participant, User

JOIN_PER_ADDRESS = "60 per minute"  # a hall's Wi-Fi shows one address for a hundred phones
WRONG_CODES_PER_ADDRESS = "10 per minute; 30 per hour"
WRONG_CODES = "50 per hour; 250 per day"
WRONG_OLD_CODES = "2 per hour; 5 per day"
LOGIN_PER_ADDRESS = "20 per minute; 100 per hour"
LOGIN_FAILURES_PER_ACCOUNT = "5 per minute; 20 per hour"
ACCOUNT_CHANGES_PER_ACCOUNT = "10 per hour"
SUBMISSIONS_PER_GROUP = "60 per minute; 1000 per hour"

CODE_TRIES = ("code-tries-address", "code-tries", "old-code-tries")
DATABASE = f"{DatabaseStorage.STORAGE_SCHEME[0]}://"

JOIN_REFUSED = N_(
    "Too many tries at joining. Please wait %(wait)s and try again; if your code keeps "
    "failing, ask your organiser for a new one."
)
LOGIN_REFUSED = N_("Too many tries at logging in. Please wait %(wait)s and try again.")
SENDING_REFUSED = N_(
    "Your group is sending faster than the server takes. Your phone sends it again in %(wait)s."
)


def init_app(app: Flask) -> None:
    """After the blueprints: limits are put on their views by endpoint name."""
    conf = app.config["SETTINGS"]["limits"]
    url = conf["storage_url"] or DATABASE
    limiter = Limiter(
        client_address,
        storage_uri=url,
        storage_options={"engine": app.extensions["engine"]} if url == DATABASE else {},
        strategy="fixed-window",
        enabled=bool(conf["enabled"]),
    )
    limiter.init_app(app)
    app.extensions["rate_limits"] = limiter
    limit_view(app, "auth.join", joining(limiter))
    limit_view(app, "auth.login", logging_in(limiter))
    limit_view(
        app,
        "auth.change_password",
        [
            limiter.limit(
                ACCOUNT_CHANGES_PER_ACCOUNT,
                key_func=user_key,
                methods=["POST"],
                error_message=LOGIN_REFUSED,
            )
        ],
    )
    for endpoint in ("play.send", "play.api_send"):
        sending = limiter.shared_limit(
            SUBMISSIONS_PER_GROUP, "submissions", key_func=group_key, error_message=SENDING_REFUSED
        )
        limit_view(app, endpoint, [sending])
    app.register_error_handler(RateLimitExceeded, refused)
    # Registered after the limiter's own hook, so Flask runs it first.
    app.after_request(before_counting_answers)


def joining(limiter: Limiter) -> list:
    """Every try at a code per address, and wrong codes (see the module's docstring)."""

    def shared(limit: str, scope: str, exempt=lambda: False, **kwargs: Any):
        return limiter.shared_limit(
            limit,
            scope,
            exempt_when=lambda: not tried_code() or exempt(),
            error_message=JOIN_REFUSED,
            **kwargs,
        )

    return [
        shared(JOIN_PER_ADDRESS, "join"),
        shared(WRONG_CODES_PER_ADDRESS, "code-tries-address"),
        shared(WRONG_CODES, "code-tries", key_func=everyone, exempt=tries_old_code),
        shared(
            WRONG_OLD_CODES,
            "old-code-tries",
            key_func=everyone,
            exempt=lambda: not tries_old_code(),
        ),
    ]


def logging_in(limiter: Limiter) -> list:
    """Per address every try; per account only the failed ones, so its owner is not shut out
    by logging in often."""
    return [
        limiter.limit(LOGIN_PER_ADDRESS, methods=["POST"], error_message=LOGIN_REFUSED),
        limiter.limit(
            LOGIN_FAILURES_PER_ACCOUNT,
            key_func=account_key,
            methods=["POST"],
            deduct_when=lambda response: response.status_code == 401,
            error_message=LOGIN_REFUSED,
        ),
    ]


def limit_view(app: Flask, endpoint: str, limits: list) -> None:
    view = app.view_functions[endpoint]
    for limit in limits:
        view = limit(view)
    app.view_functions[endpoint] = view


def require_shared_storage(settings: dict, *, workers: int) -> None:
    """Several workers must count together: memory storage is one worker's own."""
    url = settings["limits"]["storage_url"] or DATABASE
    if workers > 1 and url.startswith("memory"):
        raise SettingsError(
            f"limits.storage_url = {url!r} keeps each worker's own counts, so {workers} "
            "workers would each allow the full limits. Leave it empty (the database) or set a "
            'Redis URL such as "redis://127.0.0.1:6379/0".'
        )


def client_address() -> str:
    """The client's address; an IPv6 client is counted by its /64, which one phone holds."""
    address = request.remote_addr or "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return address


def everyone() -> str:
    return "everyone"


def tried_code() -> str:
    """The code a join request tries: in the address (the card's QR) or in the form."""
    return joincodes.normalise(
        (request.view_args or {}).get("code") or request.form.get("code") or ""
    )


def tries_old_code() -> bool:
    return joincodes.is_old(tried_code())


def account_key() -> str:
    email = (request.form.get("email") or "").strip().lower()
    return "account:" + hashlib.sha256(email.encode()).hexdigest()[:32] if email else ""


def user_key() -> str:
    user = logged_in()
    return f"user:{user.id}" if isinstance(user, User) else ""


def group_key() -> str:
    user = logged_in()
    return f"group:{user.group_id}" if isinstance(user, Participant) else ""


def logged_in() -> Any:
    """Who is logged in, for a key. Loading the login ran in the request's transaction, which
    on SQLite holds the write lock from its first query when the request writes: it is ended
    here, or the counter's own write would wait for this very request."""
    user = current_user._get_current_object()
    request_session().commit()
    return user


def before_counting_answers(response: Response) -> Response:
    """Runs after a limited view and before the limiter's own after-request deductions.

    A try at a join code was counted before the code was looked up; it is given back unless
    the code named no group (404), so that only wrong guesses use the budget.
    """
    limiter: Limiter = current_app.extensions["rate_limits"]
    if not limiter.current_limits:
        return response
    release_request_session()
    if response.status_code != 404:
        for lim in limiter.current_limits:
            if lim.request_args[-1] in CODE_TRIES:
                limiter.limiter.hit(lim.limit, *lim.request_args, cost=-1)
    return response


def release_request_session() -> None:
    """Ends the request's transaction before a counter is written from another connection
    (on SQLite a request that wrote nothing yet may still hold the write lock)."""
    session = g.pop("db", None)
    if session is not None:
        session.close()


def refused(exc: RateLimitExceeded) -> Response:
    """429 in the person's language: JSON for the phone's queue, a page for forms."""
    limiter: Limiter = current_app.extensions["rate_limits"]
    breached = limiter.current_limit
    seconds = max(1, int(breached.reset_at - time.time())) if breached else 60
    wait = format_timedelta(timedelta(seconds=seconds), threshold=1.5)
    text = gettext(exc.description, wait=wait)
    if "/api/" in request.path or request.accept_mimetypes.best == "application/json":
        response = jsonify(error="rate_limited", message=text, retry_after=seconds)
    else:
        page = render_template("errors/error.html", code=429, heading=_("Please wait"), text=text)
        response = Response(page, mimetype="text/html")
    response.status_code = 429
    response.headers["Retry-After"] = str(seconds)
    return response
