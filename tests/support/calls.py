"""Call helpers over test clients: ring, connect, drop and come back, restart."""
from tests.support.clients import FakeClock, Tab
from tlightchat import create_app

def sid_of(life, tab_):
    return next(sid for sid, cid in life.connections.clients.items() if cid == tab_.client_id)


def ring(ann, bob):
    ack = ann.ask("call:invite", {"fromAnchorId": ann.anchor, "toAnchorId": bob.anchor})
    assert ack["ok"], ack
    return ack["invitationId"]


def connect(ann, bob):
    inv = ring(ann, bob)
    call_id = bob.ask("call:accept", {"invitationId": inv})["callId"]
    ann.clear(), bob.clear()
    return call_id


def drop(life, tab_, reason="transport close"):
    """The network vanished under this tab: the server sees the transport close."""
    life.disconnect(sid_of(life, tab_), reason)


def come_back(app, tab_, **auth):
    return Tab(app, browser=tab_.browser, auth={"resume": tab_.welcome["resumeToken"], **auth})


def restarted(tmp_path, app):
    """A new server process: same secret and database, empty memory."""
    fresh = create_app({"DATABASE_URL": app.config["DATABASE_URL"] or f"sqlite:///{tmp_path}/t.db",
                        "TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"]})
    fresh.extensions["tlightchat"].life.ctx.clock = FakeClock()
    return fresh


def resume_auth(tab_, call_id, anchor, peer_anchor, initiator):
    return {"resume": tab_.welcome["resumeToken"],
            "anchors": [{"anchorId": anchor, "name": "Slot", "online": True}],
            "calls": [{"callId": call_id, "anchorId": anchor, "peerAnchorId": peer_anchor,
                       "initiator": initiator}]}
