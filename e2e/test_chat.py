"""Chat in real Chromium against the real server (python app.py), on the standalone
/chat page: both ways, history after reload, a message to a closed browser, the outbox
surviving a reload while offline, and a guest who registers and signs in elsewhere."""
from .conftest import wait_until
from selenium.webdriver.common.by import By

from .chat import bubble_with, open_conversation, type_message

ME = "return document.querySelector('[data-chat-root]').dataset.userId"


def open_chat(driver, url, peer=None):
    driver.get(url + "/chat" + (f"?with={peer}" if peer else ""))
    wait_until(driver, "return window.tlc && window.tlc.chat && window.tlc.signaling.connected",
               message="chat page connected")
    return driver.execute_script(ME)








def status_of(driver, text):
    return driver.execute_script("""
        const el = [...document.querySelectorAll('.chat-msg.mine')]
          .find((e) => e.querySelector('.chat-body').textContent.includes(arguments[0]));
        return el && el.dataset.status;""", text)


def test_two_browsers_chat_both_ways_and_history_survives_a_reload(server, browsers):
    alice, bob = browsers(), browsers()
    bob_id = open_chat(bob, server.url)
    alice_id = open_chat(alice, server.url, peer=bob_id)

    type_message(alice, "Hi **Bob**, see https://example.org")
    wait_until(bob, "return document.querySelector('.chat-list .unread:not([hidden])')?.textContent === '1'",
               message="bob's unread badge shows 1")
    wait_until(alice, "return document.querySelector('.chat-msg.mine')?.dataset.status === 'delivered'",
               message="alice sees her message delivered")
    open_conversation(bob, alice_id)
    bubble_with(bob, "Hi Bob")
    link = bob.find_element(By.CSS_SELECTOR, ".chat-msg.theirs .chat-body a")
    assert link.get_attribute("rel") == "noopener noreferrer nofollow"
    assert link.get_attribute("target") == "_blank"
    assert bob.find_element(By.CSS_SELECTOR, ".chat-msg.theirs .chat-body strong").text == "Bob"
    wait_until(bob, "return document.querySelector('.chat-list .unread').hidden",
               message="opening the conversation clears the badge")
    wait_until(alice, "return document.querySelector('.chat-msg.mine')?.dataset.status === 'read'",
               message="alice sees her message as read")
    type_message(bob, "Hello Alice <script>window.pwned=1</script>")
    bubble_with(alice, "Hello Alice")
    assert alice.execute_script("return window.pwned") is None
    assert "<script>" in alice.find_elements(By.CSS_SELECTOR, ".chat-msg.theirs .chat-body")[-1].text

    for driver, peer in ((alice, bob_id), (bob, alice_id)):
        driver.refresh()
        open_chat(driver, server.url, peer=peer)
        bubble_with(driver, "Hi Bob", "mine" if driver is alice else "theirs")
        bubble_with(driver, "Hello Alice", "theirs" if driver is alice else "mine")
        assert len(driver.find_elements(By.CSS_SELECTOR, ".chat-msg")) == 2


def test_a_message_to_a_closed_browser_arrives_when_it_comes_back(server, browsers):
    alice, bob = browsers(), browsers()
    bob_id = open_chat(bob, server.url)
    cookies = bob.get_cookies()
    alice_id = open_chat(alice, server.url, peer=bob_id)
    # Bob's page goes away (its socket closes with it); he comes back below in a new
    # Chromium process that has only his cookies, as a restarted browser would.
    bob.get("about:blank")
    wait_until(alice, "return document.querySelector('[data-chat-presence]').textContent.startsWith('offline')",
               message="bob shown offline")
    type_message(alice, "Sent while you were away")
    wait_until(alice, "return document.querySelector('.chat-msg.mine')?.dataset.status === 'sent'",
               message="stored (sent), not delivered")

    back = browsers()
    back.get(server.url + "/healthz")
    for cookie in cookies:
        back.add_cookie(cookie)
    assert open_chat(back, server.url) == bob_id
    wait_until(back, f"return document.querySelector('[data-unread-for=\"{alice_id}\"]')?.textContent === '1'",
               message="the unread count is there on return")
    wait_until(alice, "return document.querySelector('.chat-msg.mine')?.dataset.status === 'delivered'",
               message="alice sees it delivered once bob is back")
    open_conversation(back, alice_id)
    bubble_with(back, "Sent while you were away")
    wait_until(alice, "return document.querySelector('.chat-msg.mine')?.dataset.status === 'read'",
               message="and read")


def test_a_pending_message_survives_a_reload_and_is_sent_once(server, browsers):
    alice, bob = browsers(), browsers()
    bob_id = open_chat(bob, server.url)
    alice_id = open_chat(alice, server.url, peer=bob_id)
    wait_until(alice, "return document.querySelector('[data-chat-thread]:not([hidden])')")
    alice.execute_script("window.tlc.signaling.socket.disconnect()")
    type_message(alice, "Written offline")
    assert status_of(alice, "Written offline") == "pending"
    assert "Offline" in alice.find_element(By.CSS_SELECTOR, "[data-chat-status]").text
    alice.refresh()  # the page reloads: the outbox is in localStorage
    open_chat(alice, server.url, peer=bob_id)
    wait_until(alice, "return ['sent', 'delivered', 'read'].includes(document.querySelector('.chat-msg.mine')?.dataset.status)",
               message="the reloaded page sent it")
    open_conversation(bob, alice_id)
    bubble_with(bob, "Written offline")
    page = bob.execute_async_script("""
        const done = arguments[arguments.length - 1];
        window.tlc.signaling.request('chat:history', {with: arguments[0]}).then(done, (e) => done(String(e)));""",
        alice_id)
    assert [m["text"] for m in page["messages"]] == ["Written offline"]
    assert alice.execute_script("return Object.keys(localStorage).filter(k => k.startsWith('tlc.chat.outbox') && localStorage[k] !== '[]')") == []


def test_a_guest_registers_and_signs_in_from_a_second_browser(server, browsers):
    alice, bob = browsers(), browsers()
    bob_id = open_chat(bob, server.url)
    alice_id = open_chat(alice, server.url, peer=bob_id)
    type_message(alice, "Before registering")
    open_conversation(bob, alice_id)
    bubble_with(bob, "Before registering")
    type_message(bob, "Reply to the guest")
    bubble_with(alice, "Reply to the guest")

    name = f"alice{alice_id[:6].lower().replace('-', 'x').replace('_', 'x')}"
    alice.get(server.url + "/register")
    alice.find_element(By.ID, "username").send_keys(name)
    alice.find_element(By.ID, "password").send_keys("correct horse battery")
    alice.find_element(By.ID, "confirm").send_keys("correct horse battery")
    alice.find_element(By.CSS_SELECTOR, "#register-form button[type=submit]").click()
    wait_until(alice, "return document.querySelector('#account-kind')?.dataset.kind === 'account'",
               message="/me shows an account")
    assert alice.find_element(By.ID, "nav-logout")

    second = browsers()
    second.get(server.url + "/login")
    second.find_element(By.ID, "username").send_keys(name)
    second.find_element(By.ID, "password").send_keys("correct horse battery")
    second.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
    wait_until(second, "return location.pathname.endsWith('/chat') && !!window.tlc?.chat",
               message="signed in, on the chat page")
    assert second.execute_script(ME) == alice_id
    open_conversation(second, bob_id)
    bubble_with(second, "Before registering", "mine")
    bubble_with(second, "Reply to the guest", "theirs")
    # one user, two browsers: a new message reaches both
    type_message(bob, "To both of you")
    bubble_with(second, "To both of you")
    open_chat(alice, server.url, peer=bob_id)
    bubble_with(alice, "To both of you")


# Drop the connection the moment the ack of a chat:send (carrying `text`) reaches the page,
# before Socket.IO hands it over: the server has stored the message, the page never hears
# so. Every ack carrying `text` is kept in window.__lostAck.acks (as raw packets).
LOSE_FIRST_ACK = """
const text = arguments[0];
const manager = window.tlc.signaling.socket.io;
const decoder = manager.decoder, add = decoder.add.bind(decoder);
const lost = window.__lostAck = {acks: [], dropped: false};
decoder.add = (data) => {
  if (typeof data === 'string' && data[0] === '3' && data.includes(text)) {  // an ACK packet
    lost.acks.push(data);
    if (!lost.dropped) {
      lost.dropped = true;
      manager.engine.close();  // as a network drop: Socket.IO reconnects by itself
      return;
    }
  }
  return add(data);
};
"""


def test_a_send_whose_ack_is_lost_is_resent_and_shows_once(server, browsers):
    alice, bob = browsers(), browsers()
    bob_id = open_chat(bob, server.url)
    alice_id = open_chat(alice, server.url, peer=bob_id)
    open_chat(bob, server.url, peer=alice_id)
    for driver in (alice, bob):
        wait_until(driver, "return document.querySelector('[data-chat-thread]:not([hidden])')")
    bob.execute_script("window.__got = []; window.tlc.signaling.on('chat:message', (m) => window.__got.push(m.message.id))")
    text = "Stored but never acknowledged"
    alice.execute_script(LOSE_FIRST_ACK, text)
    type_message(alice, text)
    # the page lost the first ack, reconnected, resent from its outbox; the server
    # recognised the resend and acked the stored message as a duplicate
    acks = wait_until(alice, "return window.__lostAck.acks.length >= 2 && window.__lostAck.acks", 10, 0.05,
                      "the resend was acknowledged")
    assert '"duplicate":false' in acks[0] and '"duplicate":true' in acks[1], acks
    wait_until(alice, "return ['sent', 'delivered', 'read'].includes(document.querySelector('.chat-msg.mine')?.dataset.status)",
               message="alice's message is no longer pending")
    bubble_with(bob, text)
    got = wait_until(bob, "return window.__got.length >= 2 && window.__got", 5, 0.05,
                     "bob was sent the message again for the duplicate")
    assert len(set(got)) == 1, got
    count = """return [...document.querySelectorAll('.chat-msg .chat-body')]
                 .filter((el) => el.textContent.includes(arguments[0])).length"""
    assert alice.execute_script(count, text) == 1
    assert bob.execute_script(count, text) == 1
    history = bob.execute_async_script("""
        const done = arguments[arguments.length - 1];
        window.tlc.signaling.request('chat:history', {with: arguments[0]}).then(done, (e) => done(String(e)));""",
        alice_id)
    assert [m["text"] for m in history["messages"]] == [text]
    assert alice.execute_script("return Object.keys(localStorage).filter(k => k.startsWith('tlc.chat.outbox') && localStorage[k] !== '[]')") == []
