"""`flask --app app export-offline DIR`: the call page as static files, for any static
host. It opens straight into offline mode (no server: sources, previews and a loopback
test call). URLs in the page are relative, so DIR can be served under any path."""
import os
import shutil

import click
from flask import render_template


def export_offline(app, target):
    os.makedirs(target, exist_ok=True)
    with app.test_request_context("/call"):
        html = render_template("call.html", static_export=True)
    with open(os.path.join(target, "index.html"), "w", encoding="utf-8") as f:
        f.write(html)
    static = os.path.join(target, "static")
    shutil.rmtree(static, ignore_errors=True)
    shutil.copytree(app.static_folder, static)
    return os.path.join(target, "index.html")


def init_app(app):
    @app.cli.command("export-offline")
    @click.argument("target", default="dist-offline")
    def export_offline_command(target):
        """Write the offline call page (index.html + static/) to TARGET."""
        click.echo(f"wrote {export_offline(app, target)}")
