"""Issue 23, item 5, in a cluster: a session ended on one node closes its sockets on
every node (the word goes through the cluster's log, hub.end_sessions)."""
from e2e.services import wait_for

from .cluster_support import nodes, redis_server, redis_url  # noqa: F401  (fixtures)
from .conftest import Tab, form_token
from .test_accounts import register
from .test_sessions import COOKIE


def test_signing_out_on_one_node_closes_the_sessions_sockets_on_another(nodes):  # noqa: F811
    n1, n2 = nodes("n1"), nodes("n2")
    home = n1.test_client()
    home.get("/")
    assert register(home, "alice").status_code == 302
    elsewhere = n2.test_client()  # the same cookie, served by the other node
    elsewhere.set_cookie(COOKIE, home.get_cookie(COOKIE).value)
    far = Tab(n2, browser=elsewhere)
    near = Tab(n1, browser=home)
    assert far.user_id == near.user_id
    response = home.post("/logout", data={"csrf_token": form_token(home, "/logout"),
                                          "everywhere": "1"})
    assert response.status_code == 302
    assert not near.sio.is_connected()
    wait_for(lambda: not far.sio.is_connected(), 10.0, "the other node closes the socket")
