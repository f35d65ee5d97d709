"""Which printed addresses a phone on the same network can open."""

import pytest

from webapp.domain.addresses import reachable_by_phones


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000",
        "http://localhost:8000",
        "http://LOCALHOST.",
        "http://jelajah.localhost",
        "http://0.0.0.0:8000",
        "http://[::1]:8000",
        "http://[::]:8000",
        "",
        "http://[not-an-address",
    ],
)
def test_this_computers_own_names_are_not_reachable(url):
    assert not reachable_by_phones(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://192.168.1.20:8000",
        "http://10.0.0.5",
        "http://jelajah.local:8000",
        "https://jelajah.bpsdm.go.id",
        "http://[fd00::5]:8000",
    ],
)
def test_network_addresses_and_names_are_taken_as_reachable(url):
    assert reachable_by_phones(url)
