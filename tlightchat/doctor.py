"""The connectivity doctor (issue 30, item 4): the server tests its own TURN setup the way
a browser abroad would, and names each broken hop with its fix.

For every TURN URL it hands out it allocates a relay with the credentials it gives
browsers (a small STUN/TURN client over UDP or TCP; messages from aioice.stun), then
releases it. Findings:

- coturn does not answer (over UDP, but TCP does: UDP is blocked on the way);
- the credentials are refused: wrong secret, or expired at once (the clocks disagree);
- the relay address is a private one while the TURN host is not (external-ip unset);
- a `turns:` (TLS) listener whose certificate a browser would not trust (self-signed,
  expired, not naming the host): browsers refuse it without a word, so it is named here.

`flask --app app doctor` prints them and exits non-zero when one is an error; operators
(ADMINS) see them at /doctor; `python app.py` runs it once in the background after start
(`at_start`) and logs each finding.
"""
import ipaddress
import logging
import socket
import ssl
import time
from dataclasses import dataclass
from hashlib import md5
from urllib.parse import parse_qs

from .ice import turn_credentials

TIMEOUT_S = 2.0
FUTURE_S = 10 * 365 * 86400  # an expiry no clock skew reaches
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finding:
    level: str  # "ok" | "warning" | "error"
    code: str
    text: str

    def __str__(self):
        return f"{self.level.upper():7} {self.text}"


class NoAnswer(Exception):
    pass


class Untrusted(NoAnswer):
    """The TLS listener answered with a certificate this machine's trust store refuses."""


def parse_turn_url(url):
    """`turn:host[:port][?transport=udp|tcp]` / `turns:…` → (scheme, host, port, transport)."""
    scheme, _, rest = url.partition(":")
    rest, _, query = rest.partition("?")
    transport = (parse_qs(query).get("transport") or ["tcp" if scheme == "turns" else "udp"])[0]
    if rest.startswith("["):
        host, _, port = rest[1:].partition("]")
        port = port.lstrip(":")
    elif rest.count(":") == 1:
        host, port = rest.split(":")
    else:
        host, port = rest, ""
    return scheme, host, int(port or (5349 if scheme == "turns" else 3478)), transport.lower()


class _Channel:
    """One STUN conversation with a server over UDP, TCP or TLS."""

    def __init__(self, host, port, transport, tls=False, timeout=TIMEOUT_S):
        self.timeout, self.udp = timeout, transport == "udp"
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            if self.udp:
                self.sock = socket.socket(family, socket.SOCK_DGRAM)
                self.sock.connect((host, port))
            else:
                self.sock = socket.create_connection((host, port), timeout=timeout)
                if tls:  # the system's trust store, as a browser's (SSL_CERT_FILE for tests)
                    self.sock = ssl.create_default_context().wrap_socket(self.sock, server_hostname=host)
        except ssl.SSLCertVerificationError as err:
            self.sock.close()
            raise Untrusted(err.verify_message or str(err)) from None
        except OSError as err:
            raise NoAnswer(str(err)) from None
        self.sock.settimeout(timeout)

    def ask(self, request):
        data = bytes(request)
        deadline = time.monotonic() + self.timeout
        rto = 0.25
        while True:
            try:
                if self.udp or rto == 0.25:
                    self.sock.send(data)
                answer = self._read(min(rto, deadline - time.monotonic()))
                if answer.transaction_id == request.transaction_id:
                    return answer
            except (socket.timeout, ValueError):
                pass
            except OSError as err:  # refused (ICMP), reset
                raise NoAnswer(str(err)) from None
            rto *= 2
            if time.monotonic() >= deadline:
                raise NoAnswer(f"no answer within {self.timeout:g} s")

    def _read(self, wait):
        from aioice import stun  # on use: a server without TURN never loads it (issue 33.3)

        self.sock.settimeout(max(wait, 0.01))
        if self.udp:
            return stun.parse_message(self.sock.recv(2048))
        head = self._exactly(20)
        return stun.parse_message(head + self._exactly(int.from_bytes(head[2:4], "big")))

    def _exactly(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise OSError("connection closed")
            data += chunk
        return data

    def close(self):
        self.sock.close()


def allocate(host, port, transport, username, password, tls=False, timeout=TIMEOUT_S):
    """A TURN Allocate with long-term credentials: {"relayed": (ip, port)} or
    {"error": (code, reason)}; raises NoAnswer when nothing answers. Releases it."""
    from aioice import stun  # on use, as in _read

    channel = _Channel(host, port, transport, tls, timeout)
    try:
        req = stun.Message(stun.Method.ALLOCATE, stun.Class.REQUEST,
                           attributes={"REQUESTED-TRANSPORT": 17 << 24})
        answer = channel.ask(req)
        if answer.message_class == stun.Class.RESPONSE:  # coturn without auth
            return {"relayed": answer.attributes["XOR-RELAYED-ADDRESS"]}
        realm, nonce = answer.attributes.get("REALM"), answer.attributes.get("NONCE")
        if not realm or not nonce:
            return {"error": answer.attributes.get("ERROR-CODE", (0, "no realm"))}
        key = md5(f"{username}:{realm}:{password}".encode()).digest()

        def signed(method, **attrs):
            msg = stun.Message(method, stun.Class.REQUEST, attributes={
                **attrs, "USERNAME": username, "REALM": realm, "NONCE": nonce})
            msg.add_message_integrity(key)
            return msg
        answer = channel.ask(signed(stun.Method.ALLOCATE, **{"REQUESTED-TRANSPORT": 17 << 24}))
        if answer.message_class != stun.Class.RESPONSE:
            return {"error": answer.attributes.get("ERROR-CODE", (0, "refused"))}
        relayed = answer.attributes["XOR-RELAYED-ADDRESS"]
        try:
            channel.ask(signed(stun.Method.REFRESH, LIFETIME=0))  # let it go at once
        except NoAnswer:
            pass
        return {"relayed": relayed}
    finally:
        channel.close()


def _private(ip):
    ip = ipaddress.ip_address(ip)
    return ip.is_private and not ip.is_loopback


def _host_ip(host):
    try:
        return ipaddress.ip_address(socket.getaddrinfo(host, None)[0][4][0].split("%")[0])
    except (OSError, ValueError):
        return None


def check_url(url, secret, ttl, now, alloc=allocate):
    """The findings for one TURN URL."""
    scheme, host, port, transport = parse_turn_url(url)
    where = f"{host}:{port} ({'tls' if scheme == 'turns' else transport})"
    username, password = turn_credentials(secret, "tlc-doctor", now, ttl)
    try:
        got = alloc(host, port, transport, username, password, tls=scheme == "turns")
    except Untrusted as err:
        return [Finding("error", "tls-certificate",
                        f"coturn's TLS certificate at {where} is not trusted ({err}): browsers refuse it too; "
                        f"give coturn a certificate from a public CA that names {host} (cert= and pkey= in "
                        f"turnserver.conf)")]
    except NoAnswer as err:
        if transport == "udp":
            try:
                alloc(host, port, "tcp", username, password)
                return [Finding("error", "udp-blocked",
                                f"TURN over UDP does not answer at {where} but TCP does: UDP is blocked "
                                f"between here and coturn (open UDP {port} and coturn's relay ports)")]
            except NoAnswer:
                pass
        return [Finding("error", "turn-down",
                        f"coturn does not answer at {where} ({err}): is it running, and is the port open?")]
    if "error" in got:
        code, reason = got["error"]
        if code == 401:
            retry = alloc(host, port, transport, *turn_credentials(secret, "tlc-doctor", now + FUTURE_S, ttl),
                          tls=scheme == "turns")
            if "relayed" in retry:
                return [Finding("error", "clock",
                                f"coturn at {where} refuses the credentials as expired: this server's clock is "
                                f"behind coturn's by more than TURN_TTL ({ttl} s); set both clocks right (NTP)")]
            return [Finding("error", "secret",
                            f"TURN_SECRET does not match coturn's static-auth-secret (coturn at {where} "
                            f"answered {code} {reason})")]
        return [Finding("error", "refused", f"coturn at {where} refused the allocation: {code} {reason}")]
    relay_ip, relay_port = got["relayed"]
    host_ip = _host_ip(host)
    if _private(relay_ip) and not (host_ip and _private(host_ip)):
        return [Finding("error", "private-relay",
                        f"coturn advertises {relay_ip}: set external-ip (its public address) in "
                        f"turnserver.conf, or browsers outside its network cannot reach the relay")]
    return [Finding("ok", "relay", f"TURN at {where} relays from {relay_ip}:{relay_port}")]


def diagnose(config, now=None, alloc=allocate):
    """Every finding for this server's TURN setup (`now`: the clock the credentials use)."""
    now = time.time() if now is None else now
    urls = list(config.get("TURN_URLS") or [])  # the ones with credentials from TURN_SECRET
    if not urls:
        return [Finding("warning", "no-turn", "no TURN configured: calls between networks that block "
                        "direct paths will fail (set TURN_URLS and TURN_SECRET)")]
    if not config.get("TURN_SECRET"):
        return [Finding("error", "no-secret", "TURN_URLS is set but TURN_SECRET is not: browsers get no "
                        "TURN credentials")]
    found = []
    for url in urls:
        found += check_url(url, config["TURN_SECRET"], config["TURN_TTL"], now, alloc)
    return found


def at_start(config, spawn):
    """The doctor once, in a background task made by `spawn` (the server's own: a green
    thread under eventlet), so the start neither waits for it nor fails with it: each
    finding is logged, a problem as a WARNING (an ok one as INFO); a doctor that breaks
    is logged too, and that is all."""
    def run():
        try:
            findings = diagnose(config)
        except Exception:  # noqa: BLE001 - the start must not depend on the doctor
            log.warning("the connectivity doctor could not run at start", exc_info=True)
            return
        for finding in findings:
            level = logging.INFO if finding.level == "ok" else logging.WARNING
            log.log(level, "doctor: %s", finding.text, extra={"code": finding.code})
    return spawn(run)


def admins(config):
    """ADMINS as a set of lower-case account names (usernames are not case-sensitive)."""
    names = config.get("ADMINS") or ""
    names = names.split(",") if isinstance(names, str) else names
    return {str(n).strip().lower() for n in names if str(n).strip()}


def init_app(app):
    import click
    from flask import abort, g, render_template

    @app.get("/doctor")
    def doctor_page():
        """The operators' page: only accounts named in ADMINS; anyone else gets a 404."""
        user = getattr(g, "user", None)
        if not (user and user.is_account and user.username.lower() in admins(app.config)):
            abort(404)
        return render_template("doctor.html", findings=diagnose(app.config))

    @app.cli.command("doctor")
    def doctor_command():
        """Test this server's TURN setup as a browser abroad would; exit 1 on a failure."""
        findings = diagnose(app.config)
        for finding in findings:
            click.echo(str(finding))
        if any(f.level == "error" for f in findings):
            raise SystemExit(1)

