"""Web Push subscriptions of /me's "Ring me on this device when the page is closed"
(issue 27.3; tlightchat/reach/push.py sends and checks).

GET  /push/key       {publicKey}: the server's VAPID public key (the browser's
                     applicationServerKey), base64url
POST /me/push        {endpoint, keys: {p256dh, auth}} (PushSubscription.toJSON()), with
                     the page's CSRF token in X-CSRFToken: this device rings for this person
POST /me/push/off    {endpoint}: it no longer does
Refusals answer 400 {error: {code, message}}.
"""
from flask import Blueprint, g, jsonify, request

from ..errors import Refusal


def blueprint(push, identity):
    bp = Blueprint("push", __name__)

    def body():
        data = request.get_json(silent=True)
        if not isinstance(data, dict) or request.content_length and request.content_length > 4096:
            raise Refusal("invalid-payload", "send a JSON object (at most 4 KiB)")
        return data

    @bp.errorhandler(Refusal)
    def refused(err):
        return jsonify(ok=False, error=err.as_dict()), 400

    @bp.get("/push/key")
    def key():
        return jsonify(publicKey=push.public_key)

    @bp.post("/me/push")
    def subscribe():
        data = body()
        if identity.load_user(g.user.id) is None:  # a guest not stored yet: nobody to ring
            raise Refusal("invalid-state", "open the call page once, then turn this on")
        keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
        push.subscribe(g.user.id, data.get("endpoint"), keys.get("p256dh"), keys.get("auth"))
        return jsonify(ok=True, devices=push.devices(g.user.id))

    @bp.post("/me/push/off")
    def unsubscribe():
        push.unsubscribe(g.user.id, body().get("endpoint"))
        return jsonify(ok=True, devices=push.devices(g.user.id))

    return bp
