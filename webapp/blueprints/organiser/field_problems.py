"""The editor's refusals at their fields: the task-set rules name a file's keys, the editor's
forms have fields, and the person reads a message in their language beside the field."""

from __future__ import annotations

from flask_babel import gettext
from flask_wtf import FlaskForm

from webapp.domain.text import N_

# Where the task-set rules' keys are on the editor's forms.
TASK_FIELD_OF = {
    "id": "title",
    "title": "title",
    "kind": "kind",
    "points": "points",
    "location": "location",
    "unlocks_after": "unlocks_after",
    "window": "window_mode",
    "window.after": "after",
    "window.offset": "offset",
    "window.duration": "duration",
    "window.opens": "opens",
    "window.closes": "closes",
    "late": "late_policy",
    "late.policy": "late_policy",
    "late.value": "late_value",
    "late.cap": "late_cap",
    "late.grace": "grace",
    "answers": "answers",
    "answer": "answer",
    "tolerance": "tolerance",
    "choices": "choices",
    "review": "auto_accept",
    "rubric": "rubric",
    "hints": "hints",
    "first_bonus": "first_bonus",
    "reference": "reference",
}
LOCATION_FIELD_OF = {"id": "name", "name": "name", "lat": "lat", "lon": "lon", "radius": "radius_m"}
# The task-set rules (their templates, marked where they are raised) speak of a file's keys;
# at a field of the editor these say the same.
EDITOR_WORDING = {
    "window.%(key)s must be a time like 07:00 or 2026-11-25T07:00.": N_(
        "Type a time like 07:00, or a day and time like 2026-11-25T07:00."
    ),
    "window.offset is minutes, 0 or more.": N_("Minutes, 0 or more."),
    "window.duration must be more than 0 minutes.": N_("More than 0 minutes."),
    'window.after must be "start" or the id of another task, not %(value)s.': N_(
        "Choose the start of the event or another task."
    ),
    "late.%(key)s must be 0 or more.": N_("0 or more."),
    "tolerance must be a number, 0 or more.": N_("A number, 0 or more."),
    "%(key)s must be a number.": N_("Type a number."),
    "first_bonus is a list of points, 0 or more.": N_(
        "Whole points, 0 or more, separated by commas (e.g. 10, 5, 2)."
    ),
    "A %(kind)s task needs a location.": N_(
        "This kind of task needs a location: choose one, or add it on the Map page first."
    ),
    "The late policy %(policy)s needs a value more than 0.": N_(
        "This choice needs a penalty more than 0."
    ),
    "Each rubric criterion needs a name and a max above 0.": N_(
        "Each line needs a name and a maximum above 0, as name: maximum (e.g. Kreativitas: 4)."
    ),
    "Each hint needs a text and a cost of 0 or more.": N_(
        "Each line needs a cost of 0 or more and a text, as cost: text (e.g. 2: Di depan gedung)."
    ),
    "Task %(task)s waits for itself through other tasks, so it would never open.": N_(
        "This task would wait for itself through other tasks, so it would never open."
    ),
    "unlocks_after names %(task)s, which is not another task of this set.": N_(
        "Choose another task."
    ),
}


# A problem anywhere inside these lists (a criterion's maximum, say) is told as the line's form.
LINE_WORDING = {
    "rubric": EDITOR_WORDING["Each rubric criterion needs a name and a max above 0."],
    "hints": EDITOR_WORDING["Each hint needs a text and a cost of 0 or more."],
}


def place_problems(form: FlaskForm, problems: list, fields: dict[str, str]) -> list[str]:
    """Puts each problem's message at its field, in the reader's language; returns the
    messages that belong to no field. A key inside a list (`rubric[0].max`) belongs to the
    list's field."""
    loose = []
    for problem in problems:
        top = problem.key.split(".")[0].split("[")[0]
        wording = LINE_WORDING.get(top) or EDITOR_WORDING.get(problem.template, problem.template)
        text = gettext(wording, **problem.params)
        field = form._fields.get(fields.get(problem.key) or fields.get(top, ""))
        if field is None:
            loose.append(text)
        elif text not in field.errors:
            field.errors = [*field.errors, text]
    return loose
