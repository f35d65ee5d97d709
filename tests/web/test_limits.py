"""Rate limits through real requests: joining (per address, and everyone's wrong codes),
logging in (per address and per account), sending (per group); the counters' storage."""

import math
import time

import pytest
from limits import parse_many
from limits.storage import RedisStorage

from tests.conftest import PASSWORD, Web
from webapp import create_app, limits
from webapp.config import SettingsError
from webapp.counters import DatabaseStorage
from webapp.domain import joincodes


def smallest(limit: str) -> int:
    """How many requests the tightest window of a limit lets through."""
    return min(item.amount for item in parse_many(limit))


def at(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def wrong_code(n: int) -> str:
    """A code of the new kind that no group has: the alphabet's first symbols, numbered."""
    return joincodes.ALPHABET[n % 25] * 4 + joincodes.ALPHABET[(n // 25) % 25] * 4


def try_code(web: Web, code: str, address: str = "127.0.0.1", **kwargs):
    return web.submit("/join", {"code": code}, **at(address), **kwargs)


def refused(response, text: str = "Too many tries at joining") -> bool:
    body = response.get_data(as_text=True)
    return response.status_code == 429 and int(response.headers["Retry-After"]) > 0 and text in body


@pytest.fixture
def group(make):
    return make.group(make.event(title="Jelajah Malang"), "Kelompok 2")


def test_wrong_codes_from_one_address_are_refused_after_the_limit(web, another_web, group):
    web.get("/lang/en")
    allowed = smallest(limits.WRONG_CODES_PER_ADDRESS)
    assert all(try_code(web, wrong_code(n)).status_code == 404 for n in range(allowed))
    response = try_code(web, wrong_code(allowed))
    assert refused(response)
    assert response.mimetype == "text/html"
    assert refused(try_code(web, group.join_code))  # a right code too: nothing is revealed
    assert try_code(another_web, group.join_code, "127.0.0.2").status_code == 200


def test_the_refusal_is_in_indonesian_for_an_indonesian_phone(web, group):
    web.get("/lang/id")
    for n in range(smallest(limits.WRONG_CODES_PER_ADDRESS)):
        try_code(web, wrong_code(n))
    assert refused(try_code(web, wrong_code(99)), "Terlalu banyak percobaan bergabung")


def test_the_cards_qr_address_counts_like_a_typed_code(web, group):
    for n in range(smallest(limits.WRONG_CODES_PER_ADDRESS)):
        assert web.get(f"/j/{wrong_code(n)}").status_code == 404
    assert web.get(f"/j/{group.join_code}").status_code == 429


def test_right_codes_do_not_use_the_wrong_code_budget(web, group):
    for _ in range(15):
        assert try_code(web, group.join_code).status_code == 200
    allowed = smallest(limits.WRONG_CODES_PER_ADDRESS)
    assert all(try_code(web, wrong_code(n)).status_code == 404 for n in range(allowed))
    assert try_code(web, wrong_code(allowed)).status_code == 429


def test_wrong_codes_from_many_addresses_are_limited_together(app, group):
    joined = Web(app.test_client())
    assert joined.join(group.join_code, "Siti").status_code == 302
    everyone = smallest(limits.WRONG_CODES)
    per_address = smallest(limits.WRONG_CODES_PER_ADDRESS)
    web = Web(app.test_client())
    for n in range(everyone):
        address = f"127.0.1.{n // per_address}"
        assert try_code(web, wrong_code(n), address).status_code == 404
    assert try_code(web, wrong_code(everyone), "127.0.2.1").status_code == 429
    assert try_code(web, group.join_code, "127.0.2.2").status_code == 429
    assert joined.get("/play/").status_code == 200  # phones already in keep working


def test_codes_of_the_old_short_kind_have_a_small_budget_of_their_own(app, make, session, group):
    old = make.group(make.event(), "Kelompok Lama")
    # A card printed before codes grew to eight symbols; the app no longer makes such codes.
    old.join_code = "NQM9KE"
    session.add(old)
    session.commit()
    web = Web(app.test_client())
    budget = smallest(limits.WRONG_OLD_CODES)
    for n in range(budget):
        assert try_code(web, wrong_code(n)[:6], f"127.0.3.{n}").status_code == 404
    assert try_code(web, "NQM-9KE", "127.0.3.100").status_code == 429
    assert try_code(web, group.join_code, "127.0.3.101").status_code == 200


def test_every_try_at_joining_counts_per_address(web, group):
    allowed = smallest(limits.JOIN_PER_ADDRESS)
    token = web.token("/join")
    for _ in range(allowed):
        response = web.client.post("/join", data={"csrf_token": token, "code": group.join_code})
        assert response.status_code == 200
    response = web.client.post("/join", data={"csrf_token": token, "code": group.join_code})
    assert response.status_code == 429


def test_failed_logins_are_limited_per_account_whatever_the_address(web, another_web, make):
    make.account("ani@example.org")
    make.account("budi@example.org")
    web.get("/lang/en")
    allowed = smallest(limits.LOGIN_FAILURES_PER_ACCOUNT)
    for n in range(allowed):
        response = web.submit(
            "/login", {"email": "ani@example.org", "password": "guess"}, **at(f"127.0.4.{n}")
        )
        assert response.status_code == 401
    right = {"email": "ANI@example.org", "password": PASSWORD}
    assert refused(web.submit("/login", right, **at("127.0.4.99")), "Too many tries at logging in")
    for n in range(allowed + 1):  # logging in successfully is not limited per account
        response = another_web.submit(
            "/login", {"email": "budi@example.org", "password": PASSWORD}, **at(f"127.0.5.{n}")
        )
        assert response.status_code == 302


def test_logins_are_limited_per_address(web, make):
    allowed = smallest(limits.LOGIN_PER_ADDRESS)
    for n in range(allowed):
        response = web.submit("/login", {"email": f"n{n}@example.org", "password": "guess"})
        assert response.status_code == 401
    assert web.login("n0@example.org", "guess").status_code == 429


def test_sending_is_limited_per_group_with_json_for_the_queue_and_a_page_for_the_form(
    app, make, session
):
    event = make.event()
    group, other = make.group(event, "Elang"), make.group(event, "Rajawali")
    task = make.task(event, "text")
    phones = [Web(app.test_client()) for _ in range(3)]
    for phone, (where, name) in zip(
        phones, [(group, "Siti"), (group, "Budi"), (other, "Ani")], strict=True
    ):
        assert phone.join(where.join_code, name).status_code == 302
        phone.get("/lang/en")
        phone.csrf = phone.token("/play/")

    def send(phone, key):
        data = {"csrf_token": phone.csrf, "key": key, "answer": "x"}
        return phone.client.post(
            f"/play/api/tasks/{task.id}/submissions",
            data=data,
            headers={"Accept": "application/json"},
        )

    allowed = smallest(limits.SUBMISSIONS_PER_GROUP)
    # The group's two phones share the budget; answers refused by a rule count too.
    assert send(phones[0], "k0").status_code == 201
    for n in range(1, allowed):
        assert send(phones[n % 2], f"k{n}").status_code != 429
    response = send(phones[0], "one-more")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert response.json["message"].startswith("Your group is sending faster than the server")
    form = phones[1].client.post(
        f"/play/tasks/{task.id}/send",
        data={"csrf_token": phones[1].csrf, "key": "f1", "answer": "x"},
    )
    assert refused(form, "Your group is sending faster")
    assert send(phones[2], "theirs").status_code == 201


def test_counting_in_memory_is_refused_for_several_workers(monkeypatch, cli_env):
    from click.testing import CliRunner

    from webapp.cli import cli

    monkeypatch.setenv("JELAJAH_LIMITS__STORAGE_URL", "memory://")
    monkeypatch.setattr("webapp.server.JelajahServer.run", lambda self: pytest.fail("started"))
    result = CliRunner().invoke(cli, ["serve", "--workers", "2"])
    assert isinstance(result.exception, SettingsError)
    assert "each allow the full limits" in str(result.exception)
    settings = {"limits": {"storage_url": "memory://"}}
    limits.require_shared_storage(settings, workers=1)  # one worker: its memory is shared


def test_a_redis_url_counts_in_redis(database_url, tmp_path):
    app = create_app(
        {
            "app": {"secret_key": "x", "instance_path": str(tmp_path)},
            "database": {"url": database_url},
            "limits": {"storage_url": "redis://127.0.0.1:6379/0"},
        }
    )
    try:
        assert isinstance(app.extensions["rate_limits"].storage, RedisStorage)
    finally:
        app.extensions["engine"].dispose()


def test_the_database_counters_count_expire_and_clear(app):
    storage = DatabaseStorage(engine=app.extensions["engine"])
    assert [storage.incr("a", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("a") == 3 and storage.get("b") == 0
    assert time.time() + 50 < storage.get_expiry("a") <= time.time() + 60
    assert storage.incr("a", 60, amount=-1) == 2
    assert storage.incr("gone", 0) == 1
    assert storage.get("gone") == 0  # its window has ended
    assert storage.incr("gone", 60) == 1  # a new window starts from nothing
    storage.clear("a")
    assert storage.get("a") == 0
    assert storage.check() is True
    assert storage.reset() >= 1 and storage.get("gone") == 0
    long_key = "x" * 400
    assert storage.incr(long_key, 60) == 1 and storage.get(long_key) == 1


def guesses_in_a_day(limit: str) -> int:
    """The most tries a day of trying at `limit` gets: any 24 hours touch one more fixed
    window than fit in them."""
    return min(
        item.amount * (math.ceil(24 * 3600 / item.get_expiry()) + 1) for item in parse_many(limit)
    )


def test_a_day_of_guessing_at_the_limits_hits_a_code_with_odds_below_one_in_a_million():
    new = guesses_in_a_day(limits.WRONG_CODES) / len(joincodes.ALPHABET) ** joincodes.LENGTH
    old = guesses_in_a_day(limits.WRONG_OLD_CODES) / len(joincodes.ALPHABET) ** joincodes.OLD_LENGTH
    assert 20 * new + 20 * old < 1e-6  # 20 groups on new cards, 20 still on old ones
    assert 300 * new < 1e-6
