"""Files in a call (issue 29), between two real browsers: the file arrives with the same
SHA-256 (checked by the page and again here), a transfer survives a forced ICE restart,
a cancel on either side stops both, so does the call's end, and a relay-only call through
coturn carries one.
Screenshots of the offer, the progress and the result at 1366x800 and 390x844; axe 0
serious in each state.

Size: TLC_E2E_FILE_MB (default 200, the issue's) for the checked transfers; the others use
24 MB, enough to be caught mid-way. The 200 MB file is saved to disk as it arrives (the
Save dialog answered with a file of the origin's own file system: the File System Access
API path, block by block); the others stay in memory, as in a browser without that API
(Firefox), and the test reads the received Blob back. Both pages send video at 160x120
so the transfer, not the encoder, has the cores (this module runs alone: `solo`).
"""
import hashlib
import json
import os

from selenium.common.exceptions import StaleElementReferenceException

from .calls import SECRET, connect, end_call
from .geometry import axe_violations, set_viewport
from .group import low_res
from .lazy import fetched
from .pages import open_pages, selected_pair, shot

FILE_MB = int(os.environ.get("TLC_E2E_FILE_MB", "200"))
SMALL_MB = 24
SIZES = {"desktop": (1366, 800), "phone": (390, 844)}

CARD = "return window.tlcFiles && window.tlcFiles.list.filter((x) => x.dir === arguments[0]).map((x) => ({state: x.state, reason: x.reason, done: x.done, size: x.size, name: x.name}))"
RECEIVED_SHA = """
const done = arguments[arguments.length - 1];
const x = window.tlcFiles.list.filter((t) => t.dir === 'in' && t.state === 'done').pop();
x.result.blob.arrayBuffer().then((b) => crypto.subtle.digest('SHA-256', b)).then((d) =>
  done({sha: Array.from(new Uint8Array(d), (v) => v.toString(16).padStart(2, '0')).join(''),
        size: x.result.blob.size, name: x.name}));
"""


# Issue 33.2: the transfers load on demand, when a file is sent or offered (file-panel.js).
LAZY = ["js/files/transfers.js", "js/views/file-card.js"]


def random_file(tmp_path, name, mb):
    path = tmp_path / name
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        for _ in range(mb):
            block = os.urandom(1024 * 1024)
            digest.update(block)
            f.write(block)
    return str(path), digest.hexdigest()


def no_picker(*pages):
    for page in pages:  # headless: no Save dialog, the in-memory path (see above)
        page.js("window.showSaveFilePicker = undefined")


# The Save dialog answered as a person would, with a file on this origin's own disk
# (the origin-private file system): the page then streams each checked block through
# the File System Access API's writable, as it does to a file the person picked.
TO_DISK = """
window.showSaveFilePicker = async ({suggestedName}) =>
  (await navigator.storage.getDirectory()).getFileHandle(suggestedName, {create: true});
"""
ON_DISK_SHA = """
const [name, done] = [arguments[0], arguments[arguments.length - 1]];
navigator.storage.getDirectory().then((dir) => dir.getFileHandle(name)).then((h) => h.getFile())
  .then((file) => file.arrayBuffer().then((b) => crypto.subtle.digest('SHA-256', b)).then((d) =>
    done({sha: Array.from(new Uint8Array(d), (v) => v.toString(16).padStart(2, '0')).join(''),
          size: file.size, name})), (err) => done({error: String(err)}));
"""


def send(page, path):
    page.driver.find_element("id", "file-input").send_keys(path)


def last(page, direction):
    cards = page.js(CARD, direction) or []
    return cards[-1] if cards else None


def wait_state(page, direction, states, timeout, count=None):
    return page.wait(
        f"const c = ({CARD.removeprefix('return ')}) || []; const x = c[c.length - 1];"
        "return x && arguments[1].includes(x.state) && (arguments[2] === null || c.length === arguments[2]) && x",
        timeout, f"{direction} transfer in {states}", direction, list(states), count)


def press(page, css):
    """Click a button as a person would: scrolled into the middle of the view first (the
    sticky top bar covers the top)."""
    for _ in range(3):
        button = page.wait("return document.querySelector(arguments[0])", 5.0, css, css)
        try:
            page.js("arguments[0].scrollIntoView({block: 'center'})", button)
            button.click()
            return
        except StaleElementReferenceException:
            continue  # the card was drawn again (its state changed) between finding and clicking
    raise AssertionError(f"{css} kept being replaced")


# In the receiving page: its file channel drops the receiver's acks (JSON {"t":"ack"}),
# and sends everything else (offers' answers, cancels).
HOLD_ACKS = """
const channel = window.tlc.sessions.values().next().value.fileChannel;
const send = channel.send.bind(channel);
channel.send = (m) => { if (typeof m === 'string' && JSON.parse(m).t === 'ack') return; send(m); };
"""


def accept(page):
    press(page, ".file-card[data-state='offered'][data-dir='in'] [data-action='accept']")


def looked_at(pages, state, tag):
    """Screenshots of the file panel at both sizes, and axe: no serious violation."""
    found = []
    for size_name, size in SIZES.items():  # every picture first (a transfer moves on), then axe
        for page in pages:
            set_viewport(page.driver, size)
            shot(page, f"files-{state}-{tag}-{page.role}-{size_name}.png", "#files-panel")
    for size_name, size in SIZES.items():
        for page in pages:
            set_viewport(page.driver, size)
            found += [(state, size_name, page.role, v) for v in axe_violations(page.driver)]
    for page in pages:
        page.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert found == []


def test_files_between_two_chromiums(server, browsers, tmp_path):
    a, b = open_pages(server, browsers, 2)
    a.role, b.role = "sender", "receiver"
    no_picker(a)
    b.js(TO_DISK)  # the big file goes to disk as it arrives
    for page in (a, b):
        low_res(page)  # the video's encoding shares the two cores with the transfer
    connect(a, b)
    big, big_sha = random_file(tmp_path, "report.bin", FILE_MB)

    # In a call, nothing has fetched the transfers yet; the sender's file and the
    # receiver's offer fetch them.
    assert [fetched(page, LAZY) for page in (a, b)] == [[], []]
    # Offer: nothing moves before Accept.
    send(a, big)
    wait_state(b, "in", ["offered"], 10.0)
    assert [fetched(page, LAZY) for page in (a, b)] == [LAZY, LAZY]
    looked_at([b], "offer", "in")
    assert last(a, "out")["state"] == "offered" and last(a, "out")["done"] == 0
    accept(b)
    wait_state(b, "in", ["receiving"], 5.0)
    b.wait("const x = window.tlcFiles.list.find((t) => t.dir === 'in'); return x.done > 0 && x.done < x.size",
           20.0, "progress under way")
    looked_at([a, b], "progress", "big")
    wait_state(b, "in", ["done"], 240.0)
    wait_state(a, "out", ["done"], 10.0)
    got = b.driver.execute_async_script(ON_DISK_SHA, "report.bin")
    assert got == {"sha": big_sha, "size": FILE_MB * 1024 * 1024, "name": "report.bin"}
    kept = b.js("const x = window.tlcFiles.list.find((t) => t.dir === 'in');"
                "return {state: x.state, streamed: x.result && 'blob' in x.result && x.result.blob === null}")
    assert kept == {"state": "done", "streamed": True}, kept  # written to disk, never a Blob in memory
    looked_at([a, b], "result", "big")
    no_picker(b)  # from here on, the in-memory path
    # The chat records it for both, metadata only.
    b.wait("return Object.values(window.tlc.chat.state.convs).some((c) => c.lastMessage"
           " && c.lastMessage.kind === 'file-sent' && c.lastMessage.call.name === 'report.bin')",
           5.0, "chat record")
    b.js("window.tlcFiles.list.forEach((x) => window.tlcFiles.dismiss(x))")  # frees the 200 MB

    # Across a forced ICE restart: the channel stays, the transfer completes, same bytes.
    small, small_sha = random_file(tmp_path, "notes.bin", SMALL_MB)
    send(a, small)
    wait_state(b, "in", ["offered"], 10.0)
    accept(b)
    b.wait("const x = window.tlcFiles.list.filter((t) => t.dir === 'in').pop(); return x.done > 0",
           20.0, "restart transfer started")
    ufrag = a.js("return window.tlc.sessions.values().next().value.localUfrag")
    a.js("window.tlc.sessions.values().next().value.restartIce('files test')")
    wait_state(b, "in", ["done"], 60.0)
    assert a.js("return window.tlc.sessions.values().next().value.localUfrag") != ufrag
    assert b.driver.execute_async_script(RECEIVED_SHA)["sha"] == small_sha

    # A cancel on either side stops both. The receiving page holds back its acks from here
    # on: the sender stops at its window (16 blocks, under SMALL_MB), so a transfer cannot
    # finish before the click lands, however fast the machine.
    b.js(HOLD_ACKS)
    for canceller, other in ((b, a), (a, b)):
        send(a, small)
        wait_state(b, "in", ["offered"], 10.0)
        accept(b)
        b.wait("const x = window.tlcFiles.list.filter((t) => t.dir === 'in').pop(); return x.done > 0",
               20.0, "transfer to cancel started")
        press(canceller, ".file-card[data-state='sending'] [data-action='cancel'], "
                         ".file-card[data-state='receiving'] [data-action='cancel']")
        mine, theirs = ("in", "out") if canceller is b else ("out", "in")
        assert wait_state(canceller, mine, ["cancelled"], 5.0)["reason"] == "byYou"
        assert wait_state(other, theirs, ["cancelled"], 5.0)["reason"] == "byPeer"
        done_then = last(b, "in")["done"]
        assert done_then < SMALL_MB * 1024 * 1024
    assert not b.js("return window.tlcFiles.list.some((x) => x.dir === 'in' && x.state === 'receiving')")

    # The call ends mid-transfer: both sides stop, and say why.
    send(a, small)
    wait_state(b, "in", ["offered"], 10.0)
    accept(b)
    b.wait("const x = window.tlcFiles.list.filter((t) => t.dir === 'in').pop(); return x.done > 0",
           20.0, "transfer under way when the call ends")
    end_call(a)
    assert wait_state(a, "out", ["failed"], 10.0)["reason"] == "callEnded"
    assert wait_state(b, "in", ["failed"], 10.0)["reason"] == "callEnded"


def test_a_file_through_coturn_relay_only(turn, server_factory, browsers, tmp_path):
    coturn = turn(SECRET)
    srv = server_factory(TLC_TURN_URLS=json.dumps([coturn.url]), TLC_TURN_SECRET=SECRET,
                         TLC_ICE_TRANSPORT_POLICY="relay")
    a, b = open_pages(srv, browsers, 2)
    no_picker(a, b)
    a_anchor, _ = connect(a, b)
    assert selected_pair(a, a_anchor)["local"] == "relay"
    path, sha = random_file(tmp_path, "relayed.bin", SMALL_MB)
    send(a, path)
    wait_state(b, "in", ["offered"], 10.0)
    accept(b)
    wait_state(b, "in", ["done"], 120.0)
    assert b.driver.execute_async_script(RECEIVED_SHA)["sha"] == sha
    assert wait_state(a, "out", ["done"], 10.0)


def test_a_file_from_chromium_to_firefox(server, browsers, firefoxes, tmp_path):
    """Firefox has no File System Access API: it keeps the file in memory, as it says."""
    from .pages import CallPage

    chromium = CallPage(browsers(), server).open()
    firefox = CallPage(firefoxes(), server).open()
    chromium.wait_sees(firefox, timeout=12.0)
    firefox.wait_sees(chromium, timeout=12.0)
    no_picker(chromium)
    low_res(chromium)  # (Firefox's fake camera does not scale down: it sends its 640x480)
    connect(chromium, firefox)
    assert "memory" in firefox.js("return document.querySelector('.file-note').textContent")
    path, sha = random_file(tmp_path, "to-firefox.bin", FILE_MB)
    send(chromium, path)
    wait_state(firefox, "in", ["offered"], 12.0)
    accept(firefox)
    wait_state(firefox, "in", ["done"], 300.0)
    got = firefox.driver.execute_async_script(RECEIVED_SHA)
    assert got == {"sha": sha, "size": FILE_MB * 1024 * 1024, "name": "to-firefox.bin"}
    assert wait_state(chromium, "out", ["done"], 10.0)
