"""Issue 24, item 7: a cluster node's graceful stop (SIGTERM) with long-polling clients
behind nginx (deploy/nginx-cluster.conf) is as fast as one process's. It waited for
every socket's queue to be written out, but a polling socket is written only by its
next GET, which goes to another node once the listener is closed, while news of the
clients moving there kept filling the queues: 9.8 s, to the deadline."""
import signal
import time

import requests
import socketio

from e2e.conftest import Server
from e2e.services import ClusterNginx, Redis, free_port


def test_a_cluster_node_with_polling_clients_stops_at_once(postgres):
    redis = Redis().start()
    database = postgres.create_database()
    env = {"TLC_DATABASE_URL": postgres.url(database), "TLC_REDIS_URL": redis.url,
           "TLC_SECRET_KEY": "cluster-stop-secret"}
    nodes, proxy, clients = [], None, []
    try:
        nodes = [Server({**env, "TLC_NODE_ID": name}).start() for name in ("n5001", "n5002")]
        proxy = ClusterNginx([n.port for n in nodes] + [free_port()]).start()
        closing = []
        for i in range(6):
            http = requests.Session()
            http.cookies.set("tlc_node", "n5001")  # all on the node that stops
            http.get(proxy.url + "/").raise_for_status()
            sio = socketio.Client(http_session=http)
            sio.on("session:closing", closing.append)
            sio.connect(proxy.url, transports=["polling"] if i % 2 else ["polling", "websocket"],
                        wait_timeout=10)
            clients.append(sio)
        started = time.monotonic()
        nodes[0].proc.send_signal(signal.SIGTERM)
        assert nodes[0].proc.wait(15) == 0
        took = time.monotonic() - started
        assert took < 3.0, f"the stop took {took:.2f} s"
        assert closing, "the clients were told"
    finally:
        for sio in clients:
            try:
                sio.disconnect()
            except Exception:
                pass
        if proxy is not None:
            proxy.stop()
        for srv in nodes:
            srv.stop()
            srv.cleanup()
        redis.stop()
        postgres.drop_database(database)
