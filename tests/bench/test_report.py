"""bench/report.py's relay rows: a run that lost clients is not the relay's figure (made-up
results, no timing)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench"))

import report  # noqa: E402


def relay(server, still=1000, mps=5000.0, cpu=1.0):
    return {"ok": True, "server": server, "mode": "eventlet", "connected": 1000,
            "still_connected": still, "throughput_msgs_per_s": mps,
            "cpu_during_throughput": {"server": cpu}, "latency_rate": 1000,
            "latency_p50_ms": 1.0, "latency_p99_ms": 5.0}


def relay_rows(**results):
    return [r for r in report.rows({"results": results}) if r[0].startswith(("relayed", "relay latency"))]


def test_a_whole_run_is_compared_with_bare():
    rows = relay_rows(**{"relay.tlc.eventlet": relay("tlc", mps=6000.0),
                         "relay.bare.eventlet": relay("bare")})
    per_cpu = [r for r in rows if "per server CPU-second" in r[0]]
    assert per_cpu and per_cpu[0][4] == "1.20" and per_cpu[0][5] == "✅"


def test_a_run_that_lost_clients_is_a_failure_not_a_figure():
    # seen: 79 of 1,000 clients left after a set-up on a loaded box, 0 msg/s, "ok"
    rows = relay_rows(**{"relay.tlc.eventlet": relay("tlc", still=79, mps=0.0, cpu=0.01),
                         "relay.bare.eventlet": relay("bare")})
    assert rows and all("tlc lost 921 of 1,000 clients" in r[2] for r in rows)
    assert all(r[5] == "—" for r in rows)  # neither met nor not met
