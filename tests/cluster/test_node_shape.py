"""The shape issue 25 gave the realtime layer: the hub handles one event, the node's
duties live in tlightchat/cluster/ behind one interface (cluster/node.py), and create_app
is the only place that picks the one-process or the cluster implementation."""
import os
import re

from tlightchat import create_app, parts
from tlightchat.cluster.member import ClusterNode
from tlightchat.cluster.node import LocalNode

from tests.support.paths import ROOT

REALTIME = os.path.join(ROOT, "tlightchat", "realtime")


def test_without_redis_create_app_picks_the_one_process_node(database_url):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True})
    node = parts(app).node
    assert type(node) is LocalNode
    assert parts(app).context.node is node and parts(app).life.node is node
    parts(app).close()


def test_with_redis_create_app_picks_the_cluster_node(nodes):  # noqa: F811
    app = nodes("n1")
    node = parts(app).node
    assert type(node) is ClusterNode and node.name == "n1"
    assert parts(app).context.node is node and parts(app).life.node is node


def test_create_app_and_the_pages_ask_no_one_which_deployment_they_have():
    """cluster.from_config gives `Alone` or `Cluster`, which answer the same questions
    (node, limiters, WSGI layer): create_app and the web layer hold no `if cluster`."""
    files = [os.path.join(ROOT, "tlightchat", "__init__.py")] + [
        os.path.join(ROOT, "tlightchat", "web", n)
        for n in sorted(os.listdir(os.path.join(ROOT, "tlightchat", "web"))) if n.endswith(".py")]
    found = [f"{os.path.relpath(path, ROOT)}:{number}: {line.strip()}"
             for path in files for number, line in enumerate(open(path, encoding="utf-8"), 1)
             if re.search(r"\bif\b.*\bcluster\b|\bcluster\b.*\belse\b", line.split("#")[0])]
    assert found == []


def test_the_realtime_layer_has_no_cluster_branch_and_does_not_import_the_cluster():
    found = []
    for name in sorted(os.listdir(REALTIME)):
        if not name.endswith(".py"):
            continue
        with open(os.path.join(REALTIME, name), encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if re.search(r"if .*cluster", line) or \
                        re.search(r"^\s*(from|import)\s+\S*cluster", line):
                    found.append(f"{name}:{number}: {line.strip()}")
    assert found == []
