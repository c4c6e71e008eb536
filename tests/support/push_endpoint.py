"""A push service on loopback for the Web Push tests (issue 27.3): it plays the browser
vendor's service. A test makes a subscription (its own P-256 key pair and auth secret,
as a browser does), the server sends to `endpoint`, and this side checks the request as
a push service and the browser would: the VAPID JWT (RFC 8292: ES256 over the server's
public key `k`, `aud` = this origin, `exp` in the future within 24 h) and the body,
decrypted with the subscription's private key (RFC 8291, aes128gcm). Written from the
RFCs, apart from the server's code (which it must not share)."""
import base64
import hashlib
import hmac
import json
import queue
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hkdf(salt, ikm, info, length):
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()[:length]


class Subscription:
    """A browser's side of one subscription."""

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.public = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        self.auth = __import__("os").urandom(16)

    def as_json(self):
        return {"endpoint": self.endpoint, "keys": {"p256dh": _b64(self.public), "auth": _b64(self.auth)}}

    def decrypt(self, body):
        salt, rs, idlen = body[:16], int.from_bytes(body[16:20], "big"), body[20]
        as_public, sealed = body[21:21 + idlen], body[21 + idlen:]
        assert rs >= 18 and len(sealed) <= rs
        shared = self.key.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), as_public))
        ikm = _hkdf(self.auth, shared, b"WebPush: info\x00" + self.public + as_public, 32)
        cek = _hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
        nonce = _hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
        plain = AESGCM(cek).decrypt(nonce, sealed, None).rstrip(b"\x00")
        assert plain.endswith(b"\x02"), "the last record's delimiter"
        return plain[:-1]


def check_vapid(header, origin, server_public=None):
    """The claims of a valid `vapid t=…, k=…` header; AssertionError otherwise."""
    assert header.startswith("vapid "), header
    fields = dict(part.strip().split("=", 1) for part in header[6:].split(","))
    token, k = fields["t"], _unb64(fields["k"])
    if server_public is not None:
        assert k == server_public, "signed with another key than the server publishes"
    head, claims, signature = token.split(".")
    assert json.loads(_unb64(head)) == {"typ": "JWT", "alg": "ES256"}
    raw = _unb64(signature)
    assert len(raw) == 64
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), k)
    try:
        public.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
                      f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise AssertionError("VAPID signature does not verify") from None
    claims = json.loads(_unb64(claims))
    assert claims["aud"] == origin, claims
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600, claims
    assert claims["sub"].startswith(("mailto:", "https:")), claims
    return claims


class PushEndpoint:
    """A push service on 127.0.0.1: `subscribe(status=201)` makes a subscription whose
    endpoint answers `status`; `received.get(timeout)` gives (subscription, claims,
    payload, headers) of each message, checked and decrypted."""

    def __init__(self, server_public=None):
        self.subscriptions, self.status = {}, {}
        self.received, self.errors = queue.Queue(), []
        self.server_public = server_public
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                sub = outer.subscriptions.get(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    assert sub is not None, f"no subscription at {self.path}"
                    assert self.headers["Content-Encoding"] == "aes128gcm"
                    assert int(self.headers["TTL"]) > 0
                    claims = check_vapid(self.headers["Authorization"], outer.origin, outer.server_public)
                    outer.received.put((sub, claims, sub.decrypt(body), {k.lower(): v for k, v in self.headers.items()}))
                except Exception as err:  # said to the test, answered 400 like a push service
                    outer.errors.append(err)
                    self.send_response(400)
                    self.end_headers()
                    return
                self.send_response(outer.status.get(self.path, 201))
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def subscribe(self, status=201):
        path = f"/push/{_b64(__import__('os').urandom(12))}"
        sub = self.subscriptions[path] = Subscription(self.origin + path)
        self.status[path] = status
        return sub

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def push_app(database_url):
    """An app whose push sends go to loopback (PUSH_INSECURE_HOSTS) and are made before
    the event's ack (nothing to wait for). For `pytest.fixture(name="app")(push_app)`."""
    from tlightchat import create_app

    app = create_app({"DATABASE_URL": database_url, "TESTING": True,
                      "PUSH_INSECURE_HOSTS": ["127.0.0.1"]})
    app.extensions["tlightchat"].context.links.push.spawn = lambda fn, *args: fn(*args)
    yield app
    app.extensions["tlightchat"].close()


def push_service(app):
    """This loopback push service, knowing the app's VAPID key: every request it gets is
    checked; none may have failed by the end."""
    key = app.test_client().get("/push/key").get_json()["publicKey"]
    endpoint = PushEndpoint(server_public=_unb64(key))
    yield endpoint
    endpoint.close()
    assert endpoint.errors == []


def maker_with_devices(tab, service, devices=2):
    """Ann made a call link, turned on rings on `devices` devices of `service` and closed
    her page: (ann, link token, subscriptions). `tab` is the tests' tab factory."""
    from tests.support.clients import form_token

    ann = tab()
    ann.anchor = ann.new_anchor("Ann slot")
    token = ann.ask("link:create", {"anchorId": ann.anchor})["token"]
    subs = [service.subscribe() for _ in range(devices)]
    for sub in subs:
        csrf = form_token(ann.browser, "/me")
        answer = ann.browser.post("/me/push", json=sub.as_json(), headers={"X-CSRFToken": csrf})
        assert answer.status_code == 200, answer.get_data(as_text=True)
    ann.sio.disconnect()
    return ann, token, subs
