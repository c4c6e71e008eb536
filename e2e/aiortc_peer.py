"""A WebRTC peer that is not a browser, written from docs/protocol.md alone: aiortc for
the media, python-socketio's AsyncClient (over WebSocket) for the signaling, as a
separate client of the real server. It calls and is called, prepared while it rings or
not ("Prepared while it rings"), records every description it sends and receives, and
computes the call's safety code itself ("Safety codes and trust marks", safety_code()).

Tests drive it from their own thread: AiortcPeer.start() runs an asyncio loop in a
thread, and each method waits for the coroutine it runs there.
"""
import asyncio
import hashlib
import http.cookiejar
import re
import threading
import urllib.request

import socketio
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, VideoStreamTrack
from aiortc.sdp import candidate_from_sdp

from .services import wait_for

# The protocol version this peer speaks (docs/protocol.md, "Versions"): it prepares while
# it rings, or answers the ring's offer after call:started, so it needs no resent offer.
PROTOCOL = 3


def fingerprint(sdp):
    """Step 1 of docs/protocol.md's safety code ("Safety codes and trust marks"): this
    side's `S` — every `a=fingerprint:<hash function> <fingerprint>` line as `F` = "<hash
    function, lower case> <FINGERPRINT, upper case>" (trailing whitespace and the line end
    removed), distinct, sorted, joined by ","; None when there is none."""
    found = set()
    for line in sdp.split("\n"):
        m = re.fullmatch(r"a=fingerprint:(\S+)[ \t]+(\S+)[ \t]*\r?", line)
        if m:
            found.add(f"{m.group(1).lower()} {m.group(2).upper()}")
    return ",".join(sorted(found)) or None


def safety_code(local_sdp, remote_sdp):
    """Steps 2-5: SHA-256 of the two sides' `S` sorted by code unit and joined by one
    "\\n" (UTF-8); n_i = (d[2i] * 256 + d[2i+1]) mod 10000 for i = 0..3, four digits
    each, joined by single spaces. None when a side has no fingerprint. local_sdp as
    this peer sent it, remote_sdp as it received it."""
    own, peer = fingerprint(local_sdp), fingerprint(remote_sdp)
    if own is None or peer is None:
        return None
    digest = hashlib.sha256("\n".join(sorted([own, peer])).encode("utf-8")).digest()
    return " ".join(f"{(digest[2 * i] * 256 + digest[2 * i + 1]) % 10000:04d}" for i in range(4))


_NULL_CONNECTION = {"IP4": "IN IP4 0.0.0.0", "IP6": "IN IP6 ::"}


def _null_connection(value):
    return _NULL_CONNECTION["IP6" if " IP6 " in f" {value} " else "IP4"]


def ring_offer(sdp):
    """An offer for call:invite, from one made after gathering (aiortc gathers before it
    offers): its candidate lines (a=candidate, a=end-of-candidates) dropped and c= and
    a=rtcp set to the null address, so it names no address (docs/protocol.md, "Prepared
    while it rings"); the candidates follow after call:started."""
    keep = []
    for line in sdp.split("\r\n"):
        if line.startswith(("a=candidate:", "a=end-of-candidates")):
            continue
        if line.startswith("c="):
            line = "c=" + _null_connection(line[2:])
        elif line.startswith("a=rtcp:"):
            port = line[len("a=rtcp:"):].split(" ", 1)[0]
            line = f"a=rtcp:{port} {_null_connection(line)}"
        keep.append(line)
    return "\r\n".join(keep)


def gathered_offer():
    """A real audio+video offer as aiortc makes it: gathered, so its candidates and the
    default candidate's address (c=) are in it."""
    async def make():
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        pc.addTrack(AudioStreamTrack())
        pc.addTrack(VideoStreamTrack())
        await pc.setLocalDescription(await pc.createOffer())
        sdp = pc.localDescription.sdp
        await pc.close()
        return sdp

    return asyncio.run(make())


def candidates_of(sdp):
    """call:signal candidates for the a=candidate lines of an SDP, each once (bundled
    sections repeat them): [{candidate, sdpMid, sdpMLineIndex}]."""
    out, seen, index, mid = [], set(), -1, None
    for line in sdp.split("\r\n"):
        if line.startswith("m="):
            index, mid = index + 1, None
        elif line.startswith("a=mid:"):
            mid = line[6:]
        elif line.startswith("a=candidate:") and line[2:] not in seen:
            seen.add(line[2:])
            out.append({"candidate": line[2:], "sdpMid": mid, "sdpMLineIndex": index})
    return out


class AiortcPeer:
    """One client with one online anchor. `prepare`: offer with the invite (caller) or
    answer while it rings (callee); otherwise negotiate after call:started."""

    def __init__(self, url, prepare=True):
        self.url, self.prepare = url, prepare
        self.sent, self.received = [], []  # [(event, description type)]
        self.events = []                   # every call event received: (name, payload)
        self.frames = {"audio": 0, "video": 0}
        self.video_size = (0, 0)
        self.errors = []
        self.pc = self.call_id = self.invitation_id = self.ring = self.pending_offer = None
        self.remote_sdp = None  # the peer's last description, as received (the safety code)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    # -- driving it from a test ---------------------------------------------------------
    def run(self, coro, timeout=20.0):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def start(self):
        self.thread.start()
        self.run(self._start())
        return self

    def stop(self):
        try:
            self.run(self._stop(), 10.0)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)

    def wait(self, condition, timeout=8.0, message=""):
        try:
            return wait_for(condition, timeout, f"aiortc peer: {message}")
        except AssertionError as err:
            raise AssertionError(f"{err}; events {[e for e, _ in self.events]}, "
                                 f"errors {self.errors}") from None

    def call(self, anchor_id):
        return self.run(self._invite(anchor_id))

    def accept(self):
        return self.run(self._accept())

    def code(self):
        """The safety code of the call, from both descriptions (None before both)."""
        if not (self.pc and self.pc.localDescription and self.remote_sdp):
            return None
        return safety_code(self.pc.localDescription.sdp, self.remote_sdp)

    # -- the client ---------------------------------------------------------------------
    async def _start(self):
        # Any page of the site gives the guest identity (docs/protocol.md, "Connecting").
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        await asyncio.to_thread(opener.open, self.url + "/", None, 10)
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        self.lock = asyncio.Lock()
        self.sio = socketio.AsyncClient(reconnection=False)
        welcome = self.loop.create_future()
        self.sio.on("session:welcome", lambda data: welcome.done() or welcome.set_result(data))
        for name in ("call:ring", "call:started", "call:signal", "call:ended",
                     "call:invite-ended", "call:state", "call:peer-state", "error"):
            self.sio.on(name, self._handler(name))
        await self.sio.connect(self.url, headers={"Cookie": cookie}, transports=["websocket"],
                               auth={"leaveOnClose": True, "device": "aiortc peer",
                                     "protocol": PROTOCOL})
        self.welcome = await asyncio.wait_for(welcome, 10)
        self.ice = RTCConfiguration(iceServers=[])  # loopback only: no public STUN server
        created = await self._ask("anchor:create", {"name": "aiortc"})
        self.anchor = created["anchor"]["id"]
        await self._ask("anchor:set-online", {"anchorId": self.anchor, "online": True})

    async def _stop(self):
        if self.pc:
            await self.pc.close()
        await self.sio.disconnect()

    async def _ask(self, event, payload):
        ack = await self.sio.call(event, payload, timeout=10)
        if not ack.get("ok"):
            self.errors.append((event, ack))
            raise AssertionError(f"{event} refused: {ack}")
        return ack

    def _handler(self, name):
        async def handle(data):
            self.events.append((name, data))
            # python-socketio runs each packet's handler as its own task: take them one
            # at a time, in arrival order (asyncio.Lock is FIFO), as the protocol orders them
            async with self.lock:
                await self._dispatch(name, data)
        return handle

    async def _dispatch(self, name, data):
        try:
            await getattr(self, "_on_" + name.replace("call:", "").replace("-", "_"),
                          self._ignore)(data)
        except Exception as err:  # keep serving; the test reads self.errors
            self.errors.append((name, repr(err)))

    async def _ignore(self, data):
        if isinstance(data, dict) and "error" in data and "event" in data:
            self.errors.append(("error", data))

    _on_error = _ignore

    # -- media --------------------------------------------------------------------------
    def _new_pc(self):
        pc = RTCPeerConnection(self.ice)
        pc.on("track", lambda track: asyncio.ensure_future(self._consume(track)))
        pc.on("connectionstatechange", lambda: asyncio.ensure_future(self._report()))
        self.pc = pc
        return pc

    def _add_tracks(self):
        self.pc.addTrack(AudioStreamTrack())
        self.pc.addTrack(VideoStreamTrack())

    async def _consume(self, track):
        try:
            while True:
                frame = await track.recv()
                self.frames[track.kind] += 1
                if track.kind == "video":
                    self.video_size = (frame.width, frame.height)
        except MediaStreamError:
            pass

    async def _report(self):
        if self.call_id and self.pc.connectionState == "connected":
            await self._ask("call:media", {"callId": self.call_id, "flowing": True})

    async def _describe(self, kind):
        """Make and apply an offer or answer (aiortc gathers all candidates here)."""
        made = await (self.pc.createOffer() if kind == "offer" else self.pc.createAnswer())
        await self.pc.setLocalDescription(made)
        return {"type": kind, "sdp": self.pc.localDescription.sdp}

    async def _send_description(self, description):
        self.sent.append(("call:signal", description["type"]))
        await self._ask("call:signal", {"callId": self.call_id, "description": description})

    async def _apply(self, description):
        await self.pc.setRemoteDescription(RTCSessionDescription(**description))
        self.remote_sdp = description["sdp"]  # as received (aiortc's remoteDescription is re-serialized)

    # -- caller -------------------------------------------------------------------------
    async def _invite(self, anchor_id):
        self._new_pc()
        self._add_tracks()
        payload = {"fromAnchorId": self.anchor, "toAnchorId": anchor_id}
        if self.prepare:
            offer = await self._describe("offer")
            payload["offer"] = {"type": "offer", "sdp": ring_offer(offer["sdp"])}
            self.sent.append(("call:invite", "offer"))
        ack = await self._ask("call:invite", payload)
        self.invitation_id = ack.get("invitationId")
        self._no_relay_only(ack)
        return ack

    def _no_relay_only(self, said):
        """This peer gathers with every address (the e2e servers have no TURN): a
        relay-only side is a setup it cannot honour, reported, never ignored."""
        if said.get("relayOnly"):
            self.errors.append(("relayOnly", "this peer cannot gather relay candidates only"))

    async def _on_started(self, data):
        self.call_id = data["callId"]
        self._no_relay_only(data)
        await self._ask("call:peer-state", {"callId": self.call_id, "audio": True, "video": True})
        if data["initiator"]:
            if self.prepare:  # the offer went with the invite; its candidates follow now
                for candidate in candidates_of(self.pc.localDescription.sdp):
                    await self._ask("call:signal", {"callId": self.call_id, "candidate": candidate})
            else:
                await self._send_description(await self._describe("offer"))
        elif self.pending_offer is not None:  # a callee that did not prepare answers now
            await self._answer(self.pending_offer)
            self.pending_offer = None
        await self._report()

    async def _on_signal(self, data):
        description, candidate = data.get("description"), data.get("candidate")
        if description:
            self.received.append(("call:signal", description["type"]))
            if description["type"] == "offer":
                await self._answer(description)
            else:
                await self._apply(description)
        elif candidate and candidate.get("candidate"):
            parsed = candidate_from_sdp(candidate["candidate"].split(":", 1)[1])
            parsed.sdpMid, parsed.sdpMLineIndex = candidate.get("sdpMid"), candidate.get("sdpMLineIndex")
            await self.pc.addIceCandidate(parsed)

    # -- callee -------------------------------------------------------------------------
    async def _on_ring(self, data):
        self.ring = data
        self.invitation_id = data["invitationId"]
        self._no_relay_only(data)
        offer = data.get("offer")
        if offer:
            self.received.append(("call:ring", "offer"))
        if offer and self.prepare:
            self._new_pc()
            await self._apply(offer)   # first the offer, then only the kinds it has
            self._add_tracks()
            self.prepared_answer = await self._describe("answer")  # held until Accept
        else:
            self.pending_offer = offer

    async def _answer(self, offer):
        if self.pc is None:
            self._new_pc()
            await self._apply(offer)
            self._add_tracks()
        else:
            await self._apply(offer)
        await self._send_description(await self._describe("answer"))

    async def _accept(self):
        payload = {"invitationId": self.invitation_id}
        if self.prepare and self.ring.get("offer"):
            payload["answer"] = self.prepared_answer
            self.sent.append(("call:accept", "answer"))
        return await self._ask("call:accept", payload)

    async def _on_ended(self, data):
        if self.pc:
            await self.pc.close()
