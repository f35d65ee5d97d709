"""Organiser pages for events: the list, a new event, one event, and its settings."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.blueprints import flash_refusal, flash_rescored, message, now
from webapp.blueprints.organiser import bp
from webapp.blueprints.organiser.forms import EventForm, NewEventForm
from webapp.db import request_session
from webapp.domain.taskset import TaskSetInvalid, load_taskset
from webapp.security import ORGANISER, account_only, staff_only
from webapp.services import ServiceError, authoring, tasksets
from webapp.services import events as event_service
from webapp.services import groups as group_service

POLICY_FIELDS = ("queued_late_policy", "counts", "review_conflict", "tie_break", "blind_judging")
SETTING_FIELDS = ("title", "description", "timezone", "language", *POLICY_FIELDS)


def schedule_from(form: EventForm) -> dict:
    zone = ZoneInfo(form.timezone.data)
    start = datetime.combine(form.date.data, form.start.data, tzinfo=zone)
    end = datetime.combine(form.date.data, form.end.data, tzinfo=zone)
    if end <= start:  # an exercise that runs past midnight
        end += timedelta(days=1)
    return {"starts_at": start.astimezone(UTC), "ends_at": end.astimezone(UTC)}


@bp.route("/")
@account_only
def events():
    """The events this account organises or judges."""
    rows = event_service.events_for(request_session(), current_user)
    return render_template("organiser/events.html", rows=rows)


@bp.route("/events/new", methods=["GET", "POST"])
@account_only
def new_event():
    """A new event, from a task-set file or from scratch; only organisers may create one."""
    if not current_user.can_create_events:
        abort(403)
    form = NewEventForm()
    if not form.is_submitted():
        form.date.data = now().date()
        form.start.data, form.end.data = (
            datetime.strptime("07:00", "%H:%M").time(),
            datetime.strptime("17:00", "%H:%M").time(),
        )
    problems = []
    if form.validate_on_submit():
        session = request_session()
        upload = form.taskset.data
        try:
            if upload and upload.filename:
                text = upload.read().decode("utf-8-sig", errors="replace")
                # The form's title, zone and day win over the file's.
                taskset = replace(
                    load_taskset(text, upload.filename),
                    title=form.title.data,
                    timezone=form.timezone.data,
                )
                local = datetime.combine(form.date.data, form.start.data)
                event = tasksets.create_event(
                    session,
                    taskset=taskset,
                    owner=current_user,
                    now=now(),
                    local_start=local.isoformat(timespec="minutes"),
                    group_count=form.groups.data or 0,
                )
                event.ends_at = schedule_from(form)["ends_at"]
                for key in POLICY_FIELDS:  # a task set holds tasks, the form the rules
                    setattr(event, key, getattr(form, key).data)
            else:
                fields = {k: getattr(form, k).data for k in SETTING_FIELDS} | schedule_from(form)
                event = authoring.create_blank_event(
                    session, owner=current_user, fields=fields, now=now()
                )
                if form.groups.data:
                    group_service.add_numbered_groups(
                        session,
                        event=event,
                        count=form.groups.data,
                        prefix="Kelompok" if event.language == "id" else "Group",
                        actor=current_user,
                        now=now(),
                    )
        except TaskSetInvalid as exc:
            session.rollback()
            problems = [f"{p.file}:{p.line}: {p.key}: {message(p)}" for p in exc.problems]
            flash(_("The task set has problems; nothing was created."), "error")
        except ServiceError as exc:
            session.rollback()
            flash_refusal(exc)
        else:
            session.commit()
            flash(_("Event created."), "success")
            return redirect(url_for("organiser.event", event_id=event.id))
    return render_template("organiser/new_event.html", form=form, problems=problems)


@bp.route("/events/<int:event_id>")
@staff_only(ORGANISER)
def event(event_id: int):
    """One event: its groups with their join codes and members, and what came in."""
    session = request_session()
    return render_template(
        "organiser/event.html",
        event=g.event,
        groups=group_service.groups_of(session, event_id),
        members=group_service.members_by_group(session, event_id),
        tasks=authoring.tasks_of(session, event_id),
        submissions=event_service.recent_submissions(session, event_id),
    )


@bp.route("/events/<int:event_id>/settings", methods=["GET", "POST"])
@staff_only(ORGANISER)
def settings(event_id: int):
    """Title, schedule, time zone and policies; a running event may be changed, and it is logged."""
    event = g.event
    form = EventForm(obj=event)
    if not form.is_submitted():
        local = event.starts_at.astimezone(ZoneInfo(event.timezone))
        form.date.data, form.start.data = local.date(), local.time()
        form.end.data = event.ends_at.astimezone(ZoneInfo(event.timezone)).time()
    if form.validate_on_submit():
        session = request_session()
        fields = {k: getattr(form, k).data for k in SETTING_FIELDS} | schedule_from(form)
        try:
            _event, rescored = authoring.update_event(
                session, event=event, fields=fields, actor=current_user, now=now()
            )
        except ServiceError as exc:
            session.rollback()
            flash_refusal(exc)
        else:
            session.commit()
            flash(_("Saved."), "success")
            flash_rescored(rescored)
            return redirect(url_for("organiser.event", event_id=event_id))
    return render_template("organiser/settings.html", form=form, event=event)
