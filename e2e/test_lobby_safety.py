"""Issue 35 in real browsers: a person blocked from the lobby's Block button cannot ring
the blocker (the ring never reaches her page, and his page is told only "offline"), and
the two no longer see each other in the lobby; Block on a ring ends it (as any decline)."""
from .lazy import fetched
from .pages import open_pages

# Every call:ring and every ringing-in phase the page ever had, recorded from the start.
RECORD_RINGS = """
window.__rings = [];
window.tlc.signaling.on('call:ring', (ring) => window.__rings.push(ring.invitationId));
window.tlc.store.subscribe(() => {
  for (const slot of Object.values(window.tlc.store.getState().calls)) {
    if (slot.phase === 'ringing-in') window.__rings.push('phase');
  }
});
"""
# Bob's page rings as an attacker would, from its own socket, an anchor it saw before.
RING = """
const [to, done] = arguments;
const s = window.tlc.store.getState();
const mine = Object.values(s.lobby.anchors).find((a) => a.clientId === s.me.clientId);
window.tlc.signaling.request('call:invite', {fromAnchorId: mine.id, toAnchorId: to})
  .then((ack) => done({ok: true, ack}), (err) => done({ok: false, code: err.code, message: err.message}));
"""


def test_a_blocked_persons_ring_never_reaches_the_blockers_page(server, browsers):
    ann, bob = open_pages(server, browsers, 2)
    ann.js(RECORD_RINGS)
    ann_anchor = ann.anchor
    row = f".lobby-user[data-user-id='{bob.user_id}'] button[data-action='block']"
    ann.wait(f"return !!document.querySelector(\"{row}\")", 5.0, "a Block button on Bob's row")
    assert not ann.js("return !!document.querySelector('.lobby-user.is-me .block-btn')")
    # Report's dialog loads on demand (issue 33.2): at the first press, not with the page
    report = ("js/safety/report.js", "js/safety/report-payload.js")
    assert fetched(ann, report) == []
    ann.js(f"document.querySelector(\"{row.replace('block', 'report')}\").click()")
    ann.wait("const d = document.querySelector('dialog.report-dialog'); return !!d && d.open",
             5.0, "the report dialog open")
    assert fetched(ann, report) == sorted(report)
    ann.js("document.querySelector('dialog.report-dialog button[value=cancel]').click()")
    ann.wait("return !document.querySelector('dialog.report-dialog')", 5.0, "the dialog cancelled")
    ann.js(f"document.querySelector(\"{row}\").click()")
    # Each leaves the other's lobby (a fresh snapshot from the server).
    ann.wait(f"return !document.querySelector(\".lobby-user[data-user-id='{bob.user_id}']\")",
             5.0, "Bob gone from Ann's lobby")
    bob.wait(f"return !document.querySelector(\".lobby-user[data-user-id='{ann.user_id}']\")",
             5.0, "Ann gone from Bob's lobby")
    answers = [bob.driver.execute_async_script(RING, ann_anchor) for _ in range(2)]
    assert answers == [{"ok": False, "code": "unavailable",
                        "message": "that line is not taking calls"}] * 2
    # The refusals were answered (above) before anything could reach Ann; what she got
    # meanwhile is in order before her own next ack, which she now waits for.
    ann.driver.execute_async_script(
        "const done = arguments[0]; window.tlc.signaling.request('me:state').then(done, done);")
    assert ann.js("return window.__rings") == []
    assert ann.js("return document.querySelectorAll('.tile[data-status=\"ringing\"]').length") == 0
    # The control: unblocked (as /me does), the same ring reaches her page.
    ann.driver.execute_async_script(
        "const [id, done] = arguments;"
        "window.tlc.signaling.request('safety:unblock', {userId: id}).then(done, done);",
        bob.user_id)
    bob.wait(f"return !!document.querySelector(\".lobby-user[data-user-id='{ann.user_id}']\")",
             5.0, "Ann back in Bob's lobby")
    assert bob.driver.execute_async_script(RING, ann_anchor)["ok"] is True
    ann.wait("return window.__rings.length > 0", 5.0, "the ring reaches Ann once unblocked")
    # Block on the ring itself (the tile's Block, safety/peer-actions.js): the ring ends
    # for both, Bob's page told "declined" as for any decline.
    on_ring = f".tile[data-peer-user='{bob.user_id}'] .peer-safety button[data-safety='block']"
    ann.wait(f"const b = document.querySelector(\"{on_ring}\"); return !!b && !!b.offsetParent",
             5.0, "a Block button on the ring")
    bob.js("window.__ended = [];"
           "window.tlc.signaling.on('call:invite-ended', (e) => window.__ended.push(e.reason));")
    ann.js(f"document.querySelector(\"{on_ring}\").click()")
    ann.wait("return document.querySelectorAll('.tile[data-phase=\"ringing-in\"]').length === 0",
             5.0, "the ring gone from Ann's page")
    bob.wait("return window.__ended.length > 0", 5.0, "Bob told the ring ended")
    assert bob.js("return window.__ended") == ["declined"]
    bob.wait(f"return !document.querySelector(\".lobby-user[data-user-id='{ann.user_id}']\")",
             5.0, "Ann gone from Bob's lobby again")


def test_a_lookalike_name_is_marked_in_the_lobby_and_on_its_ring(server, browsers):
    from .pages import shot

    ann, copy, bea = open_pages(server, browsers, 3)
    ann.rename("Ann Lee")
    copy.rename("\u0410nn L\u0435e")  # Cyrillic А and е: reads differently, looks the same
    bea.rename("Bea Wombat")
    tag = "document.querySelector(`.lobby-user[data-user-id='${arguments[0]}'] .name-tag`)"
    for who in (ann, copy):
        bea.wait(f"const t = {tag}; return t && !t.hidden && t.textContent.startsWith('#')",
                 5.0, f"{who.name!r} marked with its tag", who.user_id)
    assert bea.js(f"return {tag}.hidden", bea.user_id) is True  # nobody looks like Bea
    tags = {bea.js(f"return {tag}.textContent", p.user_id) for p in (ann, copy)}
    assert len(tags) == 2  # each its own tag: the two can be told apart
    shot(bea, "lookalike-lobby.png", "#lobby-list")
    # The lookalike rings Bea: her ring shows the same mark (safety/name-mark.js).
    copy_tag = bea.js(f"return {tag}.textContent", copy.user_id)
    assert copy.driver.execute_async_script(RING, bea.anchor)["ok"] is True
    on_ring = f".tile[data-peer-user='{copy.user_id}'] .peer-safety .lookalike-tag"
    bea.wait(f"const t = document.querySelector(\"{on_ring}\"); return !!t && !t.hidden && !!t.offsetParent"
             f" && t.textContent === '{copy_tag}'", 5.0, "the ring marked with the lookalike's tag")
    # ... and, a guest's ring, the "guest" label (safety/guest.js)
    guest = f".tile[data-peer-user='{copy.user_id}'] .peer-safety .guest-tag"
    assert bea.js(f"const g = document.querySelector(\"{guest}\"); return !!g && !!g.offsetParent")
    shot(bea, "lookalike-ring.png", ".tile[data-phase='ringing-in']")


def test_an_operator_bans_a_user_and_their_open_tab_is_signed_out(server_factory, browsers):
    import time

    from selenium.webdriver.common.by import By

    from .conftest import wait_until

    server = server_factory(TLC_ADMINS="olga")
    victim = open_pages(server, browsers, 1)[0]
    op = browsers()
    op.get(server.url + "/register")
    op.find_element(By.ID, "username").send_keys("olga")
    op.find_element(By.ID, "password").send_keys("correct horse battery")
    op.find_element(By.ID, "confirm").send_keys("correct horse battery")
    op.find_element(By.CSS_SELECTOR, "#register-form button[type=submit]").click()
    wait_until(op, "return document.querySelector('#account-kind')?.dataset.kind === 'account'",
               message="the operator is signed in")
    op.get(server.url + "/admin")
    # First a warning: the words reach her open tab at once (safety/warning.js, loaded on
    # demand by the warning itself: issue 33.2).
    assert fetched(victim, ["js/safety/warning.js"]) == []
    op.find_element(By.ID, "act-user").send_keys(victim.user_id)
    op.find_element(By.ID, "act-reason").send_keys("mind your words")
    op.find_element(By.ID, "act-warn").click()
    victim.wait("const w = document.querySelector('#safety-warning [data-warning-text]');"
                "return !!w && !!w.offsetParent && w.textContent.includes('mind your words')",
                5.0, "the warning shown on her open tab")
    assert fetched(victim, ["js/safety/warning.js"]) == ["js/safety/warning.js"]
    wait_until(op, "return document.querySelector('#operator-log')?.textContent.includes('warn')",
               message="the warning is in the operators' log")
    op.find_element(By.ID, "act-user").send_keys(victim.user_id)
    started = time.monotonic()
    op.find_element(By.ID, "act-ban").click()
    victim.wait("return window.tlc.signaling.status !== 'connected'", 5.0,
                "the banned user's tab is signed out")
    print(f"banned tab signed out {time.monotonic() - started:.2f} s after the click")
    wait_until(op, "return document.querySelector('#operator-log')?.textContent.includes('ban')",
               message=f"the ban is in the operators' log ({op.current_url})")
    # Her cookie is refused: the page opens as someone new.
    victim.driver.get(server.url + "/call")
    victim.wait("return window.tlc?.store.getState().me?.user.id", 8.0, "connected again")
    assert victim.js("return window.tlc.store.getState().me.user.id") != victim.user_id


def test_a_ring_during_do_not_disturb_is_a_missed_call_once_it_ends(server, browsers):
    from selenium.webdriver.common.by import By

    ann, bob = open_pages(server, browsers, 2)
    ann.js(RECORD_RINGS)
    ann.anchor_id = ann.anchor
    call_tab = ann.driver.current_window_handle
    ann.driver.switch_to.new_window("tab")  # her /call tab stays open (and online)
    ann.driver.get(server.url + "/me")
    ann.driver.find_element(By.CSS_SELECTOR, "#safety-dnd button[value='30']").click()
    ann.wait("return !!document.querySelector('#dnd-off')", 5.0, "do not disturb is on")
    answer = bob.driver.execute_async_script(RING, ann.anchor_id)
    assert answer == {"ok": False, "code": "unavailable", "message": "that line is not taking calls"}
    ann.driver.find_element(By.ID, "dnd-off").click()
    ann.wait("return !document.querySelector('#dnd-off')", 5.0, "do not disturb is off")
    ann.driver.switch_to.window(call_tab)
    assert ann.js("return window.__rings") == []  # it never rang
    ann.driver.refresh()
    ann.wait(f"return document.querySelector(\"[data-unread-for='{bob.user_id}']\")"
             "?.textContent === '1'", 8.0, "the missed call waits, unread, from Bob")
