"""Chat helpers shared by e2e tests (test_chat, test_cluster, test_proxy, test_image): type a message, wait for a
bubble, open a conversation; a call with a chat in it."""
from selenium.webdriver.common.by import By

from .conftest import wait_until
from .pages import assert_media_flows


def type_message(driver, text):
    box = driver.find_element(By.CSS_SELECTOR, "[data-chat-input]")
    box.send_keys(text)
    driver.find_element(By.CSS_SELECTOR, ".chat-send").click()


def bubble_with(driver, text, who="theirs", timeout=10):
    return wait_until(driver, """
        const [text, who] = arguments;
        return [...document.querySelectorAll('.chat-msg.' + who + ' .chat-body')]
          .some((el) => el.textContent.includes(text));""", timeout, 0.05,
        f"a {who} message with {text!r}", text, who)


def open_conversation(driver, peer):
    """Click the peer's entry in the chat list (once it is there)."""
    wait_until(driver, """const el = document.querySelector(`[data-chat-list] [data-peer="${arguments[0]}"]`);
                          if (el) el.click();
                          return window.tlc.chat.active === arguments[0];""", 10, 0.05,
               f"conversation with {peer} opened", peer)


def call_and_chat(pages):
    """A calls B, B accepts, media flows both ways; then A writes to B in the call page's
    chat panel and B reads it; then B hangs up."""
    a, b = pages
    a.click_call(b)
    b.wait_phase(b.anchor, "ringing-in")
    b.click(b.anchor, "accept")
    assert_media_flows((a, a.anchor), (b, b.anchor), timeout=10)

    # B is under "Chats" (the call is already in their timeline) or "Online now"
    # Found and clicked in one step: the list may be drawn again between a find and a
    # click (a stale element, seen in a full run).
    person = f'[data-chat-root] [data-action="open"][data-peer="{b.user_id}"]'
    wait_until(a.driver, """const el = document.querySelector(arguments[0]);
                            if (el) el.click();
                            return window.tlc.chat.active === arguments[1];""", 10, 0.05,
               "A opened a chat with B from the chat panel", person, b.user_id)
    type_message(a.driver, "through the proxy")
    open_conversation(b.driver, a.user_id)
    bubble_with(b.driver, "through the proxy")

    b.click(b.anchor, "hangup")
    a.wait_idle(a.anchor, "hangup")
