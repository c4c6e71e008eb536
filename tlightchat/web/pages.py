"""The HTML pages and the health checks.

/healthz/live: the process serves requests (restart it when this fails).
/healthz/ready: it can take traffic: the database takes a write (a probe row, at most
once a second, and again after any storage fault) and it is not stopping; 503 with the
reasons otherwise. A database that
answers reads but refuses writes (disk full, read-only file) is not ready: before, the
old /healthz said "ok" through 40 of 40 polls while every chat send failed.
/healthz: readiness, with the client count, for existing monitors.
"""
import time

from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..version import __version__
from ..errors import Refusal, translated
from . import i18n, lobby_render


PROBE_EVERY = 1.0  # seconds: a readiness poll storm costs at most one write a second


def readiness(db, ctx):
    """A function returning (ready, {check: reason}), probing the database at most
    once per PROBE_EVERY."""
    last = {"at": None, "result": (False, "not probed")}

    def check():
        now = time.monotonic()
        fresh_fault = db.faulted_at is not None and db.faulted_at > (last["at"] or 0)
        if last["at"] is None or now - last["at"] >= PROBE_EVERY or fresh_fault:
            last["at"], last["result"] = now, db.probe()
        db_ok, db_reason = last["result"]
        checks = {"database": db_reason, "accepting": "stopping" if ctx.draining else "ok"}
        node_ok, node_checks = ctx.node.readiness()  # in a cluster: its log (Redis)
        checks.update(node_checks)
        return db_ok and node_ok and not ctx.draining, checks

    return check


def blueprint(identity, db, ctx, privacy=None):
    """The pages over these parts: `identity` renames, `db` is probed by the health
    checks, `ctx` (realtime/context.py) is told about renames and counted by /healthz, `privacy` says whether
    the address-privacy setting on /me can apply (TURN configured) and what it is."""
    bp = Blueprint("pages", __name__)
    ready_now = readiness(db, ctx)

    @bp.get("/")
    def home():
        return render_template("home.html")

    @bp.get("/about")
    def about():
        return render_template("about.html")

    @bp.get("/call")
    def call():
        return render_template("call.html", lobby=first_lobby())

    def first_lobby():
        """The lobby's first view for this user, a first visit's guest too (issue 33.1),
        else None (its socket would be refused)."""
        user = g.get("user")
        snapshot = user and lobby_render.first_view(ctx, identity, user)
        return snapshot and lobby_render.lobby_rows(snapshot, user.id, i18n.current())

    @bp.get("/WebrtcVideoCommunication")
    def legacy_call():
        return redirect(url_for("pages.call"), code=301)

    @bp.route("/me", methods=["GET", "POST"])
    def me():
        if request.method == "POST" and request.form.get("form") == "privacy":
            return save_privacy()
        if request.method == "POST":
            try:
                g.user.display_name = identity.rename(g.user.id,
                                                      request.form.get("displayName", ""))
                ctx.user_renamed(g.user.id, g.user.display_name)
                flash(_("Display name saved."), "ok")
                return redirect(url_for("pages.me"))
            except Refusal as err:
                flash(_("Not saved: %(why)s.", why=translated(err.message)), "error")
                return render_template("me.html", **privacy_facts()), 400
        return render_template("me.html", **privacy_facts())

    def privacy_facts():
        if privacy is None:
            return {"privacy_available": False, "hide_address": False}
        return {"privacy_available": privacy.available, "hide_address": privacy.setting(g.user)}

    def save_privacy():
        """The address-privacy checkbox (its own form on /me); applies from the next call."""
        if privacy is None or not privacy.available:
            flash(_("Not saved: this server has no TURN relay, so addresses cannot be hidden."),
                  "error")
            return render_template("me.html", **privacy_facts()), 400
        try:
            identity.set_hide_address(g.user, request.form.get("hideAddress") == "on")
        except Refusal as err:  # a guest stored now, over its address's limit
            flash(_("Not saved: %(why)s", why=translated(err.message)), "error")
            return render_template("me.html", **privacy_facts()), 429
        g.user = identity.load_user(g.user.id)
        flash(_("Privacy setting saved: it applies from your next call."), "ok")
        return redirect(url_for("pages.me"))

    @bp.get("/healthz/live")
    def live():
        return jsonify(status="live", version=__version__)

    @bp.get("/healthz/ready")
    def ready():
        ok, checks = ready_now()
        return jsonify(status="ready" if ok else "not ready", checks=checks), \
            200 if ok else 503

    @bp.get("/healthz")
    def healthz():
        ok, checks = ready_now()
        node = {"node": ctx.node.name} if ctx.node.name else {}  # in a cluster: which node answered
        return jsonify(status="ok" if ok else "degraded", version=__version__,
                       clients=ctx.online_clients(), database=checks["database"] == "ok",
                       **node), \
            200 if ok else 503

    @bp.app_errorhandler(404)
    def not_found(_err):
        return render_template("404.html"), 404

    return bp
