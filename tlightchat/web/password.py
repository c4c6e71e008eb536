"""/me/password: an account changes its password.

The current password is asked (a borrowed, still open session must not be enough to take
the account over), and wrong ones count against the sign-in limiter like failed
sign-ins. A new password ends every other session of the account (sessions.py) and
closes their sockets; this browser stays signed in.
"""
from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import EqualTo, InputRequired, Length

from . import hashing
from ..db import User
from ..ratelimit import address_key
from ..sessions import TOKEN_KEY


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[
        InputRequired(_l("Enter your current password.")), Length(max=256)])
    password = PasswordField(_l("New password"), validators=[
        InputRequired(_l("Choose a new password.")),
        Length(min=8, max=256, message=_l("Passwords are 8 to 256 characters."))])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        InputRequired(_l("Repeat the new password.")),
        EqualTo("password", message=_l("The two passwords differ."))])


def blueprint(db, sessions, end_sessions, limiter):
    bp = Blueprint("password", __name__)

    @bp.route("/me/password", methods=["GET", "POST"])
    def change():
        if not g.user.is_account:
            flash(_("Guests have no password: register to make an account."), "error")
            return redirect(url_for("pages.me"))
        form = PasswordForm()
        if not form.validate_on_submit():
            return render_template("password.html", form=form), \
                400 if request.method == "POST" else 200
        address = address_key(request.remote_addr)
        if limiter.retry_after(g.user.username, address):
            form.form_errors.append(_("Too many wrong passwords from your address; try again "
                                      "later."))
            return render_template("password.html", form=form), 429
        try:
            with db.session() as s:
                stored = s.get(User, g.user.id).password_hash
            if not hashing.check(stored, form.current.data):
                limiter.failed(g.user.username, address)
                form.current.errors.append(_("That is not your current password."))
                return render_template("password.html", form=form), 401
            new_hash = hashing.generate(form.password.data)
        except hashing.Busy:
            form.form_errors.append(_("The server is busy; try again in a few seconds."))
            return render_template("password.html", form=form), 503
        with db.session() as s:
            s.get(User, g.user.id).password_hash = new_hash
        end_sessions(g.user.id, sessions.end_all(g.user.id, keep=session.get(TOKEN_KEY)))
        flash(_("Password changed. Every other browser signed in to this account was signed "
                "out."), "ok")
        return redirect(url_for("pages.me"))

    return bp


def init_app(app, db, sessions, end_sessions, limiter):
    app.register_blueprint(blueprint(db, sessions, end_sessions, limiter))
