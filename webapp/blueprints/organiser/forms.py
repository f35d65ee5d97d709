"""The organiser's forms; the rules behind them live in the services and the domain."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)
from wtforms.widgets import TextInput

from webapp.domain.inputs import DB_ID_MAX
from webapp.domain.windows import ZONE_CHOICES, tz_abbreviation


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


KIND_CHOICES = [
    ("photo", _l("Photo")),
    ("text", _l("Text answer")),
    ("number", _l("Number")),
    ("choice", _l("Multiple choice")),
    ("checkin", _l("Check-in at a location")),
    ("photo_at_location", _l("Photo at a location")),
]
KIND_NAMES = dict(KIND_CHOICES)
# The fields that serve only some kinds; the editor shows those of the chosen kind.
KIND_FIELDS = {
    "answers": ("text",),
    "answer": ("number", "choice"),
    "tolerance": ("number",),
    "choices": ("choice",),
    "auto_accept": ("photo", "photo_at_location", "text"),
    "fresh_photo": ("photo", "photo_at_location"),
    "rubric": ("photo", "photo_at_location", "text"),
    "reference": ("photo", "photo_at_location"),
}
PENALTIES = ("penalty_points", "penalty_percent", "per_minute")
LATE_CHOICES = [
    ("refuse", _l("Refuse")),
    ("penalty_points", _l("Accept, minus points")),
    ("penalty_percent", _l("Accept, minus a percentage")),
    ("per_minute", _l("Accept, minus points per minute late")),
    ("zero", _l("Accept, but it earns no points")),
    ("review", _l("Accept for the judges to review")),
]
WINDOW_CHOICES = [
    ("none", _l("The whole event")),
    ("absolute", _l("From a time to a time")),
    ("relative", _l("Minutes after the start or after another task")),
]


def zone_choices() -> list[SelectChoice]:
    return options((zone, f"{zone} ({tz_abbreviation(zone)})") for zone in ZONE_CHOICES)


class EventForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    date = DateField(_l("Date"), validators=[DataRequired()])
    start = TimeField(_l("Starts at"), validators=[DataRequired()])
    end = TimeField(_l("Ends at"), validators=[DataRequired()])
    timezone = SelectField(_l("Time zone"), choices=zone_choices)
    language = SelectField(
        _l("Language of the tasks"),
        choices=options([("id", "Bahasa Indonesia"), ("en", "English")]),
    )
    queued_late_policy = SelectField(
        _l("Sent before a deadline without signal, received after it"),
        choices=options(
            [
                ("accept", _l("Counts as on time")),
                ("flag", _l("Counts as on time, flagged for the judges")),
                ("refuse", _l("Counts as late")),
            ]
        ),
    )
    counts = SelectField(
        _l("When a group sends a task more than once"),
        choices=options(
            [
                ("best", _l("The best accepted one counts")),
                ("latest", _l("The latest accepted one counts")),
            ]
        ),
    )
    review_conflict = SelectField(
        _l("When judges disagree"),
        choices=options(
            [("last", _l("The last decision wins")), ("average", _l("Average the judges' points"))]
        ),
    )
    tie_break = SelectField(
        _l("Groups with equal points are ranked by"),
        choices=options(
            [
                (
                    "points,tasks_completed,earliest_final",
                    _l("More tasks completed, then who reached the score first"),
                ),
                (
                    "points,earliest_final,tasks_completed",
                    _l("Who reached the score first, then more tasks completed"),
                ),
                ("points,tasks_completed", _l("More tasks completed; else they share a place")),
                ("points", _l("Nothing: equal points share a place")),
            ]
        ),
    )
    blind_judging = BooleanField(_l("Hide group names from judges"))


class NewEventForm(EventForm):
    taskset = FileField(_l("Task set file (optional, .toml)"))
    groups = IntegerField(
        _l("Number of groups to create"),
        default=3,
        validators=[Optional(), NumberRange(min=0, max=60)],
    )


class TaskForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=options(KIND_CHOICES))
    points = IntegerField(_l("Points"), default=10, validators=[NumberRange(min=0, max=100000)])
    instructions = TextAreaField(_l("Instructions"), validators=[Optional(), Length(max=8000)])
    location = SelectField(_l("Location"), coerce=int, default=0)
    window_mode = SelectField(_l("Open"), choices=options(WINDOW_CHOICES), default="none")
    opens = StringField(_l("Opens at (e.g. 07:00)"), validators=[Optional(), Length(max=16)])
    closes = StringField(_l("Closes at (e.g. 09:30)"), validators=[Optional(), Length(max=16)])
    after = SelectField(_l("Counting from"), default="start")
    offset = IntegerField(_l("Opens after (minutes)"), default=0, validators=[Optional()])
    duration = IntegerField(_l("Stays open for (minutes)"), validators=[Optional()])
    late_policy = SelectField(
        _l("A late submission"), choices=options(LATE_CHOICES), default="refuse"
    )
    late_value = FloatField(_l("Penalty (points or percent)"), validators=[Optional()])
    late_cap = FloatField(_l("Penalty at most"), validators=[Optional()])
    grace = IntegerField(_l("Grace (minutes)"), validators=[Optional(), NumberRange(min=0)])
    answers = TextAreaField(_l("Accepted answers, one per line"), validators=[Optional()])
    answer = StringField(_l("Right answer"), validators=[Optional(), Length(max=500)])
    tolerance = FloatField(_l("Tolerance"), validators=[Optional()])
    choices = TextAreaField(_l("Choices, one per line"), validators=[Optional()])
    auto_accept = BooleanField(_l("Accept photos and open answers without a judge"))
    rubric = TextAreaField(
        _l("Rubric: one criterion per line, as name: maximum"), validators=[Optional()]
    )
    rubric_optional = BooleanField(
        _l(
            "Judges may leave the rubric empty: an accept without scores earns all the points "
            "(otherwise they score every criterion)"
        )
    )
    hints = TextAreaField(
        _l("Hints a group can open, one per line, as cost: text"), validators=[Optional()]
    )
    first_bonus = StringField(
        _l("Bonus for the first groups (e.g. 10, 5, 2)"), validators=[Optional(), Length(max=100)]
    )
    unlocks_after = SelectField(_l("Locked until the group has done"), coerce=int, default=0)
    fresh_photo = BooleanField(_l("The photo must be taken during the task, at the place"))
    reference = FileField(_l("Reference photo: what the group should send (optional)"))


class CoordinateField(FloatField):
    """A latitude or longitude as people type or paste it: a decimal comma, a typographic
    minus, or a whole "-7.98, 112.63" pair (whose second number is kept in `second`)."""

    widget = TextInput()  # a number input would refuse the comma and the pair
    second: float | None = None

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        text = (valuelist[0] if valuelist else "").strip().replace("\u2212", "-")
        if not text:
            return
        numbers = re.findall(r"[-+]?\d+(?:[.,]\d+)?", text)
        leftover = re.sub(r"[-+]?\d+(?:[.,]\d+)?|[\s,;/°]", "", text)
        if not numbers or len(numbers) > 2 or leftover:
            raise ValueError(_l("Type a number such as -7.98 or 112.63."))
        self.data = float(numbers[0].replace(",", "."))
        if len(numbers) == 2:
            self.second = float(numbers[1].replace(",", "."))


class LocationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    lat = CoordinateField(
        _l("Latitude"),
        validators=[InputRequired(message=_l("Pick a place on the map or type the latitude."))],
    )
    lon = CoordinateField(
        _l("Longitude"),
        validators=[InputRequired(message=_l("Pick a place on the map or type the longitude."))],
    )
    radius_m = FloatField(_l("Radius (metres)"), default=50)
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    hint = StringField(_l("Directions to the place"), validators=[Optional(), Length(max=300)])

    def validate(self, extra_validators=None) -> bool:
        # A pasted "lat, lon" pair fills both fields.
        if self.lat.second is not None and self.lon.data is None and not self.lon.process_errors:
            self.lon.data = self.lat.second
            self.lon.raw_data = [str(self.lat.second)]
        return super().validate(extra_validators)


class GroupsForm(FlaskForm):
    count = IntegerField(
        _l("How many groups"), default=3, validators=[DataRequired(), NumberRange(min=1, max=60)]
    )
    prefix = StringField(
        _l("Named"), default="Kelompok", validators=[DataRequired(), Length(max=60)]
    )


class GroupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    colour = StringField(_l("Colour"), validators=[DataRequired(), Length(max=9)])
    start_offset_min = IntegerField(
        _l("Starts later by (minutes)"),
        default=0,
        validators=[Optional(), NumberRange(min=-600, max=600)],
    )
    extra_min = IntegerField(
        _l("Extra time (minutes)"), default=0, validators=[Optional(), NumberRange(min=0, max=600)]
    )


class MoveForm(FlaskForm):
    participant = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=DB_ID_MAX)])
    group = SelectField(_l("Move to"), coerce=int)


class RosterForm(FlaskForm):
    file = FileField(_l("Roster (CSV or XLSX)"))


class JudgeForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name (for a new account)"), validators=[Optional(), Length(max=120)])
    password = StringField(
        _l("Password (for a new account)"), validators=[Optional(), Length(min=8, max=200)]
    )
