"""Treatment journals (issue #14): /journal and its forms, a member's shared journal at
/u/<name>/journal, check-ins after finishing, the export, and /insights."""

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from forum.errors import FieldErrors, ForumError
from forum.extensions import db
from forum.journals import pages, services
from forum.journals.aggregate import LABELS
from forum.journals.forms import (
    CheckInForm,
    CourseDatesForm,
    DosePeriodForm,
    EntryForm,
    JournalSettingsForm,
    WeightForm,
    levels_of,
)
from forum.journals.stats_cache import cached_stats
from forum.permissions import require_can_write
from forum.photos import uploads

bp = Blueprint("journals", __name__)


def _me():
    return current_user._get_current_object()


def _viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


def journal_page(status: int = 200, **extra):
    """The member's own journal with its forms; ``extra`` replaces the form being re-shown."""
    user = _me()
    view = pages.journal_view(user, user)
    context = {
        "view": view,
        "dates_form": CourseDatesForm(
            formdata=None, course_start=user.course_start, course_end=user.course_end
        ),
        "dose_form": DosePeriodForm(formdata=None),
        "weight_form": WeightForm(formdata=None, weight_kg=view.course.weight_kg),
        "entry_form": EntryForm(formdata=None, data=services.defaults_for_today(view.entries)),
        "crisis_panel": False,
        "levels": services.SIDE_EFFECT_LEVELS,
        "side_effects": services.side_effects(),
    }
    context.update(extra)
    return render_template("journals/index.html", **context), status


@bp.route("/journal", methods=["GET", "POST"])
@login_required
def index():
    form = CourseDatesForm()
    if not form.is_submitted():
        return journal_page()
    require_can_write(_me())
    if not form.validate():
        return journal_page(422, dates_form=form)
    try:
        services.update_dates(_me(), start=form.course_start.data, end=form.course_end.data)
    except FieldErrors as exc:
        exc.apply(form)
        return journal_page(exc.status, dates_form=form)
    db.session.commit()
    flash("Your treatment course has been saved.", "success")
    return redirect(url_for("journals.index"))


@bp.route("/journal/doses", methods=["POST"])
@login_required
def add_dose():
    require_can_write(_me())
    form = DosePeriodForm()
    if not form.validate():
        return journal_page(422, dose_form=form)
    try:
        services.add_dose_period(_me(), starts_on=form.dose_from.data, dose_mg=form.dose_mg.data)
    except FieldErrors as exc:
        exc.apply(form)
        return journal_page(exc.status, dose_form=form)
    db.session.commit()
    flash("The dose period has been saved.", "success")
    return redirect(url_for("journals.index", _anchor="course"))


@bp.route("/journal/doses/<id:period_id>/delete", methods=["POST"])
@login_required
def remove_dose(period_id):
    require_can_write(_me())
    services.remove_dose_period(_me(), period_id)
    db.session.commit()
    flash("The dose period has been removed.", "success")
    return redirect(url_for("journals.index", _anchor="course"))


@bp.route("/journal/weight", methods=["POST"])
@login_required
def weight():
    form = WeightForm()
    if not form.validate():
        return journal_page(422, weight_form=form)
    weight_kg = float(form.weight_kg.data)
    services.set_weight(_me(), weight_kg, remember=form.remember.data)
    db.session.commit()
    if form.remember.data:
        flash("Your weight has been kept; only you see it.", "success")
        return redirect(url_for("journals.index", _anchor="course"))
    # Not kept: shown on this page only.
    response, status = journal_page()
    return response, status


@bp.route("/journal/entries", methods=["POST"])
@login_required
def add_entry():
    require_can_write(_me())
    form = EntryForm()
    if not form.validate():
        return journal_page(422, entry_form=form)
    try:
        photos = uploads.prepare(form)  # every photo checked before anything is written
        result = services.save_entry(
            _me(),
            day=form.date.data,
            skin=form.skin.data,
            mood=form.mood.data,
            levels=levels_of(form),
            note=form.note.data or "",
            private=form.private.data,
        )
        uploads.attach(form, _me(), photos, entry=result.entry)
    except FieldErrors as exc:
        exc.apply(form)
        return journal_page(exc.status, entry_form=form)
    except ForumError as exc:
        db.session.rollback()
        if not uploads.show_error(form, exc):
            raise
        return journal_page(exc.status, entry_form=form)
    db.session.commit()
    flash(
        "Your entry has been saved."
        if result.created
        else "Your entry for that day has been updated.",
        "success",
    )
    if result.crisis:
        return journal_page(crisis_panel=True)
    return redirect(url_for("journals.index", _anchor=f"entry-{result.entry.id}"))


@bp.route("/journal/settings", methods=["GET", "POST"])
@login_required
def settings():
    journal = services.journal_of(_me())
    form = JournalSettingsForm(
        visibility=journal.visibility if journal else "private",
        contribute=_me().contribute,
    )
    if form.is_submitted():
        if not form.validate():
            return render_template("journals/settings.html", form=form), 422
        services.update_settings(
            _me(), visibility=form.visibility.data, contribute=form.contribute.data
        )
        db.session.commit()
        flash("Your journal settings have been saved.", "success")
        return redirect(url_for("journals.settings"))
    return render_template("journals/settings.html", form=form)


@bp.route("/u/<username>/journal")
def member(username):
    view = pages.journal_view(pages.find_member(username), _viewer())
    return render_template(
        "journals/member.html",
        view=view,
        levels=services.SIDE_EFFECT_LEVELS,
    )


def _checkin_page(months, form, status=200):
    return render_template("journals/checkin.html", months=months, form=form), status


@bp.route("/journal/checkins/<id:months>", methods=["GET", "POST"])
@login_required
def checkin(months):
    if months not in services.CHECKIN_MONTHS:
        return _checkin_page(months, None, 404)
    form = CheckInForm()
    if not form.is_submitted():
        return _checkin_page(months, form)
    require_can_write(_me())
    if not form.validate():
        return _checkin_page(months, form, 422)
    answer = services.CheckInAnswer(
        form.skin_now.data, levels_of(form), form.second_course.data, form.note.data or ""
    )
    try:
        services.answer_checkin(_me(), months, answer)
    except FieldErrors as exc:
        exc.apply(form)
        return _checkin_page(months, form, exc.status)
    except ForumError as exc:
        flash(str(exc), "error")
        return _checkin_page(months, form, exc.status)
    db.session.commit()
    flash("Thank you: your check-in has been saved.", "success")
    return redirect(url_for("journals.index"))


@bp.route("/journal/export")
@login_required
def export():
    view = pages.journal_view(_me(), _me())
    return render_template(
        "journals/export.html",
        view=view,
        levels=services.SIDE_EFFECT_LEVELS,
        side_effects=services.side_effects(),
    )


@bp.route("/journal/export.csv")
@login_required
def export_csv():
    view = pages.journal_view(_me(), _me())
    return Response(
        pages.export_csv(view),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="journal.csv"'},
    )


@bp.route("/insights")
def insights():
    stats = cached_stats()
    return render_template(
        "journals/insights.html",
        stats=stats,
        charts=pages.insights(stats, list(LABELS)),
        disclaimer=pages.DISCLAIMER,
    )
