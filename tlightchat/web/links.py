"""The pages of call links (issue 27; tlightchat/reach/links.py keeps them).

GET  /l/<token>   the pre-join screen: who the link rings, a camera and microphone
                  preview, the connection check, and (for a browser never seen here) a
                  name to call with; an expired, turned-off or unknown link says so and
                  what to do (410 / 404), too many openings from one address 429.
POST /l/<token>   the visitor's name (stored), then on to /call with the token in the
                  fragment: the call page opens the link over its socket (`link:open`)
                  and calls the slot. A fragment never reaches a server log or a Referer.
POST /me/links/<id>/revoke   the maker turns a link off (listed on /me).
"""
import json
import time

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import format_datetime, gettext as _

from ..errors import Refusal, translated
from ..ice import ice_servers
from ..reach.links import EXPIRED, REVOKED, TOO_MANY


def _status(err):
    if err.template == TOO_MANY:
        return 429
    return 410 if err.template in (EXPIRED, REVOKED) else 404


def blueprint(links, identity):
    bp = Blueprint("links", __name__)

    def refused(err):
        response = render_template("join.html", refusal=translated(err.template)), _status(err)
        if err.retry_after_ms:
            return response + ({"Retry-After": str(err.retry_after_ms // 1000 + 1)},)
        return response

    def join_page(token, link, status=200):
        maker = identity.load_user(link["userId"])
        seen = identity.load_user(g.user.id) is not None
        ice = ice_servers(current_app.config, g.user.id, time.time())
        return render_template("join.html", token=token, maker=maker.display_name if maker else "",
                               slot=link["anchorName"], ask_name=not seen,
                               ice_json=json.dumps(ice)), status

    @bp.get("/l/<token>")
    def join(token):
        try:
            link = links.check(token, request.remote_addr)
        except Refusal as err:
            return refused(err)
        return join_page(token, link)

    @bp.post("/l/<token>")
    def join_ring(token):
        try:
            link = links.check(token, request.remote_addr)
        except Refusal as err:
            return refused(err)
        name = request.form.get("displayName", "").strip()
        if name or identity.load_user(g.user.id) is None:  # never seen: a name is asked
            try:
                g.user.display_name = identity.rename(g.user.id, name)
            except Refusal as err:
                flash(_("Not saved: %(why)s.", why=translated(err.message)), "error")
                return join_page(token, link, 400 if err.code != "limit" else 429)
        return redirect(url_for("pages.call") + "#link=" + token, code=303)

    @bp.post("/me/links/<int:link_id>/revoke")
    def revoke(link_id):
        if links.revoke(g.user.id, link_id):
            flash(_("Call link turned off: it no longer rings you."), "ok")
        else:
            flash(_("No such call link of yours (it may be off already)."), "error")
        return redirect(url_for("pages.me"), code=303)

    @bp.app_context_processor
    def call_links():
        """/me lists the signed-in person's links (templates/_call_links.html)."""
        def mine():
            if not g.get("user"):
                return []
            return [{**link, "made": format_datetime(link["createdAt"], "short"),
                     "until": format_datetime(link["expiresAt"], "short") if link["expiresAt"] else None}
                    for link in links.mine(g.user.id)]
        return {"my_call_links": mine}

    return bp
