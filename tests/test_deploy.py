"""Serving behind proxies (prefix header, prefix mount), transports, structured logs."""
import json
import logging

from tlightchat import create_app


def make(tmp_path, **config):
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/d.db", **config})


def handshake(client, path):
    response = client.get(f"{path}/socket.io/?EIO=4&transport=polling")
    assert response.status_code == 200, response.status_code
    return json.loads(response.get_data(as_text=True)[1:])


def test_stripping_proxy_with_forwarded_prefix_gets_prefixed_links(tmp_path):
    app = make(tmp_path)
    page = app.test_client().get("/call", headers={"X-Forwarded-Prefix": "/port3000"})
    assert 'href="/port3000/static/css/app.css"' in page.get_data(as_text=True)


def test_url_prefix_mounts_pages_static_and_socketio_under_it(tmp_path):
    app = make(tmp_path, URL_PREFIX="/port3000")
    client = app.test_client()
    assert client.get("/port3000/call").status_code == 200
    assert client.get("/call").status_code == 404
    assert client.get("/port3000/static/vendor/socket.io.esm.min.js").status_code == 200
    assert handshake(client, "/port3000")["sid"]
    assert client.get("/socket.io/?EIO=4&transport=polling").status_code == 404


def test_polling_only_is_enforced_by_the_server(tmp_path):
    app = make(tmp_path, TRANSPORTS=["polling"])
    assert handshake(app.test_client(), "")["upgrades"] == []
    both = make(tmp_path, TRANSPORTS=["polling", "websocket"])
    assert handshake(both.test_client(), "")["upgrades"] == ["websocket"]


def test_json_logs_one_line_per_event_with_ids_and_no_bodies(tmp_path, tab, capfd):
    app = make(tmp_path, LOG_FORMAT="json", LOG_LEVEL="INFO")
    from tests.conftest import Tab
    ann = Tab(app)
    secret_name = "Zanzibar-secret"
    ann.ask("anchor:create", {"name": secret_name})
    ann.ask("anchor:rename", {"anchorId": "nope", "name": "x"})
    logging.getLogger().handlers[-1].flush()
    lines = [json.loads(l) for l in capfd.readouterr().err.splitlines() if l.startswith("{")]
    events = [l for l in lines if l.get("msg") == "client event"]
    assert [(e["event"], e["ok"]) for e in events][-2:] == [("anchor:create", True),
                                                           ("anchor:rename", False)]
    assert events[-1]["code"] == "not-found" and events[-1]["anchor"] == "nope"
    assert all(e["client"] == ann.client_id for e in events[-2:])
    assert secret_name not in "\n".join(json.dumps(l) for l in lines)
