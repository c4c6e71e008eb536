"""A person on a real server process (python-socketio client with the guest cookie)."""
import threading

import requests
import socketio


class Person:
    def __init__(self, url):
        self.http = requests.Session()
        self.http.get(url + "/").raise_for_status()  # the guest identity cookie
        self.url = url
        self.connect()

    def connect(self):
        self.sio = socketio.Client(http_session=self.http, reconnection=False)
        welcome = threading.Event()
        self.sio.on("session:welcome", lambda data: (setattr(self, "welcome", data), welcome.set()))
        self.sio.connect(self.url, transports=["websocket"], wait_timeout=10)
        assert welcome.wait(10)
        self.id = self.welcome["user"]["id"]

    def ask(self, event, payload=None, timeout=10):
        return self.sio.call(event, payload, timeout=timeout)

    def history(self, peer):
        texts, before = [], None
        while True:
            payload = {"with": peer, "limit": 100, **({"before": before} if before else {})}
            page = self.ask("chat:history", payload)
            assert page["ok"], page
            texts = [m["clientMsgId"] for m in page["messages"]] + texts
            if not page["hasMore"]:
                return texts
            before = page["messages"][0]["id"]
