"""The prepared ring (docs/protocol.md): an offer and answer, and a ring that carries the offer."""
from tests.support.sdp_samples import HOST


OFFER = {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"}


ANSWER = {"type": "answer", "sdp": "v=0\r\no=- 3 4 IN IP4 0.0.0.0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                                   f"a={HOST}\r\n"}


def invite(ann, bob, **extra):
    return ann.ask("call:invite", {"fromAnchorId": ann.anchor, "toAnchorId": bob.anchor, **extra})
