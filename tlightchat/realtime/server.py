"""The Socket.IO edge: the life-cycle handlers and the catch-all for client events.

Client events go straight to python-socketio's catch-all: Flask-SocketIO would build
a full request context (URL matching, session cookie) for every event, a quarter of
the relay's CPU. Identity is bound at connect from the session cookie; handlers need
only the app context.
"""
from flask import request


def attach(app, socketio, hub, identity):
    @socketio.on("connect")
    def on_connect(auth=None):
        user = identity.session_user()
        if user is None:
            raise ConnectionRefusedError({
                "code": "no-session",
                "message": "No identity for this connection: open the page again "
                           "(cookies must be enabled) and it will reconnect."})
        hub.connect(request.sid, user, auth)

    @socketio.on("disconnect")
    def on_disconnect(reason=None):
        hub.disconnect(request.sid, reason)

    def on_event(event, sid, *args):
        with app.app_context():
            return hub.handle(sid, event, args)

    socketio.server.on("*", on_event, namespace="/")
