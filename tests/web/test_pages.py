"""Pages, identity cookie, health check."""
import re

import pytest

from tests.support.clients import form_token


@pytest.mark.parametrize("path, text", [
    ("/", "Video calls and chat"),
    ("/about", "About TLightChat"),
    ("/call", "<main"),
    ("/me", "Display name"),
])
def test_pages_render_in_the_layout(app, path, text):
    response = app.test_client().get(path)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert text in body and 'class="topbar"' in body


def test_old_call_url_redirects(app):
    response = app.test_client().get("/WebrtcVideoCommunication")
    assert response.status_code == 301 and response.location == "call"


def test_real_404_page(app):
    response = app.test_client().get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


@pytest.mark.storage
def test_first_visit_makes_a_guest_that_reloads_keep(app):
    browser = app.test_client()
    first = browser.get("/me").get_data(as_text=True)
    name = re.search(r'value="(Guest-\d{4})"', first).group(1)
    assert name in browser.get("/me").get_data(as_text=True)
    other = app.test_client().get("/me").get_data(as_text=True)
    assert re.search(r'value="(Guest-\d{4})"', other)  # another browser, another guest
    cookie = browser.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None and cookie.http_only


def test_tampered_cookie_gets_a_new_guest(app):
    browser = app.test_client()
    browser.get("/")
    cookie = browser.get_cookie(app.config["SESSION_COOKIE_NAME"])
    browser.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie.value[:-4] + "AAAA")
    assert browser.get("/me").status_code == 200  # works, but as a fresh guest


def test_bad_display_name_is_refused_with_a_clear_message(app):
    browser = app.test_client()
    browser.get("/me")
    response = browser.post("/me", data={"displayName": "   ", "csrf_token": form_token(browser, "/me")})
    assert response.status_code == 400
    assert "Not saved" in response.get_data(as_text=True)


@pytest.mark.storage
def test_healthz(app, tab):
    tab()
    data = app.test_client().get("/healthz").get_json()
    assert data == {"status": "ok", "version": data["version"], "clients": 1, "database": True}


def test_healthz_reports_an_unreachable_database(app, monkeypatch):
    db = app.extensions["tlightchat"].db
    monkeypatch.setattr(db, "probe", lambda: (False, "OperationalError: unable to open"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["database"] is False


@pytest.mark.storage
def test_healthz_does_not_create_guests(app):
    from tlightchat.db import User
    app.test_client().get("/healthz")
    with app.extensions["tlightchat"].db.session() as s:
        assert s.query(User).count() == 0


def test_static_socketio_client_is_served_by_the_app(app):
    response = app.test_client().get("/static/vendor/socket.io.esm.min.js")
    assert response.status_code == 200
    assert len(response.data) > 30_000 and b"export" in response.data  # the ES module build


@pytest.mark.storage
def test_404_shows_a_known_identity_but_makes_no_guest(app):
    from tlightchat.db import User
    browser = app.test_client()
    name = re.search(r'value="(Guest-\d{4})"', browser.get("/me").get_data(as_text=True)).group(1)
    assert name in browser.get("/no/such/page").get_data(as_text=True)
    app.test_client().get("/no/such/page")  # a new visitor probing a wrong URL
    with app.extensions["tlightchat"].db.session() as s:
        assert s.query(User).count() == 0  # page views store no guest; first use does
