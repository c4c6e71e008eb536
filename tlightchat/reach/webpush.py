"""Web Push on the wire, with the `cryptography` package only: the message encryption
of RFC 8291 (aes128gcm, RFC 8188) and the VAPID signature of RFC 8292.

    body, headers = encrypted_request(payload, p256dh, auth, vapid_key, endpoint, subject)

`p256dh` and `auth` are the subscription's keys (base64url, as the browser's
PushSubscription.toJSON() gives them); `vapid_key` is this server's P-256 private key.
"""
import base64
import hashlib
import hmac
import json
import os
import time
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

RECORD_SIZE = 4096


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_bytes(key):
    """A P-256 public key as the 65-byte uncompressed point."""
    return key.public_key().public_bytes(serialization.Encoding.X962,
                                         serialization.PublicFormat.UncompressedPoint)


def _hkdf(salt, ikm, info, length):
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()[:length]


def encrypt(payload, p256dh, auth, salt=None, server_key=None):
    """The aes128gcm body of RFC 8291 §4 for one subscription (one record)."""
    ua_public = unb64url(p256dh)
    auth_secret = unb64url(auth)
    server_key = server_key or ec.generate_private_key(ec.SECP256R1())
    as_public = public_bytes(server_key)
    ua_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), ua_public)
    shared = server_key.exchange(ec.ECDH(), ua_key)
    ikm = _hkdf(auth_secret, shared, b"WebPush: info\x00" + ua_public + as_public, 32)
    salt = salt or os.urandom(16)
    cek = _hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = _hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
    sealed = AESGCM(cek).encrypt(nonce, payload + b"\x02", None)  # \x02: the last record
    return salt + RECORD_SIZE.to_bytes(4, "big") + bytes([len(as_public)]) + as_public + sealed


def vapid_authorization(endpoint, key, subject, now=None, ttl=12 * 3600):
    """The `Authorization: vapid t=…, k=…` header of RFC 8292 for this endpoint's origin."""
    parts = urlsplit(endpoint)
    claims = {"aud": f"{parts.scheme}://{parts.netloc}", "exp": int((now or time.time()) + ttl),
              "sub": subject}
    head = b64url(json.dumps({"typ": "JWT", "alg": "ES256"}, separators=(",", ":")).encode())
    body = b64url(json.dumps(claims, separators=(",", ":")).encode())
    signed = f"{head}.{body}".encode("ascii")
    r, s = decode_dss_signature(key.sign(signed, ec.ECDSA(hashes.SHA256())))
    token = f"{head}.{body}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"
    return f"vapid t={token}, k={b64url(public_bytes(key))}"


def encrypted_request(payload, p256dh, auth, key, endpoint, subject, ttl=30):
    """(body, headers) of the POST to a push service. `ttl`: seconds the push service
    may hold it (a ring is worth nothing after the ring timeout)."""
    body = encrypt(payload, p256dh, auth)
    return body, {"Content-Encoding": "aes128gcm", "Content-Type": "application/octet-stream",
                  "TTL": str(int(ttl)), "Urgency": "high",
                  "Authorization": vapid_authorization(endpoint, key, subject)}


def load_or_make_key(path):
    """The server's VAPID key: made on first start into `path` (instance/), kept 0600."""
    try:
        with open(path, "rb") as f:
            return serialization.load_pem_private_key(f.read(), password=None)
    except FileNotFoundError:
        pass
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return key
