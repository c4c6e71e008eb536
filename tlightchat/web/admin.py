"""/admin (issue 35): the operators' page. Only accounts named in ADMINS (doctor.admins)
see it; anyone else gets a 404, as for /doctor. It lists the open reports with what the
reporter attached, and takes an action on a person — warn, suspend for a time, ban, lift,
dismiss the report — each written to the log shown below them (who did what, when). A
warning's `reason` is shown to the person (safety.Safety.act)."""
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..doctor import admins
from ..errors import Refusal, translated


def init_app(app, safety):
    bp = Blueprint("admin", __name__)

    def operator():
        user = getattr(g, "user", None)
        if not (user and user.is_account and user.username.lower() in admins(app.config)):
            abort(404)
        return user.username

    @bp.get("/admin")
    def page():
        operator()
        return render_template("admin.html", reports=safety.operators.open_reports(),
                               log=safety.operators.log())

    @bp.post("/admin")  # one level: redirects are relative (web/urls.py)
    def act():
        name = operator()
        form = request.form
        try:
            minutes = int(form.get("minutes") or 0) or None
            report = int(form["reportId"]) if form.get("reportId") else None
        except ValueError:
            abort(400)
        try:
            safety.act(name, form.get("userId") or None, form.get("action", ""), minutes,
                       report, reason=form.get("reason", ""))
        except Refusal as err:
            flash(_("Not done: %(why)s", why=translated(err.message)), "error")
            return redirect(url_for("admin.page"))
        flash(_("Done."), "ok")
        return redirect(url_for("admin.page"))

    app.register_blueprint(bp)
