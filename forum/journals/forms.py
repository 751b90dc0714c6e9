"""The journal's forms (issue #14). Field names follow DESIGN.md's second-round table."""

from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from forum.forms import Form
from forum.journals.services import (
    NOTE_MAX,
    SIDE_EFFECT_LEVELS,
    SKIN_NOW_LABELS,
    VISIBILITY_LABELS,
    side_effects,
)
from forum.photos.forms import PhotoFields

LEVEL_CHOICES = [SelectChoice(level, label) for level, label in SIDE_EFFECT_LEVELS.items()]
SCALE_CHOICES = [SelectChoice(n, str(n)) for n in range(1, 6)]


def _with_side_effects(cls):
    """One ``se_<slug>`` select (0–3) per shipped side effect."""
    for item in side_effects():
        field = SelectField(
            item.name, choices=LEVEL_CHOICES, coerce=int, default=0, validators=[Optional()]
        )
        setattr(cls, f"se_{item.slug}", field)
    return cls


def levels_of(form) -> dict[str, int | None]:
    return {item.slug: getattr(form, f"se_{item.slug}").data for item in side_effects()}


class CourseDatesForm(Form):
    course_start = DateField("Started treatment on", validators=[Optional()], format="%Y-%m-%d")
    course_end = DateField(
        "Finished (or plan to finish) on", validators=[Optional()], format="%Y-%m-%d"
    )


class DosePeriodForm(Form):
    dose_from = DateField(
        "From", validators=[InputRequired("Enter the day this dose began.")], format="%Y-%m-%d"
    )
    dose_mg = IntegerField(
        "Daily dose in mg",
        validators=[
            InputRequired("Enter the daily dose."),
            NumberRange(1, 200, "Enter a daily dose between 1 and 200 mg."),
        ],
    )


class WeightForm(Form):
    weight_kg = DecimalField(
        "Your weight in kg",
        places=1,
        validators=[
            InputRequired("Enter your weight."),
            NumberRange(20, 350, "Enter a weight between 20 and 350 kg."),
        ],
    )
    remember = BooleanField("Remember my weight (only you see it)")


@_with_side_effects
class EntryForm(PhotoFields, Form):
    date = DateField("Day", validators=[InputRequired("Enter the day.")], format="%Y-%m-%d")
    skin = RadioField(
        "Skin (1 bad – 5 good)",
        choices=SCALE_CHOICES,
        coerce=int,
        validators=[InputRequired("Rate your skin.")],
    )
    mood = RadioField(
        "Mood (1 low – 5 good)",
        choices=SCALE_CHOICES,
        coerce=int,
        validators=[InputRequired("Rate your mood.")],
    )
    note = TextAreaField("Note (optional)", validators=[Optional(), Length(max=NOTE_MAX)])
    private = BooleanField("Keep this entry private even if my journal is shared")


class JournalSettingsForm(Form):
    visibility = RadioField(
        "Who may read your journal",
        choices=[SelectChoice(str(k), v) for k, v in VISIBILITY_LABELS.items()],
        default="private",
        validators=[InputRequired("Choose who may read your journal.")],
    )
    contribute = BooleanField("Add my journal and check-ins, anonymously, to the statistics")


@_with_side_effects
class CheckInForm(Form):
    skin_now = RadioField(
        "Your skin now",
        choices=[SelectChoice(str(k), v) for k, v in SKIN_NOW_LABELS.items()],
        validators=[InputRequired("Choose how your skin is now.")],
    )
    second_course = BooleanField("I have started, or plan, a second course")
    note = TextAreaField("Note (optional)", validators=[Optional(), Length(max=NOTE_MAX)])
