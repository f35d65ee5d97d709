"""Settings precedence: defaults, then the file, then the environment, then overrides."""

import pytest

from webapp.config import DEFAULTS, SettingsError, instance_secret_key, load_settings


def write(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_defaults_apply_when_there_is_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings({"app": {"secret_key": "x"}}, environ={})
    assert settings["storage"]["max_upload_mb"] == DEFAULTS["storage"]["max_upload_mb"] == 15
    assert settings["server"]["port"] == 8000


def test_a_relative_uploads_folder_is_the_one_in_the_folder_jelajah_starts_in(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    settings = load_settings({"app": {"secret_key": "x"}}, environ={})
    assert settings["storage"]["uploads_dir"] == str(tmp_path / "uploads")


def test_file_named_by_jelajah_config_overrides_defaults(tmp_path):
    path = write(tmp_path, '[app]\nsecret_key = "s"\n[server]\nport = 9001\n')
    settings = load_settings(environ={"JELAJAH_CONFIG": str(path)})
    assert settings["server"]["port"] == 9001
    assert settings["server"]["host"] == "127.0.0.1"


def test_config_toml_in_the_current_folder_is_found(tmp_path, monkeypatch):
    write(tmp_path, '[app]\nsecret_key = "from-file"\n')
    monkeypatch.chdir(tmp_path)
    assert load_settings(environ={})["app"]["secret_key"] == "from-file"


def test_environment_overrides_the_file_and_is_parsed_as_json(tmp_path):
    path = write(tmp_path, '[app]\nsecret_key = "s"\n[server]\nport = 9001\n')
    settings = load_settings(
        environ={
            "JELAJAH_CONFIG": str(path),
            "JELAJAH_SERVER__PORT": "9002",
            "JELAJAH_DATABASE__URL": "postgresql+psycopg://u@h/db",
            "JELAJAH_APP__HTTPS": "true",
        }
    )
    assert settings["server"]["port"] == 9002
    assert settings["database"]["url"] == "postgresql+psycopg://u@h/db"
    assert settings["app"]["https"] is True


def test_overrides_win_over_the_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(
        {"server": {"port": 1234}, "app": {"secret_key": "x"}},
        environ={"JELAJAH_SERVER__PORT": "9002"},
    )
    assert settings["server"]["port"] == 1234


def test_unknown_setting_is_an_error_that_names_it(tmp_path):
    path = write(tmp_path, '[app]\nsecret_key = "s"\nsecret = "typo"\n')
    with pytest.raises(SettingsError, match="app.secret"):
        load_settings(environ={"JELAJAH_CONFIG": str(path)})


def test_missing_secret_key_in_production_says_how_to_set_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SettingsError, match="JELAJAH_APP__SECRET_KEY") as exc:
        load_settings(environ={})
    assert "secrets.token_hex" in str(exc.value)


def test_demo_mode_needs_no_secret_key_and_keeps_the_generated_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_settings({"app": {"mode": "demo"}}, environ={})["app"]["secret_key"] == ""
    first = instance_secret_key(tmp_path / "instance")
    assert len(first) == 64
    assert instance_secret_key(tmp_path / "instance") == first


def test_example_config_lists_every_setting_with_a_comment():
    import tomllib
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "config.example.toml").read_text()
    example = tomllib.loads(text)
    assert {s: set(v) for s, v in example.items()} == {s: set(v) for s, v in DEFAULTS.items()}
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if "=" in line and not line.startswith("#"):
            assert lines[number - 1].startswith("#"), f"no comment above: {line}"
