"""The standalone chat page (/chat); the call page includes the same panel."""
from flask import Blueprint, render_template

bp = Blueprint("chat", __name__)


@bp.get("/chat")
def chat_page():
    return render_template("chat.html")
