"""The call page declares its whole ES module graph as modulepreload, and the chat
panel's graph is no static part of call-page.js's (issue 14, the page)."""
import re

from tlightchat.web.assets import imports_of, module_graph
from tests.support.modules import STATIC, closure





def test_the_graph_is_every_module_the_entry_reaches():
    graph = module_graph(STATIC, "js/call-entry.js")
    assert graph[0] == "js/call-entry.js" and len(graph) == len(set(graph))
    assert set(graph) == closure("js/call-entry.js")
    assert {"js/call-page.js", "js/chat/panel.js", "vendor/socket.io.esm.min.js"} <= set(graph)
    # what runs at start first, the chat panel's graph (imported later) last
    first_chat = graph.index("js/chat/panel.js")
    assert all(p.startswith("js/chat/") for p in graph[first_chat:]), graph


def test_imports_of_reads_each_form():
    source = ("import * as P from './protocol.js';\nimport {\n  a,\n  b,\n} from \"../x.js\";\n"
              "import './side.js';\nexport { c } from './re.js';\n"
              "// import nothing from './comment.js' here\n"
              "const m = await import('./lazy.js');\nimport { io } from 'bare-name';\n"
              "button.onclick = () => import(/* on demand */ './asked.js');\n")
    assert imports_of(source) == ["./protocol.js", "../x.js", "./side.js", "./re.js",
                                  "./lazy.js", "./asked.js"]
    assert imports_of(source, on_demand=False)[-1] == "./lazy.js"


def test_the_call_page_preloads_exactly_its_graph(app):
    client = app.test_client()
    html = client.get("/call").get_data(as_text=True)
    head = html.split("</head>", 1)[0]
    hrefs = re.findall(r'<link rel="modulepreload" href="([^"]+)">', head)
    paths = [h.split("?", 1)[0].removeprefix("static/") for h in hrefs]
    assert set(paths) == closure("js/call-entry.js") and len(paths) == len(set(paths))
    # the entry as its <script> names it; every module by its versioned URL, the one
    # the import map resolves its imports to (tests/web/test_importmap.py)
    script = re.search(r'<script type="module" src="([^"]*call-entry[^"]*)"', html).group(1)
    assert hrefs[0] == script
    for href in hrefs:
        assert "?v=" in href
        response = client.get("/" + href)
        assert response.status_code == 200 and "immutable" in response.headers["Cache-Control"]


def test_the_chat_panel_is_no_static_import_of_the_call_page():
    """Its graph used to run before call-page.js's body; now call-page.js imports it
    dynamically, after the first render."""
    static_graph = closure("js/call-page.js", dynamic=False)
    assert not any(p.startswith("js/chat/") for p in static_graph), sorted(static_graph)
    assert "js/chat/panel.js" in closure("js/call-page.js")


def test_what_a_first_call_does_not_need_loads_on_demand_only():
    """Not preloaded (the first load fetched the connection check's 2.7 KB for a button
    most visits never press; issue 33.2: offline mode, file transfers, call links and
    knocking, Report's dialog, an operator's warning too), but in the on-demand graph, which the import map and the service
    worker cover."""
    preloaded = set(module_graph(STATIC, "js/call-entry.js"))
    everything = module_graph(STATIC, "js/call-entry.js", on_demand=True)
    assert "js/connectivity.js" not in preloaded
    assert set(everything) == closure("js/call-entry.js", on_demand=True)
    assert set(everything) - preloaded == {
        "js/connectivity.js", "js/offline.js", "js/safety/report.js", "js/safety/report-payload.js", "js/safety/warning.js",
        "js/files/transfers.js", "js/files/sender.js", "js/files/receiver.js", "js/files/sha256.js",
        "js/files/ends.js", "js/views/file-card.js",
        "js/reach/call-links.js", "js/reach/accept-ring.js", "js/reach/knock.js", "js/views/knock-asks.js"}
    assert everything[:len(preloaded)] == module_graph(STATIC, "js/call-entry.js")


def test_the_service_worker_keeps_the_on_demand_modules_too():
    """The worker keeps every module of the page, those loaded on demand too: an
    installed app opens its call page without the network."""
    from tlightchat.web.install import kept_files

    on_demand = set(module_graph(STATIC, "js/call-entry.js", on_demand=True))
    assert "js/connectivity.js" in on_demand and on_demand <= set(kept_files(STATIC))
