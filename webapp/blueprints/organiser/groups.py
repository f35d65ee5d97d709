"""Organiser pages for groups: many at once, names and colours, times, members, roster, cards."""

from __future__ import annotations

import segno
from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.blueprints import flash_refusal, flash_rescored, now
from webapp.blueprints.auth import EmptyForm
from webapp.blueprints.organiser import bp
from webapp.blueprints.organiser.forms import GroupForm, GroupsForm, MoveForm, RosterForm, options
from webapp.db import request_session
from webapp.domain.addresses import reachable_by_phones
from webapp.domain.roster import MAX_ROWS
from webapp.security import ORGANISER, staff_only
from webapp.services import ServiceError, access, groups, roster

SHOWN_ROWS = 100  # of each list in the roster preview; the page says how many more there are


def back(event_id: int):
    return redirect(url_for("organiser.groups_page", event_id=event_id))


def run(event_id: int, action, done: str):
    """Calls one service, commits once, and says what happened."""
    session = request_session()
    try:
        action(session)
    except ServiceError as exc:
        session.rollback()
        flash_refusal(exc)
    else:
        session.commit()
        flash(done, "success")
    return back(event_id)


@bp.route("/events/<int:event_id>/groups", methods=["GET", "POST"])
@staff_only(ORGANISER)
def groups_page(event_id: int):
    """The groups with their codes, members and times; make many at once."""
    session = request_session()
    form = GroupsForm()
    if form.validate_on_submit():
        return run(
            event_id,
            lambda s: groups.add_numbered_groups(
                s,
                event=g.event,
                count=form.count.data,
                prefix=form.prefix.data,
                actor=current_user,
                now=now(),
            ),
            _("Groups created."),
        )
    all_groups = groups.groups_of(session, event_id)
    move = MoveForm()
    move.group.choices = options((grp.id, grp.name) for grp in all_groups)
    return render_template(
        "organiser/groups.html",
        event=g.event,
        form=form,
        groups=all_groups,
        members=groups.members_by_group(session, event_id),
        move=move,
        group_form=GroupForm,
    )


@bp.route("/events/<int:event_id>/groups/<int:group_id>", methods=["POST"])
@staff_only(ORGANISER)
def update_group(event_id: int, group_id: int):
    """Rename, recolour, and move a group's times (a late start, extra time)."""
    form = GroupForm()
    if not form.validate_on_submit():
        flash(_("Please check the group's fields."), "error")
        return back(event_id)
    session = request_session()
    try:
        _group, rescored = groups.update_group(
            session,
            event=g.event,
            group_id=group_id,
            actor=current_user,
            now=now(),
            name=form.name.data,
            colour=form.colour.data,
            start_offset_min=form.start_offset_min.data or 0,
            extra_min=form.extra_min.data or 0,
        )
    except ServiceError as exc:
        session.rollback()
        flash_refusal(exc)
    else:
        session.commit()
        flash(_("Group saved."), "success")
        flash_rescored(rescored)
    return back(event_id)


@bp.route("/events/<int:event_id>/groups/<int:group_id>/new-code", methods=["POST"])
@staff_only(ORGANISER)
def new_code(event_id: int, group_id: int):
    """A new join code for a lost card; the old one stops working and the group's phones
    are logged out."""
    if not EmptyForm().validate_on_submit():
        return back(event_id)
    return run(
        event_id,
        lambda s: access.new_join_code(
            s, event=g.event, group_id=group_id, actor=current_user, now=now()
        ),
        _("A new join code was made. The group's phones are logged out: they join again with it."),
    )


@bp.route("/events/<int:event_id>/groups/<int:group_id>/log-out", methods=["POST"])
@staff_only(ORGANISER)
def log_out_group(event_id: int, group_id: int):
    """Logs every phone of the group out at its next request."""
    if not EmptyForm().validate_on_submit():
        return back(event_id)
    return run(
        event_id,
        lambda s: access.log_out_group(
            s, event=g.event, group_id=group_id, actor=current_user, now=now()
        ),
        _("Everyone in the group is logged out; they join again with the code."),
    )


@bp.route("/events/<int:event_id>/participants/<int:participant_id>/remove", methods=["POST"])
@staff_only(ORGANISER)
def remove_participant(event_id: int, participant_id: int):
    """Takes a participant off their group: logged out, cannot join again under that name;
    what they sent stays."""
    if not EmptyForm().validate_on_submit():
        return back(event_id)
    return run(
        event_id,
        lambda s: access.remove_participant(
            s, event=g.event, participant_id=participant_id, actor=current_user, now=now()
        ),
        _("The participant was removed and logged out. What they sent stays."),
    )


@bp.route("/events/<int:event_id>/participants/<int:participant_id>/restore", methods=["POST"])
@staff_only(ORGANISER)
def restore_participant(event_id: int, participant_id: int):
    """Undoes a removal: the participant may join again."""
    if not EmptyForm().validate_on_submit():
        return back(event_id)
    return run(
        event_id,
        lambda s: access.restore_participant(
            s, event=g.event, participant_id=participant_id, actor=current_user, now=now()
        ),
        _("The participant may join again."),
    )


@bp.route("/events/<int:event_id>/move", methods=["POST"])
@staff_only(ORGANISER)
def move_participant(event_id: int):
    """Moves a participant to another group."""
    form = MoveForm()
    form.group.choices = options(
        (grp.id, grp.name) for grp in groups.groups_of(request_session(), event_id)
    )
    if not form.validate_on_submit():
        return back(event_id)
    return run(
        event_id,
        lambda s: groups.move_participant(
            s,
            event=g.event,
            participant_id=form.participant.data,
            group_id=form.group.data,
            actor=current_user,
            now=now(),
        ),
        _("Participant moved."),
    )


@bp.route("/events/<int:event_id>/roster", methods=["GET", "POST"])
@staff_only(ORGANISER)
def roster_page(event_id: int):
    """Upload a roster, see its good rows and each bad one with the reason, save the good."""
    form = RosterForm()
    session = request_session()
    secret = current_app.config["SECRET_KEY"]
    if form.validate_on_submit() and request.form.get("rows"):
        try:
            rows = roster.unseal(request.form["rows"], event=g.event, secret=secret)
            count = roster.apply(session, event=g.event, rows=rows, actor=current_user, now=now())
        except ServiceError as exc:
            session.rollback()
            flash_refusal(exc)
        else:
            session.commit()
            flash(_("%(count)s participants saved.", count=count), "success")
            return back(event_id)
    preview = token = None
    if form.validate_on_submit() and form.file.data:
        upload = form.file.data
        try:
            data = upload.read(roster.MAX_FILE_MB * 1024 * 1024 + 1)
            preview = roster.read_roster(session, g.event, data, upload.filename or "")
            token = roster.seal(preview, event=g.event, secret=secret)
        except ServiceError as exc:
            flash_refusal(exc)
    return render_template(
        "organiser/roster.html",
        event=g.event,
        form=form,
        preview=preview,
        token=token,
        shown_rows=SHOWN_ROWS,
        max_rows=MAX_ROWS,
    )


@bp.route("/events/<int:event_id>/cards")
@staff_only(ORGANISER)
def cards(event_id: int):
    """Printable join cards: one A4 page holds several, each with its QR code."""
    base = current_app.config["SETTINGS"]["app"]["base_url"].rstrip("/") or request.host_url.rstrip(
        "/"
    )
    cards = []
    for group in groups.groups_of(request_session(), event_id):
        address = f"{base}{url_for('auth.join', code=group.join_code)}"
        qr = segno.make(address, error="m")
        cards.append((group, address, qr.png_data_uri(scale=5, border=2)))
    return render_template(
        "organiser/cards.html",
        event=g.event,
        cards=cards,
        base=base,
        unreachable=not reachable_by_phones(base),
    )
