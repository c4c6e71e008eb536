"""The HTML pages and the health check."""
from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, url_for

from .. import __version__
from ..errors import Refusal


def blueprint(identity, db, hub):
    """The pages over these parts: `identity` renames, `db` is checked by /healthz,
    `hub` is told about renames and counted by /healthz."""
    bp = Blueprint("pages", __name__)

    @bp.get("/")
    def home():
        return render_template("home.html")

    @bp.get("/about")
    def about():
        return render_template("about.html")

    @bp.get("/call")
    def call():
        return render_template("call.html")

    @bp.get("/WebrtcVideoCommunication")
    def legacy_call():
        return redirect(url_for("pages.call"), code=301)

    @bp.route("/me", methods=["GET", "POST"])
    def me():
        if request.method == "POST":
            try:
                g.user.display_name = identity.rename(g.user.id,
                                                      request.form.get("displayName", ""))
                hub.user_renamed(g.user.id, g.user.display_name)
                flash("Display name saved.", "ok")
                return redirect(url_for("pages.me"))
            except Refusal as err:
                flash(f"Not saved: {err.message}.", "error")
                return render_template("me.html"), 400
        return render_template("me.html")

    @bp.get("/healthz")
    def healthz():
        db_ok = db.reachable()
        return jsonify(status="ok" if db_ok else "degraded", version=__version__,
                       clients=hub.online_clients(), database=db_ok), \
            200 if db_ok else 503

    @bp.app_errorhandler(404)
    def not_found(_err):
        return render_template("404.html"), 404

    return bp
