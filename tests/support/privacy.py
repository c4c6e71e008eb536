"""Address-privacy helpers: an app with TURN, a call started, a side hidden (relay-only)."""
from tests.support.clients import form_token
from tests.support.sdp_samples import RELAY_ADDRESS
from tlightchat import create_app


def candidates_sdp(*candidates):
    lines = ["v=0", "o=- 1 2 IN IP4 0.0.0.0", "m=audio 9 UDP/TLS/RTP/SAVPF 111"]
    lines += [f"a={c}" for c in candidates] + ["a=end-of-candidates"]
    return "\r\n".join(lines) + "\r\n"


def turn_app(database_url, **extra):
    return create_app({"DATABASE_URL": database_url, "TESTING": True,
                       "TURN_URLS": ["turn:127.0.0.1:3478?transport=udp"],
                       "TURN_SECRET": "s", "TURN_RELAY_ADDRESSES": [RELAY_ADDRESS], **extra})


def start_call(ann, bob):
    ann.anchor, bob.anchor = ann.new_anchor(), bob.new_anchor()
    inv = ann.ask("call:invite", {"fromAnchorId": ann.anchor, "toAnchorId": bob.anchor})["invitationId"]
    call_id = bob.ask("call:accept", {"invitationId": inv})["callId"]
    [a], [b] = ann.events("call:started"), bob.events("call:started")
    return call_id, a, b


def hide(tab_):
    token = form_token(tab_.browser, "/me")
    response = tab_.browser.post("/me", data={"csrf_token": token, "form": "privacy",
                                                 "hideAddress": "on"})
    assert response.status_code == 302, response.get_data(as_text=True)
