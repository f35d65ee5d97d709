"""The licence pyproject.toml names is the one the repository ships."""

import tomllib

from tests.conftest import REPO


def test_the_repository_ships_the_licence_its_metadata_names():
    metadata = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert metadata["license"]["text"] == "AGPL-3.0-or-later"
    text = (REPO / "LICENSE").read_text()
    assert text.startswith("GNU AFFERO GENERAL PUBLIC LICENSE\nVersion 3")
    assert "any later version" in text
