"""The safety part of /me (issue 35): who may ring me, who may start a chat with me, do
not disturb, and the people I blocked (unblock). The same rules as the `safety:*`
events (handlers.py), for a person on a page; each change rebuilds the lobby views it
touches (a new do-not-disturb changes nobody's view). Also an operator's warning, on every
page until its reader dismisses it (templates/_safety_warning.html, `form=warning`)."""
from datetime import datetime, timedelta, timezone

from flask import Blueprint, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from ..identity import stored_user
from ..models import User
from . import rules

# "Until tomorrow": until this hour of the next morning (UTC), at most DND_MAX_MINUTES.
MORNING_HOUR = 7
DND_CHOICES = {"30": 30, "60": 60}


def minutes_until_tomorrow(now):
    at = datetime.fromtimestamp(now, timezone.utc)
    morning = (at + timedelta(days=1)).replace(hour=MORNING_HOUR, minute=0, second=0,
                                               microsecond=0)
    return min(rules.DND_MAX_MINUTES, max(1, int((morning - at).total_seconds() // 60)))


def init_app(app, safety, identity, db):
    bp = Blueprint("safety", __name__)

    @app.context_processor
    def safety_for_templates():
        return {"safety_of": lambda user: safety.state(user.id),
                "ring_policies": rules.RING_POLICIES, "chat_policies": rules.CHAT_POLICIES,
                "safety_warning": warning_here}

    def warning_here():
        """The warning this page's user has not dismissed ({reason, at}), else None; none
        while the database cannot be read (a page that can be shown still is: the
        warning waits for the next one)."""
        user = getattr(g, "user", None)
        try:
            return safety.data.warning(user.id) if user is not None else None
        except SQLAlchemyError:
            return None

    @app.before_request
    def refuse_sanctioned():
        """A suspended or banned identity's cookie is refused: this browser starts again
        as a new guest (an account cannot sign in while it lasts: the next page after a
        sign-in lands here too)."""
        user = getattr(g, "user", None)
        if user is not None and request.endpoint not in (None, "static") \
                and safety.operators.sanction_of(user.id) is not None:
            session.clear()  # (a flash would not survive: the new guest's session is fresh)
            return redirect(request.full_path if request.method == "GET" else "/")
        return None

    def stored():
        """A guest that has only seen pages is stored now: this is its first use."""
        with db.session() as s:
            if s.get(User, g.user.id) is None:
                identity.admit_new_guest()
            stored_user(s, g.user)

    @bp.post("/safety")  # one level: redirects are relative (web/urls.py)
    def save():
        form = request.form.get("form")
        me = g.user.id
        stored()
        if form == "rules":
            ring, chat = request.form.get("ringPolicy"), request.form.get("chatPolicy")
            if ring not in rules.RING_POLICIES or chat not in rules.CHAT_POLICIES:
                flash(_("Not saved: pick one of the choices."), "error")
                return redirect(url_for("pages.me"))
            safety.data.set_settings(me, ring_policy=ring, chat_policy=chat)
            invisible = request.form.get("invisible") == "on"
            if invisible != safety.data.settings(me)["invisible"]:
                safety.set_invisible(me, invisible)
            flash(_("Saved: it applies to the next ring or message."), "ok")
        elif form == "dnd":
            choice = request.form.get("dnd", "")
            now = safety.ctx.now()
            minutes = minutes_until_tomorrow(now) if choice == "tomorrow" else \
                DND_CHOICES.get(choice, 0)
            safety.data.set_settings(me, dnd_until=now + minutes * 60 if minutes else None)
            flash(_("Do not disturb is on.") if minutes else _("Do not disturb is off."), "ok")
        elif form == "warning":
            safety.dismiss_warning(me)
        elif form == "unblock":
            peer = request.form.get("userId", "")
            safety.data.unblock(me, peer)
            safety.refresh([me, peer])
            flash(_("Unblocked."), "ok")
        return redirect(url_for("pages.me"))

    app.register_blueprint(bp)
