"""Registering closes the sockets a guest opened (a copy of the guest cookie on another
device must keep nothing), but this browser's other open tabs carry on as the account
without a reload: the server closes their transports, not their Socket.IO sessions, so
each reconnects by itself with the browser's new cookie and resumes its client. Before,
they got "io server disconnect", which a Socket.IO client never reconnects after.

A real server and real Socket.IO clients: the Flask-SocketIO test client has no
transport to close."""
import re
import threading

import requests
import socketio

from e2e.conftest import Server
from e2e.services import wait_for

COOKIE = "tlc_session"


class BrowserLikeClient(socketio.Client):
    """Notes the server's Socket.IO disconnect ("io server disconnect"), after which the
    browser's Socket.IO client never reconnects by itself."""
    kicked = False

    def _handle_disconnect(self, namespace):
        self.kicked = True
        super()._handle_disconnect(namespace)


class Tab:
    """One open page: reconnects as the browser's Socket.IO client does (after a closed
    transport, not after "io server disconnect"), with its browser's cookies and the
    resume token of its last welcome."""

    def __init__(self, url, http):
        self.url, self.welcomes, self.refusals = url, [], []
        self.sio = BrowserLikeClient(http_session=http, reconnection=False)
        self.sio.on("session:welcome", self.welcomes.append)
        self.sio.on("connect_error", self.refusals.append)
        self.sio.on("disconnect", self._dropped)
        self._connect()
        wait_for(lambda: self.welcomes, 10, "first welcome")

    def _connect(self):
        last = self.welcomes[-1] if self.welcomes else None
        auth = {"protocol": 3, **({"resume": last["resumeToken"]} if last else {})}
        try:
            self.sio.connect(self.url, transports=["websocket"], wait_timeout=10,
                             auth=auth)
        except socketio.exceptions.ConnectionError:
            pass  # refused: connect_error says why

    def _dropped(self, *_reason):
        if not self.sio.kicked:
            threading.Thread(target=self._reconnect, daemon=True).start()

    def _reconnect(self):
        wait_for(lambda: self.sio.eio.state == "disconnected", 10, "the old transport")
        self._connect()

    def close(self):
        self.sio.disconnect()


def register(url, http, username="alice", password="correct horse"):
    form = http.get(url + "/register").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    return http.post(url + "/register", allow_redirects=False, data={
        "username": username, "password": password, "confirm": password,
        "csrf_token": token})


def test_registering_keeps_this_browsers_other_tabs_connected_as_the_account():
    srv = Server({"TLC_LOG_LEVEL": "INFO"})
    tabs = []
    try:
        srv.start()
        browser = requests.Session()
        browser.get(srv.url + "/").raise_for_status()
        copy = requests.Session()  # another device holding a copy of the guest cookie
        copy.cookies.set(COOKIE, browser.cookies.get(COOKIE))
        own, copied = Tab(srv.url, browser), Tab(srv.url, copy)
        tabs += [own, copied]
        guest = own.welcomes[0]
        assert copied.welcomes[0]["user"]["id"] == guest["user"]["id"]
        assert register(srv.url, browser).status_code == 302
        assert browser.cookies.get(COOKIE) != copy.cookies.get(COOKIE)  # a new cookie

        # this browser's tab is back by itself: the same client, now the account's
        wait_for(lambda: len(own.welcomes) == 2, 10, "the open tab reconnects")
        back = own.welcomes[1]
        assert back["resumed"] is True
        assert back["clientId"] == guest["clientId"]
        assert back["user"]["id"] == guest["user"]["id"]
        # python-socketio sets `connected` in the connecting thread once its wait ends,
        # which may be after the welcome arrived on the reading thread: wait for it
        wait_for(lambda: own.sio.connected, 10, "the open tab's client says connected")

        # the copied guest cookie keeps nothing: its reconnect is refused
        wait_for(lambda: copied.refusals, 10, "the copied cookie's reconnect is refused")
        assert copied.refusals[0]["data"]["code"] == "no-session", copied.refusals
        assert len(copied.welcomes) == 1 and not copied.sio.connected
        assert "Traceback" not in srv.log()
    finally:
        for tab in tabs:
            threading.Thread(target=tab.close, daemon=True).start()
        srv.stop()
        srv.cleanup()
