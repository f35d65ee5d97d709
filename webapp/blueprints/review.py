"""The judges' review queue: one submission at a time, decided with one key press."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.blueprints import flash_refusal, now, writes
from webapp.db import request_session
from webapp.domain import inputs
from webapp.models import Group, Location, Task
from webapp.security import JUDGE, may_manage, staff_only
from webapp.services import ServiceError, gallery, judging
from webapp.services import groups as group_service
from webapp.services.authoring import tasks_of

bp = Blueprint("review", __name__, url_prefix="/review")


def register(app: Flask) -> None:
    app.register_blueprint(bp)


MAX_SKIPPED = 50


def filters() -> dict:
    """The judge's choices, kept in the address: task, group (never when judging blind) and
    the submissions skipped so far."""
    chosen = {key: ident for key in ("task", "group") if (ident := id_arg(key))}
    if g.event.blind_judging:
        chosen.pop("group", None)
    if passed := skipped():
        chosen["skip"] = ",".join(map(str, passed))
    return chosen


def skipped() -> list[int]:
    parts = request.args.get("skip", "").split(",")[-MAX_SKIPPED:]
    return [ident for part in parts if (ident := inputs.database_id(part))]


def id_arg(name: str) -> int | None:
    """An id in the address; one no row can have is as good as none."""
    return inputs.database_id(request.args.get(name))


@bp.route("/events/<int:event_id>/")
@writes
@staff_only(JUDGE)
def queue(event_id: int):
    """The next submission for this judge, oldest first, held so no other judge gets it."""
    session = request_session()
    chosen = filters()
    sub = judging.claim_next(
        session,
        event=g.event,
        judge=current_user,
        now=now(),
        task_id=chosen.get("task"),
        group_id=chosen.get("group"),
        skip=skipped(),
    )
    session.commit()
    return show(sub, chosen)


@bp.route("/events/<int:event_id>/photos")
@staff_only(JUDGE)
def photos(event_id: int):
    """Every photo of the event as thumbnails, newest first; each opens for judging (again)."""
    session = request_session()
    chosen = filters()
    status = request.args.get("status")
    status = status if status in gallery.STATUSES else None
    return render_template(
        "review/photos.html",
        event=g.event,
        gallery=gallery.photos(
            session,
            g.event,
            group_id=chosen.get("group"),
            task_id=chosen.get("task"),
            status=status,
            page=inputs.database_id(request.args.get("page")) or 1,
        ),
        chosen=chosen,
        status=status,
        statuses=gallery.STATUSES,
        tasks=tasks_of(session, g.event.id),
        groups=group_service.groups_of(session, g.event.id),
    )


@bp.route("/events/<int:event_id>/submissions/<int:submission_id>")
@staff_only(JUDGE)
def submission(event_id: int, submission_id: int):
    """One submission, for judging it again; earlier decisions are listed."""
    try:
        sub = judging.submission_in(request_session(), g.event, submission_id)
    except ServiceError:
        return redirect(url_for("review.queue", event_id=event_id))
    return show(sub, filters())


def show(sub, chosen: dict, refused: judging.RubricIncomplete | None = None):
    """The review page for `sub`; after a refused accept, with what the judge entered and the
    message at each criterion still to score."""
    session = request_session()
    task = session.get(Task, sub.task_id) if sub else None
    filtered = {"task_id": chosen.get("task"), "group_id": chosen.get("group")}
    reviews, hidden = (
        judging.reviews_seen_by(
            session, sub.id, current_user, sees_all=may_manage(session, current_user, g.event.id)
        )
        if sub
        else ([], 0)
    )
    page = render_template(
        "review/queue.html",
        event=g.event,
        sub=sub,
        task=task,
        chosen=chosen,
        waiting=judging.waiting(session, event=g.event, **filtered),
        next_photo=judging.likely_next_photo(
            session, event=g.event, judge=current_user, now=now(), current_id=sub.id, **filtered
        )
        if sub
        else None,
        previous=previous_decision(session),
        skip_url=url_for(
            "review.queue",
            event_id=g.event.id,
            **(chosen | {"skip": ",".join(map(str, [*skipped(), sub.id]))}),
        )
        if sub
        else None,
        unskip_url=url_for("review.queue", event_id=g.event.id, **without_skip(chosen)),
        group=session.get(Group, sub.group_id) if sub else None,
        location=session.get(Location, task.location_id) if task and task.location_id else None,
        reviews=reviews,
        hidden_reviews=hidden,
        refused=refused,
        entered=request.form if refused else {},
        tasks=tasks_of(session, g.event.id),
        groups=group_service.groups_of(session, g.event.id),
    )
    return (page, refused.status) if refused else page


def without_skip(chosen: dict) -> dict:
    return {key: value for key, value in chosen.items() if key != "skip"}


def previous_decision(session) -> dict | None:
    """The submission this judge has just decided, so a slip of the key can be put right."""
    ident = id_arg("last")
    if not ident:
        return None
    try:
        sub = judging.submission_in(session, g.event, ident)
    except ServiceError:
        return None
    task = session.get(Task, sub.task_id)
    return {"id": sub.id, "task": task.title, "status": sub.status}


@bp.route("/events/<int:event_id>/submissions/<int:submission_id>", methods=["POST"])
@staff_only(JUDGE)
def decide(event_id: int, submission_id: int):
    """Accept, reject (with a comment the group sees) or ask for a redo; rubric or points."""
    from webapp.blueprints.auth import EmptyForm

    if not EmptyForm().validate_on_submit():
        return redirect(url_for("review.queue", event_id=event_id))
    form = request.form
    session = request_session()
    try:
        rubric = {
            key[7:]: inputs.finite(value)
            for key, value in form.items()
            if key.startswith("rubric:") and value.strip()
        }
        points = inputs.finite(form.get("points"))
        judging.decide(
            session,
            event=g.event,
            judge=current_user,
            submission_id=submission_id,
            decision=form.get("decision", ""),
            points=points,
            rubric=rubric or None,
            comment=form.get("comment", ""),
            now=now(),
        )
    except ValueError:  # inputs.Refused: a typed value that is no number
        session.rollback()
        flash(_("Points must be a number."), "error")
        return redirect(
            url_for("review.submission", event_id=event_id, submission_id=submission_id)
        )
    except judging.RubricIncomplete as exc:
        session.rollback()
        return show(judging.submission_in(session, g.event, submission_id), filters(), exc)
    except ServiceError as exc:
        session.rollback()
        flash_refusal(exc)
        return redirect(
            url_for("review.submission", event_id=event_id, submission_id=submission_id)
        )
    session.commit()
    return redirect(url_for("review.queue", event_id=event_id, last=submission_id, **filters()))
