"""ICE servers for browsers, with short-lived TURN credentials.

coturn's `use-auth-secret` (the "TURN REST API"): the username is `expiry:userid`
(expiry in Unix seconds), the password is base64(HMAC-SHA1(secret, username)). The
server computes them for each client; the shared secret never leaves the server.
"""
import base64
import hashlib
import hmac
import ipaddress
import logging
import socket

log = logging.getLogger(__name__)


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


def _turn_host(url):
    """The host of a `turn:`/`turns:` URL (`turn:host[:port][?transport=…]`, an IPv6
    host in brackets), else None."""
    scheme, _, rest = str(url).partition(":")
    if scheme not in ("turn", "turns") or not rest:
        return None
    rest = rest.split("?", 1)[0]
    if rest.startswith("["):
        return rest[1:].split("]", 1)[0]
    return rest.rsplit(":", 1)[0] if rest.count(":") == 1 else rest


def turn_urls(config):
    """Every TURN URL the server hands out: TURN_URLS and the turn: ones in ICE_SERVERS."""
    urls = list(config.get("TURN_URLS") or [])
    for server in config.get("ICE_SERVERS") or []:
        found = server.get("urls") if isinstance(server, dict) else None
        urls += [found] if isinstance(found, str) else list(found or [])
    return [u for u in urls if _turn_host(u)]


def relay_addresses(config, resolve=socket.getaddrinfo):
    """The addresses a relay candidate of our TURN servers may name (docs/protocol.md,
    "Address privacy"): each TURN URL's host, resolved once (at start), plus
    TURN_RELAY_ADDRESSES (coturn's `relay-ip` / `external-ip`, when it relays from
    another address than the one clients reach it at). A frozenset of ipaddress objects;
    a host that does not resolve adds nothing (its relay candidates are refused)."""
    found = set()
    for text in config.get("TURN_RELAY_ADDRESSES") or []:
        found.add(ipaddress.ip_address(str(text)))  # a typo stops the start, loudly
    for url in turn_urls(config):
        host = _turn_host(url)
        try:
            found.update(ipaddress.ip_address(info[4][0].split("%", 1)[0])
                         for info in resolve(host, None))
        except (OSError, ValueError) as err:
            log.warning("TURN host %r does not resolve (%s): privacy-mode calls through it "
                        "will be refused", host, err)
    return frozenset(found)
