"""Push subscriptions under attack (issue 27.3): the server must not become a request
forwarder. An endpoint that is not a push service's https URL, or names or resolves to a
private, loopback or link-local address, is refused or never sent to."""
import socket

import pytest

from tests.support.clients import form_token
from tests.support.push_endpoint import Subscription


@pytest.fixture
def ann(tab):
    ann = tab()
    ann.new_anchor()
    return ann


def post(ann, body, csrf=True):
    headers = {"X-CSRFToken": form_token(ann.browser, "/me")} if csrf else {}
    return ann.browser.post("/me/push", json=body, headers=headers)


@pytest.mark.parametrize("endpoint", [
    "http://fcm.googleapis.com/fcm/send/x",              # not https
    "https://127.0.0.1/push/x",                           # loopback
    "https://10.0.0.7/push/x", "https://192.168.1.1/x",   # private
    "https://[::1]/x", "https://[fd00::1]/x",             # IPv6 loopback, unique local
    "https://169.254.169.254/latest/meta-data/",          # link-local (cloud metadata)
    "https://evil.example/push",                          # not a push service
    "https://fcm.googleapis.com.evil.example/x",          # a push service's name as a prefix
    "https://user:pw@fcm.googleapis.com/x",               # credentials
    "https://fcm.googleapis.com:8443/x",                  # another port
    "file:///etc/passwd", "gopher://fcm.googleapis.com/", "//fcm.googleapis.com/x", "",
    "https://fcm.googleapis.com/" + "x" * 1100,
])
def test_a_foreign_or_private_endpoint_is_refused(app, ann, endpoint):
    body = Subscription(endpoint).as_json()
    answer = post(ann, body)
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "invalid-payload"
    assert app.extensions["tlightchat"].context.links.push.devices(ann.user_id) == 0


@pytest.mark.parametrize("keys", [{}, {"p256dh": "AAAA", "auth": "AAAA"},
                                  {"p256dh": "B" * 87, "auth": "A" * 22},  # not a curve point
                                  {"p256dh": 5, "auth": None}])
def test_bad_keys_are_refused(app, ann, keys):
    body = {"endpoint": "https://fcm.googleapis.com/fcm/send/abc", "keys": keys}
    assert post(ann, body).status_code == 400


@pytest.mark.parametrize("pad", ["p256dh", "auth"])
def test_keys_with_characters_outside_base64url_are_refused_with_a_sentence(app, ann, pad):
    """The decoder skips them (the key still decodes to 65 bytes) and they would not fit
    the key's column: a 400 that says what a key is, nothing stored."""
    body = Subscription("https://fcm.googleapis.com/fcm/send/abc").as_json()
    body["keys"][pad] += "!" * 200
    answer = post(ann, body)
    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["code"] == "invalid-payload" and "base64url" in error["message"]
    assert app.extensions["tlightchat"].context.links.push.devices(ann.user_id) == 0


def test_without_the_csrf_token_nothing_is_stored(app, ann):
    body = Subscription("https://fcm.googleapis.com/fcm/send/abc").as_json()
    assert post(ann, body, csrf=False).status_code == 400
    assert app.extensions["tlightchat"].context.links.push.devices(ann.user_id) == 0


def test_a_push_service_name_that_resolves_inside_is_never_sent_to(app, ann):
    push = app.extensions["tlightchat"].context.links.push
    sent = []
    push.spawn = lambda fn, *args: fn(*args)
    push.open_url = lambda request, timeout: sent.append(request.full_url)
    push.resolve = lambda host, port, proto=0: [(socket.AF_INET, 1, 6, "", ("10.1.2.3", 443))]
    assert post(ann, Subscription("https://fcm.googleapis.com/fcm/send/abc").as_json()).status_code == 200
    assert push.ring(ann.user_id, "Vera", "r1") == 1
    assert sent == []  # resolved to a private address: no request
    push.resolve = lambda host, port, proto=0: [(socket.AF_INET, 1, 6, "", ("142.250.1.1", 443))]
    push.open_url = lambda request, timeout: sent.append(request.full_url) or _Ok()
    push.ring(ann.user_id, "Vera", "r2")
    assert sent == ["https://fcm.googleapis.com/fcm/send/abc"]


class _Ok:
    status = 201

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_a_redirect_from_a_push_service_is_not_followed():
    from tlightchat.reach.push import _NoRedirects

    assert _NoRedirects().redirect_request(None, None, 302, "Found", {}, "http://10.0.0.1/") is None


def test_one_person_keeps_a_bounded_number_of_devices(app, ann, monkeypatch):
    from tlightchat.reach import push as push_module

    monkeypatch.setattr(push_module, "MAX_DEVICES", 3)
    for i in range(5):
        assert post(ann, Subscription(f"https://fcm.googleapis.com/fcm/send/{i}").as_json()).status_code == 200
    assert app.extensions["tlightchat"].context.links.push.devices(ann.user_id) == 3


def test_a_json_body_that_is_too_large_is_refused(app, ann):
    body = Subscription("https://fcm.googleapis.com/fcm/send/abc").as_json()
    body["pad"] = "x" * 5000
    assert post(ann, body).status_code == 400
