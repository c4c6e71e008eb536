"""X-Forwarded-* headers are believed only from the proxies we were told about.

werkzeug's ProxyFix(x_for=1) trusts whatever the client sends: reached directly, a
client sets its own X-Forwarded-For and gets a fresh address (a fresh sign-in limit)
on every request. `TrustedProxyFix` applies ProxyFix only when the request comes from
an address in TRUSTED_PROXIES (loopback by default: the deploy files put nginx on the
same machine); from anywhere else the X-Forwarded-* headers are dropped.
"""
import ipaddress

from werkzeug.middleware.proxy_fix import ProxyFix

FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
             "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")


def parse_networks(value):
    """TRUSTED_PROXIES (a list, or a comma-separated string) → ip networks."""
    if isinstance(value, str):
        value = [v for v in (p.strip() for p in value.split(",")) if v]
    try:
        return tuple(ipaddress.ip_network(v, strict=False) for v in value or ())
    except (TypeError, ValueError) as err:
        raise RuntimeError(f"TRUSTED_PROXIES must list addresses or networks: {err}") from None


class TrustedProxyFix:
    def __init__(self, wsgi_app, trusted, **hops):
        self.plain = wsgi_app
        self.fixed = ProxyFix(wsgi_app, **hops)
        self.trusted = parse_networks(trusted)

    def trusts(self, address):
        try:
            ip = ipaddress.ip_address((address or "").split("%", 1)[0])
        except ValueError:
            return False
        if ip.version == 6 and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        return any(ip in net for net in self.trusted)

    def __call__(self, environ, start_response):
        if self.trusts(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        for key in FORWARDED:
            environ.pop(key, None)
        return self.plain(environ, start_response)
