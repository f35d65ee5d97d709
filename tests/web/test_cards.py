"""The join cards page warns when phones could not open the address it prints."""

import pytest

from tests.web.test_authoring import organiser

WARNING = "Phones cannot open the address on these cards"


def cards_page(app, web, make, host: str = "localhost") -> str:
    """The page as the organiser's laptop opens it at `host`, logged in there."""
    app.config["SERVER_NAME"] = host  # the test client's requests go to this host
    event = organiser(web, make)
    make.group(event, "Kelompok 1")
    return web.get(f"/organiser/events/{event.id}/cards").get_data(as_text=True)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:8000", "0.0.0.0:8000", "[::1]:8000"])
def test_an_address_only_this_computer_opens_is_warned_about_with_what_to_set(app, web, make, host):
    page = cards_page(app, web, make, host)
    assert WARNING in page
    assert "app.base_url" in page and "JELAJAH_APP__BASE_URL" in page
    assert "--host 0.0.0.0" in page
    warning = page[page.index('class="warning') - 10 : page.index(WARNING)]
    assert "no-print" in warning


@pytest.mark.parametrize("host", ["192.168.1.20:8000", "jelajah.local", "jelajah.example.go.id"])
def test_an_address_phones_can_open_gets_no_warning(app, web, make, host):
    page = cards_page(app, web, make, host)
    assert WARNING not in page
    assert f'data-address="http://{host}/j/' in page


def test_the_configured_base_url_wins_over_the_address_the_laptop_used(app, web, make):
    app.config["SETTINGS"]["app"]["base_url"] = "http://10.0.0.5:8000/"
    page = cards_page(app, web, make)
    assert WARNING not in page
    assert 'data-address="http://10.0.0.5:8000/j/' in page
