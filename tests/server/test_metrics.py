"""/metrics (Prometheus): off by default, loopback only, and the numbers are the store's."""
import pytest

from tlightchat import create_app

from tests.support.clients import Tab
from tests.support.paths import ROOT


@pytest.fixture
def metered(tmp_path):
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/m.sqlite3", "TESTING": True,
                       "METRICS_ENABLED": True})


def scrape(app, addr="127.0.0.1"):
    return app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": addr})


def sample(text, line_start):
    hits = [line for line in text.splitlines() if line.startswith(line_start + " ")]
    assert len(hits) == 1, (line_start, hits)
    return float(hits[0].rsplit(" ", 1)[1])


def test_metrics_are_off_unless_configured(app):
    assert scrape(app).status_code == 404


def test_metrics_count_events_clients_anchors_calls_and_chat_commits(metered):
    ann, bob = Tab(metered), Tab(metered)
    ann.anchor, bob.anchor = ann.new_anchor("A"), bob.new_anchor("B")
    invite = ann.ask("call:invite", {"fromAnchorId": ann.anchor, "toAnchorId": bob.anchor})
    assert bob.ask("call:accept", {"invitationId": invite["invitationId"]})["ok"]
    assert ann.ask("anchor:rename", {"anchorId": "nope", "name": "x"})["ok"] is False
    assert ann.ask("chat:send", {"to": bob.user_id, "clientMsgId": "m1", "text": "hi"})["ok"]
    ann.ask("no:such-event")

    response = scrape(metered)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert sample(text, 'tlc_clients{state="connected"}') == 2
    assert sample(text, "tlc_users_online") == 2
    assert sample(text, "tlc_anchors_online") == 2
    assert sample(text, 'tlc_calls{state="connecting"}') == 1
    assert sample(text, 'tlc_events_total{event="anchor:create",outcome="ok"}') == 2
    assert sample(text, 'tlc_events_total{event="anchor:rename",outcome="not-found"}') == 1
    assert sample(text, 'tlc_events_total{event="unknown",outcome="unknown-event"}') == 1
    assert sample(text, 'tlc_ack_seconds_count{event="call:accept"}') == 1
    assert sample(text, "tlc_chat_commit_seconds_count") == 1
    assert sample(text, "tlc_storage_failures_total") == 0


def test_metrics_are_not_shown_to_other_addresses(metered):
    assert scrape(metered, "203.0.113.9").status_code == 404


def test_the_grafana_dashboard_charts_only_series_the_app_exports(metered):
    import json
    import os
    import re

    root = ROOT
    with open(os.path.join(root, "deploy", "grafana-dashboard.json")) as f:
        dash = json.load(f)
    assert Tab(metered).ask("me:state")["ok"]  # labelled series appear once used
    exported = set(re.findall(r"^(tlc_\w+?)(?:\{| )", scrape(metered).get_data(as_text=True),
                              re.M))
    charted = {name for p in dash["panels"] for t in p["targets"]
               for name in re.findall(r"\b(tlc_\w+)", t["expr"])}
    assert charted and charted <= exported, charted - exported
