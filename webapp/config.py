"""Settings: defaults, then config.toml, then JELAJAH_* environment variables, then overrides."""

from __future__ import annotations

import copy
import json
import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from webapp.files import private_dir

ENV_PREFIX = "JELAJAH_"
CONFIG_ENV = "JELAJAH_CONFIG"
MODES = ("production", "demo", "dev")

DEFAULTS: dict[str, dict[str, Any]] = {
    "app": {
        "mode": "production",
        "secret_key": "",
        "instance_path": "instance",
        "base_url": "",
        "default_language": "id",
        "trusted_proxies": 0,
        "https": False,
    },
    "database": {
        "url": "",
        "busy_timeout_ms": 5000,
        "echo": False,
    },
    "storage": {
        "uploads_dir": "uploads",
        "max_upload_mb": 15,
        "max_pixels": 50_000_000,
        "max_decoded_pixels": 25_000_000,
        "photo_decoders": 2,
        "photo_wait_seconds": 20,
    },
    "accounts": {
        "remember_hours_after_event": 12,
        "remember_max_days": 14,
    },
    "limits": {
        "enabled": True,
        "storage_url": "",
    },
    "map": {
        "tile_url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "tile_attribution": "&copy; OpenStreetMap contributors",
    },
    "board": {
        "poll_seconds": 3,
    },
    "server": {
        "host": "127.0.0.1",
        "port": 8000,
        "workers": 2,
        "threads": 8,
        "timeout": 120,
    },
}


class SettingsError(Exception):
    """A setting is missing or wrong; the message says how to fix it."""


def find_config_file(environ: Mapping[str, str] | None = None) -> Path | None:
    environ = os.environ if environ is None else environ
    if environ.get(CONFIG_ENV):
        path = Path(environ[CONFIG_ENV])
        if not path.is_file():
            raise SettingsError(f"{CONFIG_ENV} points at {path}, which is not a file.")
        return path
    local = Path("config.toml")
    return local if local.is_file() else None


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    settings = collect(overrides, environ)
    check(settings)
    return settings


def load_command_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """The settings of a command other than `serve`: without a configured secret key it uses
    the instance folder's, the one `jelajah demo` and the dev server made, so that every
    command works on the demo's database. A command signs nothing that outlives it."""
    settings = collect(overrides, environ)
    if not settings["app"]["secret_key"]:
        instance = Path(settings["app"]["instance_path"]).resolve()
        settings["app"]["secret_key"] = instance_secret_key(instance)
    check(settings)
    return settings


def collect(
    overrides: Mapping[str, Any] | None, environ: Mapping[str, str] | None
) -> dict[str, dict[str, Any]]:
    environ = os.environ if environ is None else environ
    settings = copy.deepcopy(DEFAULTS)
    path = find_config_file(environ)
    if path is not None:
        with path.open("rb") as fh:
            try:
                merge(settings, tomllib.load(fh), source=str(path))
            except tomllib.TOMLDecodeError as exc:
                raise SettingsError(f"{path}: {exc}") from exc
    merge(settings, env_overrides(environ), source="environment")
    if overrides:
        merge(settings, overrides, source="overrides")
    # Fixed once, here: Flask's send_file would read a relative path from the package folder,
    # not from the folder the store wrote into.
    settings["storage"]["uploads_dir"] = str(
        Path(settings["storage"]["uploads_dir"]).expanduser().absolute()
    )
    return settings


def env_overrides(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Reads JELAJAH_SECTION__KEY variables; values are parsed as JSON when they can be."""
    found: dict[str, dict[str, Any]] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name == CONFIG_ENV or "__" not in name:
            continue
        section, key = name[len(ENV_PREFIX) :].lower().split("__", 1)
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        found.setdefault(section, {})[key] = value
    return found


def merge(settings: dict[str, dict[str, Any]], extra: Mapping[str, Any], *, source: str) -> None:
    for section, values in extra.items():
        if section not in settings:
            raise SettingsError(f"{source}: unknown section [{section}].")
        if not isinstance(values, Mapping):
            raise SettingsError(f"{source}: [{section}] must be a table.")
        for key, value in values.items():
            if key not in settings[section]:
                raise SettingsError(f"{source}: unknown setting {section}.{key}.")
            settings[section][key] = value


def check(settings: dict[str, dict[str, Any]]) -> None:
    mode = settings["app"]["mode"]
    if mode not in MODES:
        raise SettingsError(f"app.mode must be one of {', '.join(MODES)}, not {mode!r}.")
    if settings["app"]["default_language"] not in ("id", "en"):
        raise SettingsError("app.default_language must be 'id' or 'en'.")
    if mode == "production" and not settings["app"]["secret_key"]:
        raise SettingsError(
            "No secret key is set. Set app.secret_key in config.toml or the environment "
            "variable JELAJAH_APP__SECRET_KEY to a long random string, for example the output "
            'of: python -c "import secrets; print(secrets.token_hex(32))"'
        )


def instance_secret_key(instance_path: Path) -> str:
    """In demo and dev mode, a secret key is generated once and kept in the instance folder."""
    key_file = instance_path / "secret_key"
    if key_file.is_file():
        return key_file.read_text().strip()
    private_dir(instance_path)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key
