"""Issue 24, item 5: while the database is down a connect is refused with the documented
`unavailable` + `retryAfterMs` (the browser waits and retries), never a closed socket
with no code and a traceback in the log."""
import requests
import socketio

from e2e.conftest import Server


def test_a_first_socket_while_the_database_is_down_is_refused_unavailable(postgres):
    database = postgres.create_database()
    srv = Server({"TLC_DATABASE_URL": postgres.url(database), "TLC_LOG_LEVEL": "INFO"})
    try:
        srv.start()
        http = requests.Session()
        http.get(srv.url + "/").raise_for_status()  # a new visitor: its guest row waits
        postgres.drop_database(database)            # for its first socket; the DB is gone
        sio = socketio.Client(http_session=http, reconnection=False)
        refused = []
        sio.on("connect_error", refused.append)
        try:
            sio.connect(srv.url, transports=["websocket"], wait_timeout=10)
        except socketio.exceptions.ConnectionError:
            pass
        assert len(refused) == 1, refused
        data = refused[0]["data"]
        assert data["code"] == "unavailable" and data["retryAfterMs"] > 0, data
        assert "Traceback" not in srv.log()
    finally:
        srv.stop()
        srv.cleanup()
        postgres.drop_database(database)
