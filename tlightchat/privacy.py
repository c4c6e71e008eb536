"""Address privacy: which side of a call may send only TURN relay candidates.

A user who hides their network address from people they have not verified (their
setting, or the admin default RELAY_FOR_STRANGERS) sends only relay candidates in a call
with such a person: the browser uses iceTransportPolicy "relay" (call:started says
`relayOnly`), and the store's guard of calls/signalled refuses anything else from that
side. Decided here, at the edge, when the call starts; the action carries the answer,
so the reducers and the guard stay pure.

Without TURN there is no relay to hide behind (a relay-only call could never connect),
so the setting is unavailable and applies to nobody.
"""


class AddressPrivacy:
    def __init__(self, config, identity, trust=None):
        self.config = config
        self.identity = identity
        self.trust = trust  # TrustService or None: is_verified(user, peer)

    @property
    def available(self):
        config = self.config
        if config.get("TURN_URLS") and config.get("TURN_SECRET"):
            return True
        return any(str(url).startswith(("turn:", "turns:"))
                   for server in config.get("ICE_SERVERS", ())
                   for url in ([server.get("urls")] if isinstance(server.get("urls"), str)
                               else server.get("urls") or ()))

    def setting(self, user):
        """The user's effective choice (their own, else the admin default)."""
        if user is not None and user.hide_address is not None:
            return user.hide_address
        return bool(self.config.get("RELAY_FOR_STRANGERS"))

    def hides_from(self, user_id, peer_user_id):
        """True when `user_id` must send only relay candidates to `peer_user_id`."""
        if not self.available or not self.setting(self.identity.load_user(user_id)):
            return False
        return not (self.trust is not None and self.trust.is_verified(user_id, peer_user_id))

    def relay_only(self, state, caller_anchor, callee_anchor):
        """The anchors of a call about to start that must send relay candidates only."""
        if not self.available:
            return []
        users = {}
        for anchor_id in (caller_anchor, callee_anchor):
            anchor = state["anchors"].get(anchor_id)
            client = anchor and state["clients"].get(anchor["clientId"])
            if client is None:
                return []  # the guard refuses this action anyway
            users[anchor_id] = client["userId"]
        return [a for a, b in ((caller_anchor, callee_anchor), (callee_anchor, caller_anchor))
                if self.hides_from(users[a], users[b])]
