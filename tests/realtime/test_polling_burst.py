"""A polling POST carrying a burst of events is decoded whole (polling.allow_burst): before,
python-engineio dropped any POST of more than 16 packets, every event in it unanswered — a
page reloaded mid-call in a group call lost its candidates (e2e/test_group_call.py, Firefox)."""
import pytest
from engineio.payload import Payload


def test_a_polling_post_of_a_burst_of_events_is_decoded(app):
    burst = app.config["RATE_LIMIT_BURST"]
    body = "\x1e".join(f'42{n}["call:signal",{{}}]' for n in range(burst))
    assert len(Payload(encoded_payload=body).packets) == burst
    over = Payload.max_decode_packets + 1  # still bounded (the largest burst any app here allowed)
    with pytest.raises(ValueError):
        Payload(encoded_payload="\x1e".join(f'42{n}["call:signal",{{}}]' for n in range(over)))
