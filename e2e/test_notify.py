"""Issue 15: an incoming call while the tab is hidden shows a browser notification (and
the tab title says so); permission is asked on the person's own click, never on load."""
from .pages import CallPage

RECORD = """
window.__notes = [];
window.__asked = 0;
const Real = window.Notification;
let permission = 'default';
class Recording {
  static get permission() { return permission; }
  static requestPermission() { window.__asked += 1; permission = 'granted'; return Promise.resolve('granted'); }
  constructor(title, options) { this.title = title; this.options = options; this.closed = false;
    window.__notes.push(this); localStorage.setItem('__notes', String(window.__notes.length)); }
  close() { this.closed = true; }
}
window.Notification = Recording;
"""


def test_a_ring_in_a_hidden_tab_notifies_and_the_notice_closes_when_it_ends(server, browsers):
    callee_driver = browsers()
    callee = CallPage(callee_driver, server).open()
    callee.js(RECORD)
    callee.js("localStorage.removeItem('__notes')")
    assert callee.js("return window.__asked") == 0          # nothing asked on load
    slot = callee.anchor
    callee.click(slot, "online")                              # a click of theirs: it asks
    callee.wait("return document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`)"
                ".dataset.status === 'offline'", 3.0, "slot offline", slot)
    callee.click(slot, "online")
    callee.wait("return document.querySelector(`.tile[data-anchor-id='${arguments[0]}']`)"
                ".dataset.status === 'online'", 3.0, "slot online again", slot)
    assert callee.js("return window.__asked") == 1
    ring_tab = callee_driver.current_window_handle
    callee_driver.switch_to.new_window("tab")                 # the call tab is now hidden
    callee_driver.get(server.url + "/about")
    caller = CallPage(browsers(), server).open()
    caller.wait_sees(callee)
    caller.click_call(callee, slot)
    caller.wait_phase(caller.anchor, "ringing-out")
    # the ring reaches the hidden tab a moment after the caller's ack: wait for its notice
    # from the tab in front (localStorage is shared), before the call tab comes to front
    callee.wait("return localStorage.getItem('__notes') === '1'", 10.0, "the hidden tab notified")
    callee_driver.switch_to.window(ring_tab)
    notes = callee.js("return window.__notes.map((n) => [n.title, n.options.body, n.closed])")
    assert len(notes) == 1, notes  # exactly one, for this ring
    assert notes[0][0] == f"{caller.name} is calling you" and "accept or decline" in notes[0][1]
    assert callee.js("return document.title").startswith("(Incoming call)")
    caller.click(caller.anchor, "cancel")
    callee.wait("return window.__notes[0].closed", 3.0, "the notification closes when the ring ends")
    # with the tab in front, a ring shows on the page only: no notification
    caller.wait_sees(callee)
    caller.click_call(callee, slot)
    callee.wait_phase(slot, "ringing-in")
    assert callee.js("return window.__notes.length") == 1
