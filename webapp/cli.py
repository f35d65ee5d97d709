"""The `jelajah` command: serve, demo, database, accounts, task sets, photos and storage."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from webapp import db
from webapp.config import SettingsError, load_command_settings, load_settings
from webapp.domain.addresses import reachable_by_phones

DEMO_EMAIL = "demo@jelajah.test"
DEMO_PASSWORD = "jelajah-demo"  # noqa: S105 - printed for the person trying the demo


def main() -> None:
    try:
        cli(standalone_mode=True)
    except (SettingsError, db.SchemaOutOfDate) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)


@click.group(help="Jelajah: field-task exercises for training programmes.")
def cli() -> None:
    """The top-level command; its subcommands do the work."""


def settings_and_url(**overrides: Any) -> tuple[dict, str]:
    settings = load_command_settings(overrides)
    instance = Path(settings["app"]["instance_path"]).resolve()
    return settings, db.database_url(settings, instance)


def upgrade_database(**overrides: Any) -> str:
    _settings, url = settings_and_url(**overrides)
    db.upgrade(url)
    return url


@contextmanager
def app_context(**overrides: Any) -> Iterator[None]:
    """The app for one command; its database connections are closed when the command ends."""
    from webapp import create_app

    key = load_command_settings(overrides)["app"]["secret_key"]
    app = create_app({**overrides, "app": {**overrides.get("app", {}), "secret_key": key}})
    try:
        with app.app_context():
            yield
    finally:
        app.extensions["engine"].dispose()


def now() -> datetime:
    return datetime.now(UTC)


@cli.group("db", help="Database schema.")
def db_group() -> None:
    """Commands for the database schema."""


@db_group.command("upgrade", help="Apply the migrations the database has not had yet.")
def db_upgrade() -> None:
    url = upgrade_database()
    click.echo(f"Database is at revision {db.head_revision()} ({_redacted(url)}).")


@cli.command(help="Serve the app with gunicorn (threaded workers).")
@click.option("--host", default=None, help="Address to listen on.")
@click.option("--port", type=int, default=None, help="Port to listen on.")
@click.option("--workers", type=int, default=None, help="Worker processes.")
@click.option("--threads", type=int, default=None, help="Threads per worker.")
@click.option("--dev", is_flag=True, help="Flask's development server with the reloader.")
def serve(
    host: str | None, port: int | None, workers: int | None, threads: int | None, dev: bool
) -> None:
    mode = {"app": {"mode": "dev"}} if dev else {}
    settings = load_settings(mode)  # a server in production mode needs a key of its own
    upgrade_database(**mode)
    run_server(settings, host=host, port=port, workers=workers, threads=threads, dev=dev)


def run_server(
    settings: dict,
    *,
    host=None,
    port=None,
    workers=None,
    threads=None,
    dev: bool = False,
    app_settings: dict | None = None,
) -> None:
    server = settings["server"]
    if dev:
        from webapp import create_app

        app = create_app({"app": {"mode": "dev"}, **(app_settings or {})})
        app.run(
            host=host or server["host"], port=port or server["port"], debug=True, use_reloader=True
        )
        return
    from webapp.limits import require_shared_storage
    from webapp.server import JelajahServer, gunicorn_options

    options = gunicorn_options(
        server,
        bind=f"{host or server['host']}:{port or server['port']}",
        workers=workers,
        threads=threads,
    )
    require_shared_storage(settings, workers=options["workers"])
    JelajahServer(options, app_settings).run()


@cli.command("create-organiser", help="Create an organiser account (asks for the password).")
@click.argument("email")
@click.option("--name", default="", help="Name shown in the app.")
@click.password_option(help="Password (asked when not given).")
def create_organiser(email: str, name: str, password: str) -> None:
    from webapp.db import request_session
    from webapp.services import ServiceError, accounts

    with app_context():
        session = request_session()
        try:
            user = accounts.create_account(
                session,
                email=email,
                name=name,
                password=password,
                now=now(),
                can_create_events=True,
            )
        except ServiceError as exc:
            raise click.ClickException(str(exc)) from exc
        session.commit()
        click.echo(f"Created organiser {user.email}.")


@cli.command("import-tasks", help="Create an event from a task-set file.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--organiser",
    "organiser_email",
    default=None,
    help="E-mail of the organiser who owns the event (default: the first account).",
)
@click.option("--start", default=None, help="Local start, YYYY-MM-DDTHH:MM (default: the set's).")
@click.option("--groups", type=int, default=0, help="Create this many groups too.")
def import_tasks(file: Path, organiser_email: str | None, start: str | None, groups: int) -> None:
    from webapp.db import request_session
    from webapp.domain.taskset import TaskSetInvalid, load_taskset_file
    from webapp.services import ServiceError, tasksets
    from webapp.storage import LocalPhotoStore

    try:
        taskset = load_taskset_file(file)
    except TaskSetInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(
            f"{len(exc.problems)} problem(s) in {file}; nothing was imported."
        ) from exc
    storage = load_command_settings()["storage"]
    with app_context():
        session = request_session()
        try:
            owner = tasksets.pick_owner(session, organiser_email)
            event = tasksets.create_event(
                session,
                taskset=taskset,
                owner=owner,
                local_start=start,
                group_count=groups,
                source_dir=file.parent,
                store=LocalPhotoStore(storage["uploads_dir"]),
                max_photo_bytes=int(storage["max_upload_mb"] * 1024 * 1024),
                now=now(),
            )
        except ServiceError as exc:
            raise click.ClickException(f"{exc} Nothing was imported.") from exc
        session.commit()
        click.echo(f"Imported {len(taskset.tasks)} tasks into event {event.id}: {event.title}")


@cli.command("export-tasks", help="Write an event's tasks as a task-set file.")
@click.argument("event_id", type=int)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: standard output).",
)
def export_tasks(event_id: int, output: Path | None) -> None:
    from webapp.db import request_session
    from webapp.services import tasksets

    with app_context():
        text = tasksets.export_event(request_session(), event_id)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}")


@cli.command("export-photos", help="Write every photo of an event, as sent, to a ZIP file.")
@click.argument("event_id", type=int)
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
def export_photos(event_id: int, output: Path) -> None:
    from flask import current_app
    from flask_babel import force_locale, gettext

    from webapp.db import request_session
    from webapp.models import Event
    from webapp.services import exports
    from webapp.storage import LocalPhotoStore

    with app_context():
        session = request_session()
        event = session.get(Event, event_id)
        if event is None:
            raise click.ClickException(f"There is no event {event_id}.")
        photos = exports.sent_photos(session, event)
        store = LocalPhotoStore(current_app.config["SETTINGS"]["storage"]["uploads_dir"])
        partial = output.with_name(output.name + ".part")  # a crash leaves no half ZIP
        with force_locale(event.language), open(partial, "wb") as out:
            steps = exports.write_photo_archive(
                photos, store, out, timezone=event.timezone, translate=gettext
            )
            written = max(steps, default=0)
        partial.replace(output)
    click.echo(f"Wrote {written} of {len(photos)} photos to {output}")


@cli.command(help="Recompute every submission's points from its reviews (after a hand edit).")
@click.argument("event_id", type=int)
def rescore(event_id: int) -> None:
    from webapp.db import request_session
    from webapp.models import Event
    from webapp.services import worth

    with app_context():
        session = request_session()
        event = session.get(Event, event_id)
        if event is None:
            raise click.ClickException(f"There is no event {event_id}.")
        changed = worth.recompute(session, event, now())
        session.commit()
    click.echo(f"Submissions changed: {changed}" if changed else "Every score was right.")


def _redacted(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


PLAIN_HTTP_NOTE = (
    "  Over plain http phones can join, see the tasks and send photos and answers; "
    "check-in by position and the offline mode need https (see Deployment in README.md)."
)


def lan_address() -> str | None:
    """This computer's address on its network, found without the internet: connecting a UDP
    socket sends nothing, but picks the interface a packet to a private address would leave by.
    """
    for target in ("10.255.255.255", "172.31.255.255", "192.168.255.255"):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.connect((target, 9))
                found = probe.getsockname()[0]
            except OSError:  # no route to that network
                continue
        if reachable_by_phones(f"http://{found}"):
            return found
    try:
        named = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return None
    return next((a[4][0] for a in named if reachable_by_phones(f"http://{a[4][0]}")), None)


def demo_address(host: str, port: int, base_url: str) -> tuple[str, str]:
    """The address to print, and a line saying who can open it."""
    if base_url:
        return base_url.rstrip("/"), PLAIN_HTTP_NOTE
    if host in ("0.0.0.0", "::"):  # noqa: S104 - every interface: phones use the LAN address
        found = lan_address()
        if found is None:
            return f"http://localhost:{port}", (
                "  No network was found: phones cannot reach this computer. Join a Wi-Fi "
                "network or a phone's hotspot and start the demo again."
            )
        return f"http://{found}:{port}", PLAIN_HTTP_NOTE
    if not reachable_by_phones(f"http://{host}"):
        return f"http://localhost:{port}", (
            "  Only this computer can open these addresses; for phones on the same network, "
            "start the demo with --host 0.0.0.0."
        )
    return f"http://{host}:{port}", PLAIN_HTTP_NOTE


@cli.command(help="Create a demo event (if there is none) and serve it on this computer.")
@click.option("--host", default="127.0.0.1", help="Address to listen on (0.0.0.0: for phones).")
@click.option("--port", type=int, default=8000, help="Port to listen on.")
@click.option("--workers", type=int, default=2, help="Worker processes.")
def demo(host: str, port: int, workers: int) -> None:
    from webapp.db import request_session
    from webapp.domain.joincodes import display
    from webapp.services import demo as demo_service

    overrides: dict[str, dict[str, Any]] = {"app": {"mode": "demo"}}
    settings, _url = settings_and_url(**overrides)
    base, reach = demo_address(host, port, settings["app"]["base_url"])
    if reachable_by_phones(base):  # what join cards (and place posters) print
        overrides["app"]["base_url"] = base
    upgrade_database(**overrides)
    with app_context(**overrides):
        session = request_session()
        event, groups = demo_service.ensure_demo(
            session,
            email=DEMO_EMAIL,
            password=DEMO_PASSWORD,
            taskset_path=demo_service.DEMO_TASKSET,
            now=now(),
        )
        session.commit()
        click.echo("")
        click.echo(f"Jelajah demo: {event.title}")
        click.echo(f"  Organisers: {base}/login   e-mail {DEMO_EMAIL}   password {DEMO_PASSWORD}")
        codes = ", ".join(f"{g.name} {display(g.join_code)}" for g in groups)
        click.echo(f"  Participants: {base}/join   codes: {codes}")
        click.echo(f"  Board: {base}/board/{event.board_token}")
        click.echo(reach)
        click.echo("")
    run_server(settings, host=host, port=port, workers=workers, app_settings=overrides)


@cli.command("photo-check", help="Check photo files as an upload would; prints one JSON line each.")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def photo_check(files: tuple[Path, ...]) -> None:
    from webapp.photo_check import photo_check_report, report_line

    # Only the storage limits are read, and nothing is signed: no secret key is needed.
    storage = load_settings({"app": {"secret_key": "photo-check"}})["storage"]
    refused = False
    for file in files:
        report = photo_check_report(
            file,
            max_bytes=int(storage["max_upload_mb"] * 1024 * 1024),
            max_pixels=int(storage["max_pixels"]),
        )
        refused = refused or not report["ok"]
        click.echo(report_line(report))
    if refused:
        sys.exit(1)


@cli.group("storage", help="Photo storage.")
def storage_group() -> None:
    """Commands for the photo files."""


@storage_group.command(
    "check", help="Remove files no submission or task uses; report missing files."
)
@click.option("--dry-run", is_flag=True, help="Only report; remove nothing.")
def storage_check(dry_run: bool) -> None:
    from webapp.db import request_session
    from webapp.services.storage_check import check_storage
    from webapp.storage import LocalPhotoStore

    settings = load_command_settings()
    with app_context():
        store = LocalPhotoStore(settings["storage"]["uploads_dir"])
        report = check_storage(request_session(), store, remove=not dry_run)
    verb = "Would remove" if dry_run else "Removed"
    for name in report.removed:
        click.echo(f"{verb} {name} (no submission or task uses it)")
    for sub_id, name in report.missing:
        click.echo(f"Missing {name} of submission {sub_id}")
    for task_id, name in report.missing_references:
        click.echo(f"Missing {name} of the reference photo of task {task_id}")
    missing = len(report.missing) + len(report.missing_references)
    click.echo(f"{len(report.removed)} file(s) no row uses, {missing} missing file(s).")
    if missing:
        sys.exit(1)


@cli.command(
    help="Write the database, the photo files and the settings to one ZIP archive: OUT, or "
    "a dated name in the folder OUT or in this folder."
)
@click.argument("out", required=False, type=click.Path(path_type=Path))
def backup(out: Path | None) -> None:
    from webapp import backup as backups

    try:
        backups.make_backup(out, now=now(), say=click.echo)
    except (backups.BackupError, OSError) as exc:  # OSError: a folder it may not write, say
        raise click.ClickException(str(exc)) from exc


@cli.command(help="Bring back a backup archive onto this machine (a fresh one, or with --force).")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--force", is_flag=True, help="Replace a database or uploads folder that already holds data."
)
def restore(archive: Path, force: bool) -> None:
    from webapp import restore as restoring

    try:
        restoring.restore(archive, force=force, say=click.echo)
    except (restoring.BackupError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
