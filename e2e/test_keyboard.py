"""Issue 15: a whole call without the mouse — Tab to Call, Enter; the ring takes focus,
Enter accepts; M mutes, C opens the chat beside the call, type and send; Shift+H hangs
up, and focus stays on the slot, not the page body."""
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from .geometry import DESKTOP, set_viewport
from .pages import CallPage, assert_media_flows


def press(page, *keys):
    chain = ActionChains(page.driver)
    for key in keys:
        chain.send_keys(key)
    chain.perform()


def tab_to(page, css, limit=80):
    """Press Tab until the focused element matches `css` (fails after `limit` presses)."""
    for _ in range(limit):
        if page.js("return document.activeElement.matches(arguments[0])", css):
            return
        press(page, Keys.TAB)
    raise AssertionError(f"{css} not reachable with Tab in {limit} presses")


def test_call_accept_mute_chat_and_hang_up_by_keyboard_only(server, browsers):
    caller = CallPage(set_viewport(browsers(), DESKTOP), server).open()
    callee = CallPage(set_viewport(browsers(), DESKTOP), server).open()
    caller.wait_sees(callee)
    callee.wait_sees(caller)

    tab_to(caller, f"{caller.call_button(callee.anchor)}")
    press(caller, Keys.ENTER)
    callee.wait_phase(callee.anchor, "ringing-in")
    callee.wait("return document.activeElement.dataset.action === 'accept'", 3.0, "the ring takes focus")
    press(callee, Keys.ENTER)
    assert_media_flows((caller, caller.anchor), (callee, callee.anchor))
    callee.wait("return document.activeElement.dataset.action === 'hangup'", 3.0, "focus on Hang up")

    press(callee, "m")
    callee.wait("const m = window.tlc.media.get(arguments[0]); return m && !m.micOn", 2.0, "mic muted by M", callee.anchor)
    assert callee.js("return document.querySelector(`.tile[data-anchor-id='${arguments[0]}'] .mic-btn`)"
                     ".getAttribute('aria-pressed')", callee.anchor) == "true"
    callee.wait("return document.querySelector('#announcer').textContent.includes('muted')", 2.0)

    press(callee, "c")
    callee.wait("return document.body.classList.contains('chat-open')", 2.0, "chat opened by C")
    # from a call, C opens the conversation with the person in it, its field focused
    callee.wait("return window.tlc.chat?.active === arguments[0]"
                " && document.activeElement?.matches('#chat-panel [data-chat-input]')", 5.0,
                "the call's conversation open, its field focused", caller.user_id)
    press(callee, "sent without a mouse", Keys.ENTER)
    callee.wait("return [...document.querySelectorAll('#chat-panel .chat-msg.mine')].some((m) => m.textContent.includes('sent without a mouse')"
                " && !m.classList.contains('pending') && !m.classList.contains('failed'))", 8.0, "the message is sent")

    press(callee, Keys.TAB)  # out of the text field: shortcuts do not fire while typing
    # (W3C key actions: Shift held down around the key, as a person presses it)
    ActionChains(callee.driver).key_down(Keys.SHIFT).send_keys("H").key_up(Keys.SHIFT).perform()
    callee.wait_idle(callee.anchor, "hangup")
    callee.wait("return document.activeElement && document.activeElement !== document.body", 2.0,
                "focus kept (on the chat it was in), not dropped to the page body")
    # the other side ended too
    caller_tile = f".tile[data-anchor-id='{caller.anchor}']"
    assert caller.js(f"return document.querySelector(\"{caller_tile}\").dataset.phase") == "idle"
