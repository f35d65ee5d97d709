"""Organiser pages for tasks and locations: add, edit, reorder, duplicate, delete, the map."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.blueprints import flash_refusal, flash_rescored, message, now, photo_store
from webapp.blueprints.organiser import bp
from webapp.blueprints.organiser.field_problems import (
    LOCATION_FIELD_OF,
    TASK_FIELD_OF,
    place_problems,
)
from webapp.blueprints.organiser.forms import (
    KIND_FIELDS,
    PENALTIES,
    LocationForm,
    TaskForm,
    options,
)
from webapp.db import request_session
from webapp.models import Location, Task
from webapp.photos import PhotoRefused
from webapp.security import ORGANISER, staff_only
from webapp.services import ServiceError, authoring, references


@bp.route("/events/<int:event_id>/tasks")
@staff_only(ORGANISER)
def tasks(event_id: int):
    """The event's tasks in order, with buttons to reorder, duplicate and delete them."""
    session = request_session()
    return render_template(
        "organiser/tasks.html",
        event=g.event,
        tasks=authoring.tasks_of(session, event_id),
        locations={loc.id: loc for loc in authoring.locations_of(session, event_id)},
    )


# Where the map opens for an event with no places yet: the main city of its time zone.
MAP_START = {
    "Asia/Jakarta": (-6.1754, 106.8272),
    "Asia/Pontianak": (-0.0263, 109.3425),
    "Asia/Makassar": (-5.1477, 119.4327),
    "Asia/Jayapura": (-2.5337, 140.7181),
}


def fill_choices(form: TaskForm, event_id: int, task_id: int | None) -> None:
    session = request_session()
    form.location.choices = options(
        [(0, "–")] + [(loc.id, loc.name) for loc in authoring.locations_of(session, event_id)]
    )
    others = [t for t in authoring.tasks_of(session, event_id) if t.id != task_id]
    form.unlocks_after.choices = options([(0, "–")] + [(t.id, t.title) for t in others])
    form.after.choices = options(
        [("start", _("the start of the event"))]
        + [(t.key, _("when the group has done: %(task)s", task=t.title)) for t in others]
    )


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def pairs(text: str | None, number_first: bool) -> list[tuple[str, str]]:
    found = []
    for line in lines(text):
        left, _sep, right = line.rpartition(":") if not number_first else line.partition(":")
        found.append((left.strip(), right.strip()))
    return found


def number(value: str) -> float | int | str:
    try:
        parsed = float(value.replace(",", "."))
    except ValueError:
        return value
    return int(parsed) if parsed.is_integer() else parsed


def form_to_task(form: TaskForm, task: Task) -> None:
    task.title, task.kind, task.points = form.title.data, form.kind.data, form.points.data or 0
    task.instructions = form.instructions.data or ""
    task.location_id = form.location.data or None
    task.unlocks_after_id = form.unlocks_after.data or None
    task.fresh_photo = bool(form.fresh_photo.data)
    window: dict = {}
    if form.window_mode.data == "absolute":
        window = {k: getattr(form, k).data for k in ("opens", "closes") if getattr(form, k).data}
    elif form.window_mode.data == "relative":
        window = {"after": form.after.data, "offset": form.offset.data or 0}
        if form.duration.data:
            window["duration"] = form.duration.data
    task.window = window
    late: dict = {"policy": form.late_policy.data}
    for key, field in (("value", form.late_value), ("cap", form.late_cap), ("grace", form.grace)):
        if field.data is not None and (key == "grace" or late["policy"] in PENALTIES):
            late[key] = number(str(field.data))
    task.late = late
    check: dict = {}
    if task.kind == "text" and lines(form.answers.data):
        check["answers"] = lines(form.answers.data)
    if task.kind == "number" and form.answer.data:
        check["answer"] = number(form.answer.data)
        if form.tolerance.data is not None:
            check["tolerance"] = number(str(form.tolerance.data))
    if task.kind == "choice":
        check["choices"] = lines(form.choices.data)
        if form.answer.data:
            check["answer"] = form.answer.data.strip()
    if task.kind in ("photo", "photo_at_location", "text") and form.auto_accept.data:
        check["review"] = "auto"  # a judge decides by default
    task.check = check
    task.rubric = [{"name": name, "max": number(mx)} for name, mx in pairs(form.rubric.data, False)]
    task.rubric_optional = bool(form.rubric_optional.data)
    task.hints = [
        {"text": text, "cost": number(cost)} for cost, text in pairs(form.hints.data, True)
    ]
    task.first_bonus = [
        number(b.strip()) for b in (form.first_bonus.data or "").split(",") if b.strip()
    ]


def task_to_form(task: Task, form: TaskForm) -> None:
    form.title.data, form.kind.data, form.points.data = task.title, task.kind, task.points
    form.instructions.data = task.instructions
    form.location.data, form.unlocks_after.data = task.location_id or 0, task.unlocks_after_id or 0
    form.fresh_photo.data = task.fresh_photo
    window = task.window or {}
    form.window_mode.data = "relative" if "after" in window else ("absolute" if window else "none")
    form.opens.data, form.closes.data = window.get("opens"), window.get("closes")
    form.after.data, form.offset.data = window.get("after", "start"), window.get("offset", 0)
    form.duration.data = window.get("duration")
    late = task.late or {}
    form.late_policy.data = late.get("policy", "refuse")
    form.late_value.data, form.late_cap.data = late.get("value"), late.get("cap")
    form.grace.data = late.get("grace")
    check = task.check or {}
    form.answers.data = "\n".join(check.get("answers", []))
    form.answer.data = "" if check.get("answer") is None else str(check["answer"])
    form.tolerance.data = check.get("tolerance")
    form.choices.data = "\n".join(check.get("choices", []))
    form.auto_accept.data = check.get("review") == "auto"
    form.rubric.data = "\n".join(f"{c['name']}: {c['max']}" for c in task.rubric)
    form.rubric_optional.data = task.rubric_optional
    form.hints.data = "\n".join(f"{h['cost']}: {h['text']}" for h in task.hints)
    form.first_bonus.data = ", ".join(str(b) for b in task.first_bonus)


@bp.route("/events/<int:event_id>/tasks/new", methods=["GET", "POST"])
@bp.route("/events/<int:event_id>/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@staff_only(ORGANISER)
def edit_task(event_id: int, task_id: int | None = None):
    """One task's form; the same rules as a task-set file check it."""
    session = request_session()
    task = authoring.task_in(session, g.event, task_id) if task_id else Task(kind="photo")
    form = TaskForm()
    fill_choices(form, event_id, task_id)
    if not form.is_submitted() and task_id:
        task_to_form(task, form)
    problems = []
    if form.validate_on_submit():
        form_to_task(form, task)
        try:
            if form.reference.data and form.reference.data.filename:
                task.reference_photo = references.store_reference(
                    form.reference.data.read(), photo_store()
                )
            _task, rescored = authoring.save_task(
                session,
                event=g.event,
                task=task,
                actor=current_user,
                now=now(),
                is_new=task_id is None,
            )
        except authoring.Invalid as exc:
            session.rollback()
            problems = place_problems(form, exc.problems, TASK_FIELD_OF)
        except PhotoRefused as exc:
            session.rollback()
            form.reference.errors = [*form.reference.errors, message(exc)]
        except ServiceError as exc:
            session.rollback()
            flash_refusal(exc)
        else:
            session.commit()
            flash(_("Task saved."), "success")
            flash_rescored(rescored)
            return redirect(url_for("organiser.tasks", event_id=event_id))
    return render_template(
        "organiser/task_form.html",
        event=g.event,
        form=form,
        task=task,
        problems=problems,
        kind_fields=KIND_FIELDS,
        penalties=PENALTIES,
    )


@bp.route("/events/<int:event_id>/tasks/<int:task_id>/<action>", methods=["POST"])
@staff_only(ORGANISER)
def task_action(event_id: int, task_id: int, action: str):
    """Move up, move down, duplicate or delete a task (buttons on the task list)."""
    from webapp.blueprints.auth import EmptyForm

    session = request_session()
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("organiser.tasks", event_id=event_id))
    args = {
        "session": session,
        "event": g.event,
        "task_id": task_id,
        "actor": current_user,
        "now": now(),
    }
    try:
        if action in ("up", "down"):
            authoring.move_task(step=-1 if action == "up" else 1, **args)
        elif action == "duplicate":
            authoring.duplicate_task(**args)
        elif action == "delete":
            authoring.delete_task(**args)
        else:
            return redirect(url_for("organiser.tasks", event_id=event_id))
    except ServiceError as exc:
        session.rollback()
        flash_refusal(exc)
    else:
        session.commit()
    return redirect(url_for("organiser.tasks", event_id=event_id))


@bp.route("/events/<int:event_id>/locations", methods=["GET", "POST"])
@bp.route("/events/<int:event_id>/locations/<int:location_id>", methods=["GET", "POST"])
@staff_only(ORGANISER)
def locations(event_id: int, location_id: int | None = None):
    """The map: click to place a location, drag to move it, see its radius."""
    session = request_session()
    location = authoring.location_in(session, g.event, location_id) if location_id else None
    form = LocationForm(obj=location)
    problems = []
    if form.validate_on_submit():
        target = location or Location()
        form.populate_obj(target)
        try:
            authoring.save_location(
                session, event=g.event, location=target, actor=current_user, now=now()
            )
        except authoring.Invalid as exc:
            session.rollback()
            problems = place_problems(form, exc.problems, LOCATION_FIELD_OF)
        else:
            session.commit()
            flash(_("Location saved."), "success")
            return redirect(url_for("organiser.locations", event_id=event_id))
    settings = current_app.config["SETTINGS"]["map"]
    return render_template(
        "organiser/locations.html",
        event=g.event,
        form=form,
        location=location,
        problems=problems,
        locations=authoring.locations_of(session, event_id),
        tile_url=settings["tile_url"],
        tile_attribution=settings["tile_attribution"],
        editing=request.view_args.get("location_id"),
        start=MAP_START.get(g.event.timezone, MAP_START["Asia/Jakarta"]),
    )


@bp.route("/events/<int:event_id>/locations/<int:location_id>/delete", methods=["POST"])
@staff_only(ORGANISER)
def delete_location(event_id: int, location_id: int):
    """Deletes a location no task uses."""
    from webapp.blueprints.auth import EmptyForm

    session = request_session()
    if EmptyForm().validate_on_submit():
        try:
            authoring.delete_location(
                session, event=g.event, location_id=location_id, actor=current_user, now=now()
            )
        except ServiceError as exc:
            session.rollback()
            flash_refusal(exc)
        else:
            session.commit()
    return redirect(url_for("organiser.locations", event_id=event_id))
