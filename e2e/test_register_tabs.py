"""A guest registers in one tab while another tab of the same browser has /call open:
that tab carries on as the account without a reload (its transport was closed; it
reconnected by itself with the browser's new cookie and resumed the same client).
Before, it got "io server disconnect" and sat disconnected until reloaded."""
from selenium.webdriver.common.by import By

from .pages import CallPage

SOCKET_ID = "return window.tlc.signaling.socket.id || null"


def test_a_guests_other_tab_resumes_as_the_account_after_registering(server, browsers):
    driver = browsers()
    call = CallPage(driver, server).open()
    call_tab, first_socket = driver.current_window_handle, call.js(SOCKET_ID)

    driver.switch_to.new_window("tab")
    name = f"reg{call.user_id[:8].lower().replace('-', 'x').replace('_', 'x')}"
    driver.get(server.url + "/register")
    driver.find_element(By.ID, "username").send_keys(name)
    driver.find_element(By.ID, "password").send_keys("correct horse battery")
    driver.find_element(By.ID, "confirm").send_keys("correct horse battery")
    driver.find_element(By.CSS_SELECTOR, "#register-form button[type=submit]").click()
    call.wait("return document.querySelector('#account-kind')?.dataset.kind === 'account'",
              10.0, "/me shows an account")

    driver.switch_to.window(call_tab)
    me = call.wait("""
        const t = window.tlc, s = t.store.getState();
        return t.signaling.status === 'connected' && t.signaling.socket.id
          && t.signaling.socket.id !== arguments[0] ? s.me : null;
    """, 10.0, "the /call tab reconnected by itself", first_socket)
    assert me["clientId"] == call.client_id  # resumed: the same client
    assert me["user"]["id"] == call.user_id  # the guest's id is the account's
    call.wait("return !!document.querySelector('.tile[data-status=\"online\"]')", 5.0,
              "its slot is online again")
