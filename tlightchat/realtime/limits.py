"""Limits a user would expect, checked at connect time."""
from socketio.exceptions import ConnectionRefusedError


def refuse_over_user_cap(hub, user_id):
    """Raise ConnectionRefusedError (the browser gets connect_error with `err.data`
    {code: "limit", message}; python-socketio's own ConnectionRefusedError carries
    the data, the builtin one loses it) when the user already holds MAX_CONNECTIONS_PER_USER live
    connections. Clients that are away (in their reconnect grace) do not count: their
    own reconnect must get through."""
    cap = int(hub.config["MAX_CONNECTIONS_PER_USER"])
    with hub.store.lock:
        state = hub.store.get_state()
        user = state["users"].get(user_id)
        live = sum(1 for c in (user["clientIds"] if user else ())
                   if state["clients"][c]["awayUntil"] is None)
    if live >= cap:
        message = (f"You already have {live} open connections (tabs), the most allowed "
                   "at once; close one and reload.")
        raise ConnectionRefusedError(message, {"code": "limit", "message": message})
