"""The pages of call links (issue 27; tlightchat/reach/links.py keeps them).

GET  /l/<token>   the pre-join screen: who the link rings, a camera and microphone
                  preview, the connection check, and (for a browser never seen here) a
                  name to call with; an expired, turned-off or unknown link says so and
                  what to do (410 / 404), too many openings from one address 429.
POST /l/<token>   the visitor's name (stored), then on to /call with the token in the
                  fragment: the call page opens the link over its socket (`link:open`)
                  and calls the slot. A fragment never reaches a server log or a Referer.
GET  /join/<token>  a join link's pre-join screen (reach/knock.py: knocking on a running
                  call): the same page with "Ask to join"; 404 unknown, 410 expired or
                  its call ended (or a block between the visitor and a party: told as
                  an ended call), 429 too many openings from one address.
POST /join/<token>  the name, then on to /call#knock=<token> (the page sends knock:ask).
POST /me/links/<id>/revoke   the maker turns a link off (listed on /me).
POST /me/join-links/<hash>/revoke  the maker turns a join link off (listed on /me; the id
                  is the token's SHA-256, which opens nothing): later knocks through it
                  hear so (410), and its open knocks end (`revoked`).
GET  /me/rings/<id>          {caller}: the user id of the visitor whose push ring this is
                  (Accept opened /call#accept=<id>; the page accepts that visitor's
                  ring once it arrives), 404 when it is not this person's or is over.
POST /me/rings/<id>/decline  Decline on a push ring's notification (static/sw.js): the
                  worker has the cookie but no page, so no CSRF token. It needs none: the
                  id is a secret only this person's devices were sent (encrypted), and the
                  body must be JSON, which no other site can post here without a CORS
                  preflight this server never grants. 404 when no ring of theirs has it.
"""
import json
import re
import time
from datetime import datetime, timezone

from flask import (Blueprint, current_app, flash, g, jsonify, redirect, render_template, request,
                   url_for)
from flask_babel import format_datetime, gettext as _

from ..errors import Refusal, translated
from ..ice import ice_servers
from ..ratelimit import address_key
from ..reach import knock as J
from ..reach.links import EXPIRED, REVOKED, TOO_MANY
from ..store.reducers import knocks as K
from .accounts import csrf


def _status(err):
    if err.template == TOO_MANY:
        return 429
    return 410 if err.template in (EXPIRED, REVOKED, J.EXPIRED, J.ENDED, J.REVOKED) else 404


LINK_HASH = re.compile(r"[0-9a-f]{64}")


def blueprint(links, identity):
    bp = Blueprint("links", __name__)

    def refused(err):
        response = render_template("join.html", refusal=translated(err.template)), _status(err)
        if err.retry_after_ms:
            return response + ({"Retry-After": str(err.retry_after_ms // 1000 + 1)},)
        return response

    def join_page(token, link, status=200, knock=False):
        maker = identity.load_user(link["userId"])
        seen = identity.load_user(g.user.id) is not None
        ice = ice_servers(current_app.config, g.user.id, time.time())
        return render_template("join.html", token=token, maker=maker.display_name if maker else "",
                               slot=link["anchorName"], ask_name=not seen, knock=knock,
                               ice_json=json.dumps(ice)), status

    def named_then_call(token, kind, again):
        """The page's form posted: store the name it asks of someone never seen here (or
        a new one given), then on to the call page, which rings (`link`) or knocks
        (`knock`); `again(status)`: the page once more when the name is refused."""
        name = request.form.get("displayName", "").strip()
        if name or identity.load_user(g.user.id) is None:
            try:
                g.user.display_name = identity.rename(g.user.id, name)
            except Refusal as err:
                flash(_("Not saved: %(why)s.", why=translated(err.message)), "error")
                return again(400 if err.code != "limit" else 429)
        return redirect(url_for("pages.call") + f"#{kind}=" + token, code=303)

    def join_link(token):
        """The maker of a working join link, counted per address as a call link's visit."""
        wait = links.visits.try_hit(address_key(request.remote_addr))
        if wait:
            raise Refusal("rate-limited", TOO_MANY, retry_after_ms=int(wait * 1000) + 1)
        ctx = current_app.extensions["tlightchat"].context
        with ctx.store.lock:
            state = ctx.store.get_state()
            _hash, link, call = J.lookup(state, token, ctx.now())
            maker, parties = J.maker_of(state, link), J.party_users(state, call)
        J.check_unblocked(getattr(ctx, "safety", None), g.user.id, parties)  # as knock:ask
        return maker

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
        return named_then_call(token, "link", lambda code: join_page(token, link, code))

    @bp.route("/join/<token>", methods=("GET", "POST"))
    def knock(token):
        try:
            maker = join_link(token)
        except Refusal as err:
            return refused(err)
        if request.method == "GET":
            return join_page(token, maker, knock=True)
        return named_then_call(token, "knock", lambda code: join_page(token, maker, code, knock=True))

    @bp.post("/me/links/<int:link_id>/revoke")
    def revoke(link_id):
        if links.revoke(g.user.id, link_id):
            flash(_("Call link turned off: it no longer rings you."), "ok")
        else:
            flash(_("No such call link of yours (it may be off already)."), "error")
        return redirect(url_for("pages.me"), code=303)

    @bp.post("/me/join-links/<link_id>/revoke")
    def revoke_join_link(link_id):
        ctx = current_app.extensions["tlightchat"].context
        try:
            if not LINK_HASH.fullmatch(link_id):
                raise Refusal("not-found", K.NO_SUCH_LINK)
            ctx.dispatch(K.link_revoked(g.user.id, link_id))  # only the maker's: the guard
            flash(_("Join link turned off: nobody can ask to join through it now."), "ok")
        except Refusal as err:
            flash(translated(err.template), "error")
        return redirect(url_for("pages.me"), code=303)

    @bp.get("/me/rings/<ring_id>")
    def ring_caller(ring_id):
        caller = links.ring_caller(g.user.id, ring_id[:32])
        if caller is None:
            return jsonify(ok=False, error={"code": "not-found", "message": "no such ring"}), 404
        return jsonify(ok=True, caller=caller)

    @bp.post("/me/rings/<ring_id>/decline")
    @csrf.exempt
    def decline_ring(ring_id):
        if not request.is_json:
            return jsonify(ok=False, error={"code": "invalid-payload", "message": "send JSON"}), 400
        if len(ring_id) > 32 or not links.decline_devices(g.user.id, ring_id):
            return jsonify(ok=False, error={"code": "not-found", "message": "no such ring"}), 404
        return jsonify(ok=True)

    @bp.app_context_processor
    def call_links():
        """/me lists the signed-in person's links (templates/_call_links.html)."""
        def mine():
            if not g.get("user"):
                return []
            return [{**link, "made": format_datetime(link["createdAt"], "short"),
                     "until": format_datetime(link["expiresAt"], "short") if link["expiresAt"] else None}
                    for link in links.mine(g.user.id)]
        def joins():
            if not g.get("user"):
                return []
            ctx = current_app.extensions["tlightchat"].context
            with ctx.store.lock:
                made = J.made_by(ctx.store.get_state(), g.user.id, ctx.now())
            when = lambda t: format_datetime(datetime.fromtimestamp(t, timezone.utc), "short")  # noqa: E731
            return [{**link, "made": when(link["createdAt"]), "until": when(link["expiresAt"]),
                     "with": ", ".join(link["with"])} for link in made]
        return {"my_call_links": mine, "my_join_links": joins}

    return bp
