"""The installable app (issue 27.2): the service worker and the page it keeps offline.

GET /sw.js     static/sw.js, served from the site's root so its scope covers /call (a
               worker's scope is at most its own folder), with the list of files it
               keeps first: the call page's whole module graph at its versioned URLs
               (the import map's immutable ones), the stylesheet, the catalogs, the
               icons, and the offline page. `no-cache`: the browser checks it on every
               visit, and a new version of any file is a new worker with a new cache.
GET /offline   the call page as `flask export-offline` writes it: it opens straight into
               offline mode and holds nobody's data (no name, no token), so the worker
               may keep it and answer /call with it when the server cannot be reached.

Nothing a person wrote or received is cached: no page but this one, no socket, no chat.
"""
import hashlib
import json
import mimetypes
import os

from flask import Blueprint, Response, current_app, g, render_template

from .assets import module_graph
from .urls import relative_url_for
from ..version import __version__

mimetypes.add_type("application/manifest+json", ".webmanifest")
KEPT = ["css/app.css", "favicon.svg", "manifest.webmanifest", "icons/icon.svg",
        "icons/icon-192.png", "icons/icon-512.png", "icons/maskable-512.png"]


def kept_files(static_folder):
    """Static files (paths under static/) the worker keeps for offline use."""
    graph = module_graph(static_folder, "js/call-entry.js", on_demand=True)
    catalogs = sorted(f"i18n/{name}" for name in os.listdir(os.path.join(static_folder, "i18n"))
                      if name.endswith(".json"))
    return list(dict.fromkeys([*graph, *KEPT, *catalogs]))


def blueprint():
    bp = Blueprint("install", __name__)

    @bp.get("/sw.js")
    def worker():
        app = current_app
        assets = [relative_url_for("static", filename=path) for path in kept_files(app.static_folder)]
        shell = relative_url_for("install.offline_page")
        version = hashlib.sha256(json.dumps([__version__, shell, assets]).encode()).hexdigest()[:12]
        with open(os.path.join(app.static_folder, "sw.js"), encoding="utf-8") as f:
            body = f.read()
        config = json.dumps({"version": version, "shell": shell, "assets": assets})
        response = Response(f"self.TLC_SW = {config};\n{body}", mimetype="text/javascript")
        response.headers["Cache-Control"] = "no-cache"
        return response

    @bp.get("/offline")
    def offline_page():
        g.user = None  # the page a worker keeps names nobody
        response = Response(render_template("call.html", static_export=True))
        response.headers["Cache-Control"] = "no-cache"
        return response

    return bp
