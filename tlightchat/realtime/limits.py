"""Limits a user would expect, checked at connect time."""
from ..errors import Refusal


def make_room(config, state, user_id):
    """A new client of `user_id` (not one resuming itself) is about to join: None when
    there is room, else the id of the user's oldest away client, which it replaces.
    Away clients (in their reconnect grace) count against MAX_CONNECTIONS_PER_USER:
    before, dropping the transport and connecting again made a client per cycle (660
    from one cookie in 20 s). Raises Refusal("limit") when all of them are live (the
    browser's connect_error data is {code: "limit", message})."""
    cap = int(config["MAX_CONNECTIONS_PER_USER"])
    user = state["users"].get(user_id)
    clients = [state["clients"][c] for c in (user["clientIds"] if user else ())]
    if len(clients) < cap:
        return None
    away = [c for c in clients if c["awayUntil"] is not None]
    if away:
        return min(away, key=lambda c: c["awayUntil"])["id"]
    raise Refusal("limit", "You already have %(n)s open connections (tabs), the most allowed "
                  "at once; close one and reload.", n=len(clients))
