"""The Socket.IO edge: the life-cycle handlers and the catch-all for client events.

Client events go straight to python-socketio's catch-all: Flask-SocketIO would build
a full request context (URL matching, session cookie) for every event, a quarter of
the relay's CPU. Identity is bound at connect from the session cookie; handlers need
only the app context.

A refused connection raises python-socketio's ConnectionRefusedError (not Python's
built-in one, which python-socketio answers with a generic message and no code), so
the browser's `connect_error` carries `err.message` and `err.data = {code, message}`
(docs/protocol.md).
"""
from flask import request, session
from socketio.exceptions import ConnectionRefusedError as Refused

from ..errors import Refusal, translated
from ..faults import is_storage_fault
from ..sessions import TOKEN_KEY, digest
from ..web import i18n
from . import fastpath
from .hub import RESTART_RETRY_MS


SIGNED_OUT = Refusal("no-session", "No identity for this connection (or its session was "
                     "signed out): open the page again (cookies must be enabled) and it "
                     "will reconnect.")


def refused(code, message, **extra):
    """The connect_error packet is {message, data}: the browser reads err.data.code."""
    message = translated(message)
    return Refused(message, {"code": code, "message": message, **extra})


def _session_user(faults, identity):
    """The connecting user; a first socket stores its guest row, so with the database
    down or full it is refused with the fault's documented code, never a traceback."""
    try:
        return identity.session_user()
    except Exception as err:
        if faults is None or not is_storage_fault(err):
            raise
        raise refused(**faults.refusal(err).as_dict()) from None


def attach(app, socketio, hub, life, identity):
    """Connect and disconnect go to `life` (lifecycle.py), client events to `hub`."""
    @socketio.on("connect")
    def on_connect(auth=None):
        if hub.ctx.draining:
            raise refused("unavailable", hub.ctx.draining, retryAfterMs=RESTART_RETRY_MS)
        try:
            user = _session_user(hub.faults, identity)
            if user is None:
                raise refused(**SIGNED_OUT.as_dict())
            life.connect(request.sid, user, auth, session=digest(session.get(TOKEN_KEY)))
            i18n.remember(request.sid)  # its refusals' messages in its page's language
            if not identity.still_holds(user):
                # signed out between the check above and the bind (life.connect may
                # pause): that sign-out found no socket to close, so close it here
                life.disconnect(request.sid, "server disconnect")
                i18n.forget(request.sid)  # a refused connect gets no disconnect event
                raise refused(**SIGNED_OUT.as_dict())
        except Refusal as err:  # too many guests, the cap, a node without its log
            raise refused(**err.as_dict()) from None  # its message in the page's language

    @socketio.on("disconnect")
    def on_disconnect(reason=None):
        life.disconnect(request.sid, reason)
        i18n.forget(request.sid)

    def on_event(event, sid, *args):
        with app.app_context(), i18n.speaking(sid):
            return hub.handle(sid, event, args)

    socketio.server.on("*", on_event, namespace="/")
    fastpath.install(socketio)  # unmasking, packet JSON: the relay's hot path
