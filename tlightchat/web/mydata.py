"""My data, my account on /me (issue 35): "Download my data" (a zip with one JSON file,
safety/mydata.py's export) and "Delete my account" (an account confirms with its
password, a guest by ticking a box; every session ends on every node, the call log
writes what that ended (a call's end, who left a group call: written later, such a row
would name the user again), then every row naming the user is deleted, in one
transaction). Guests get the same for the data their cookie holds."""
import io
import json
import time
import zipfile

from flask import Blueprint, flash, g, redirect, request, send_file, session, url_for
from flask_babel import gettext as _

from . import hashing
from ..models import User
from ..ratelimit import address_key
from ..safety.mydata import delete_user, export
from ..sessions import ALL


SETTLE_MAX = 5.0  # seconds past the call log's delay that a deletion waits for it


def init_app(app, db, end_sessions, limiter, call_log):
    bp = Blueprint("mydata", __name__)

    def settle():
        """Until the call log has written what ending the sessions made (bounded: a
        stuck writer does not hold the request; its late row is refused or orphaned)."""
        deadline = time.monotonic() + call_log.delay + SETTLE_MAX
        while not call_log.worker.idle() and time.monotonic() < deadline:
            call_log.sleep(0.02)

    @bp.get("/mydata")
    def download():
        data = export(db, g.user.id)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("tlightchat-data.json", json.dumps(data, ensure_ascii=False, indent=2))
        buffer.seek(0)
        return send_file(buffer, mimetype="application/zip", as_attachment=True,
                         download_name="tlightchat-data.zip")

    @bp.post("/delete-account")
    def delete_account():
        user = g.user
        if user.is_account:
            address = address_key(request.remote_addr)
            if limiter.retry_after(user.username, address):
                flash(_("Too many wrong passwords from your address; try again later."),
                      "error")
                return redirect(url_for("pages.me"))
            with db.session() as s:
                stored = s.get(User, user.id)
                stored_hash = stored.password_hash if stored else None
            if not stored_hash or not hashing.check(stored_hash,
                                                    request.form.get("password", "")):
                limiter.failed(user.username, address)
                flash(_("Not deleted: that is not your password."), "error")
                return redirect(url_for("pages.me"))
        elif request.form.get("confirm") != "on":
            flash(_("Not deleted: tick the box to confirm."), "error")
            return redirect(url_for("pages.me"))
        end_sessions(user.id, ALL)
        settle()
        delete_user(db, user.id, app.config.get("DELETED_MESSAGES", "remove"))
        session.clear()
        return redirect(url_for("pages.home"))

    app.register_blueprint(bp)
