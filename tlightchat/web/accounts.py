"""Optional accounts: /register, /login, /logout.

Guests stay the default (identity.py). Registering fills a username and a password hash
on the guest's own User row, so the id and everything stored under it (chat history)
stay. Signing in from another browser points that browser's session at the account's
id. Passwords are hashed with scrypt (werkzeug). Every form (these and /me) carries a
CSRF token (Flask-WTF CSRFProtect). Failed sign-ins are limited per username and
address, and per address; registrations per address (ratelimit.address_key: an IPv6
address counts as its /64), and a taken username is refused before any hashing. Each
sign-in is a server-side session (sessions.py) that /logout ends; "Sign out everywhere"
(the second button of /logout) ends all of the account's sessions.
"""
import secrets

from flask import (Blueprint, flash, g, redirect, render_template, request,
                   session, url_for)
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash
from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, Regexp

from . import hashing
from ..db import User, utcnow
from ..identity import GUEST_KEY, SESSION_KEY, guest_name, stored_user
from ..ratelimit import address_key
from ..sessions import ALL, TOKEN_KEY
from .urls import same_site_path

csrf = CSRFProtect()

USERNAME_RULE = r"^[a-z0-9][a-z0-9_.-]{2,31}$"
# Checked when the username does not exist, so a miss costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def _normalise(value):
    return (value or "").strip().lower()


class RegisterForm(FlaskForm):
    username = StringField(_l("Username"), filters=[_normalise], validators=[
        InputRequired(_l("Choose a username.")),
        Regexp(USERNAME_RULE, message=_l(
            "Usernames are 3–32 characters: letters, digits, dot, dash, underscore."))])
    password = PasswordField(_l("Password"), validators=[
        InputRequired(_l("Choose a password.")),
        Length(min=8, max=256, message=_l("Passwords are 8 to 256 characters."))])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        InputRequired(_l("Repeat the password.")),
        EqualTo("password", message=_l("The two passwords differ."))])


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), filters=[_normalise],
                           validators=[InputRequired(_l("Enter your username.")), Length(max=32)])
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password.")),
                                                         Length(max=256)])


def _safe_next(default):
    """Only a path on this site: never an absolute URL or //host (open redirect); the
    relative Location it becomes is made safe in urls.relative."""
    return same_site_path(request.values.get("next", "")) or default


def sign_in(sessions, user_id, end_sessions):
    """This browser's cookie becomes a new server-side session of `user_id` (the one it
    held before, if any, ends, and its sockets close: its copies must not outlive it)."""
    if session.get(TOKEN_KEY):
        end_sessions(session.get(SESSION_KEY), [sessions.end(session[TOKEN_KEY])])
    session.clear()
    session[SESSION_KEY] = user_id
    session[TOKEN_KEY] = sessions.start(user_id)
    session.permanent = True


BUSY = _l("The server is busy signing people in; try again in a few seconds.")


def _in_words(seconds):
    seconds = int(seconds + 0.999)
    if seconds < 90:
        return ngettext("%(num)d second", "%(num)d seconds", seconds)
    return ngettext("%(num)d minute", "%(num)d minutes", (seconds + 59) // 60)


def blueprint(db, limiter, on_rename, sessions, registrations, end_sessions):
    """/register, /login, /logout over this database and limiters; `on_rename(userId,
    name)` tells the live lobby when registering renames a guest; `sessions` stores
    sign-ins (sessions.Sessions); `registrations` counts new accounts per address;
    `end_sessions(userId, digests, reconnect=False)` closes the sockets of ended
    sessions (with `reconnect`, their transports only: the browser reconnects)."""
    bp = Blueprint("accounts", __name__)

    @bp.route("/register", methods=["GET", "POST"])
    def register():
        if g.user.is_account:
            flash(_("You are signed in as %(username)s. Sign out first to make another "
                    "account.", username=g.user.username), "error")
            return redirect(url_for("pages.me"))
        form = RegisterForm()
        if not form.validate_on_submit():
            return render_template("register.html", form=form), \
                400 if request.method == "POST" else 200
        username = form.username.data
        rename = g.user.display_name.startswith("Guest-")
        with db.session() as s:  # before hashing: a taken name costs no scrypt
            taken = s.scalar(select(User.id).where(User.username == username)) is not None
        if taken:
            return _taken(form, username)
        address = address_key(request.remote_addr)
        wait = registrations.try_hit(address)  # checked and counted at once
        if wait:
            form.form_errors.append(_("Too many accounts were registered from your network "
                                      "address. Try again in %(wait)s.", wait=_in_words(wait)))
            return render_template("register.html", form=form), 429
        try:
            password_hash = hashing.generate(form.password.data)  # off the event loop
        except hashing.Busy:
            registrations.unhit(address)  # no account was made: not counted
            form.form_errors.append(BUSY)
            return render_template("register.html", form=form), 503
        try:
            with db.session() as s:
                if s.scalar(select(User.id).where(User.username == username)) is not None:
                    raise IntegrityError("username taken", None, Exception())
                user = s.get(User, g.user.id) or stored_user(s, g.user)
                user.username = username
                user.password_hash = password_hash
                user.registered_at = utcnow()
                if rename:
                    user.display_name = username[:40]
        except IntegrityError:  # taken meanwhile
            registrations.unhit(address)
            return _taken(form, username)
        if rename:
            on_rename(g.user.id, username[:40])
        sign_in(sessions, g.user.id, end_sessions)
        # The sockets this browser (or a copy of its guest cookie) opened as the guest
        # have no session digest: close their transports, so every socket of the account
        # belongs to a session that sign-out can end. Each reconnects by itself: this
        # browser's other tabs with the new cookie, resumed as the account; a copy of the
        # old guest cookie is refused (no session of the account).
        end_sessions(g.user.id, [None], reconnect=True)
        flash(_("Account created: you are %(username)s. Your chats and history came with you; "
                "sign in with this username on any other browser.", username=username), "ok")
        return redirect(_safe_next(url_for("pages.me")))

    @bp.route("/login", methods=["GET", "POST"])
    def login():
        form = LoginForm()
        if not form.validate_on_submit():
            return render_template("login.html", form=form), \
                400 if request.method == "POST" else 200
        username, address = form.username.data, address_key(request.remote_addr)
        wait = limiter.retry_after(username, address)
        if wait:
            form.form_errors.append(_("Too many failed sign-ins for “%(username)s” from your "
                                      "address. Try again in %(wait)s.", username=username,
                                      wait=_in_words(wait)))
            return render_template("login.html", form=form), 429
        with db.session() as s:
            user = s.scalar(select(User).where(User.username == username))
        try:
            if user is None or not user.password_hash:
                hashing.check(_DUMMY_HASH, form.password.data)
                user = None
            elif not hashing.check(user.password_hash, form.password.data):
                user = None
        except hashing.Busy:
            form.form_errors.append(BUSY)
            return render_template("login.html", form=form), 503
        if user is None:
            limiter.failed(username, address)
            form.form_errors.append(_("Wrong username or password."))
            return render_template("login.html", form=form), 401
        limiter.succeeded(username, address)
        sign_in(sessions, user.id, end_sessions)
        flash(_("Signed in as %(username)s.", username=user.username), "ok")
        return redirect(_safe_next(url_for("chat.chat_page")))

    @bp.route("/logout", methods=["GET", "POST"])
    def logout():
        """GET asks (a link cannot sign anyone out); POST, with its CSRF token, signs out:
        this session, or with `everywhere` every session of the account (each closes
        its sockets). A guest has no server-side session: it cannot sign out (below)."""
        if not g.user.is_account:
            flash(_("You are a guest: signing out would lose this identity and its chats for "
                    "good. Register first to keep them."), "error")
            return redirect(url_for("pages.me"))
        if request.method == "GET":
            return render_template("logout.html")
        username, user_id = g.user.username, g.user.id
        if request.form.get("everywhere"):
            sessions.end_all(user_id)
            end_sessions(user_id, ALL)
        else:
            end_sessions(user_id, [sessions.end(session.get(TOKEN_KEY))])
        # The new guest is made now (not by the landing page, whose new identity would
        # clear the session and the notice with it), so the notice can name it: base.html
        # renders "You signed out of …. You are now a guest, …".
        session.clear()
        session[SESSION_KEY] = secrets.token_urlsafe(16)
        session[GUEST_KEY] = guest_name()
        session.permanent = True
        flash(username, "signed-out")
        return redirect(url_for("pages.home"))

    return bp


def _taken(form, username):
    form.username.errors.append(_("“%(username)s” is taken; pick another username.",
                                   username=username))
    return render_template("register.html", form=form), 409


def _csrf_failed(err):
    return render_template("csrf_error.html", reason=err.description), 400


def init_app(app, db, on_rename, deployment, sessions=None, end_sessions=None):
    """CSRF on every form, the accounts pages; returns the login limiter (`deployment`:
    cluster/__init__.py's `Alone`, or `Cluster`, whose limits every node shares)."""
    csrf.init_app(app)
    app.register_error_handler(CSRFError, _csrf_failed)
    limits = (app.config["LOGIN_MAX_ATTEMPTS"], app.config["LOGIN_MAX_ATTEMPTS_PER_ADDRESS"],
              app.config["LOGIN_WINDOW_SECONDS"])
    limiter = deployment.login_limiter(*limits)
    per_address = (app.config["REGISTER_MAX_PER_ADDRESS"], app.config["REGISTER_WINDOW_SECONDS"])
    registrations = deployment.window_limiter(*per_address, "register")
    app.register_blueprint(blueprint(db, limiter, on_rename, sessions, registrations,
                                     end_sessions))
    return limiter
