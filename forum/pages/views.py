"""Site-wide pages: home, health check, the community guidelines, privacy notice and help."""

from flask import Blueprint, current_app, jsonify, render_template
from sqlalchemy import text

from forum.extensions import db

bp = Blueprint("pages", __name__)


@bp.route("/")
def home():
    return render_template("pages/home.html")


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        current_app.logger.warning("health check: database unreachable")
        return jsonify(status="unavailable", database=False), 503
    return jsonify(status="ok", database=True)


@bp.route("/guidelines")
def guidelines():
    return render_template(
        "pages/guidelines.html", version=current_app.config["GUIDELINES_VERSION"]
    )


@bp.route("/privacy")
def privacy():
    return render_template("pages/privacy.html", version=current_app.config["PRIVACY_VERSION"])


@bp.route("/help")
def help_page():
    return render_template("pages/help.html")
