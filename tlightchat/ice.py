"""ICE servers for browsers, with short-lived TURN credentials.

coturn's `use-auth-secret` (the "TURN REST API"): the username is `expiry:userid`
(expiry in Unix seconds), the password is base64(HMAC-SHA1(secret, username)). The
server computes them for each client; the shared secret never leaves the server.
"""
import base64
import hashlib
import hmac


def turn_credentials(secret, user_id, now, ttl):
    username = f"{int(now) + int(ttl)}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(config, user_id, now):
    """The RTCIceServer list for one user: static entries from ICE_SERVERS, plus the
    TURN_URLS with fresh credentials when a TURN_SECRET is configured."""
    servers = [dict(s) for s in config["ICE_SERVERS"]]
    if config.get("TURN_URLS") and config.get("TURN_SECRET"):
        username, credential = turn_credentials(config["TURN_SECRET"], user_id, now,
                                                config["TURN_TTL"])
        servers.append({"urls": list(config["TURN_URLS"]), "username": username,
                        "credential": credential})
    return servers
