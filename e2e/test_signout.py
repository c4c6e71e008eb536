"""Issue 15 (10): signing out says what happened and what now, on the page it lands on,
in a real browser: visible without scrolling, naming the account that was signed out
and the guest this browser is now."""
from selenium.webdriver.common.by import By

from .conftest import wait_until
from .geometry import DESKTOP, PHONE, axe_violations, in_viewport, set_viewport


def register(driver, url, name):
    driver.get(url + "/register")
    driver.find_element(By.ID, "username").send_keys(name)
    driver.find_element(By.ID, "password").send_keys("correct horse battery")
    driver.find_element(By.ID, "confirm").send_keys("correct horse battery")
    driver.find_element(By.CSS_SELECTOR, "#register-form button[type=submit]").click()
    wait_until(driver, "return document.querySelector('#account-kind')?.dataset.kind === 'account'",
               message="/me shows an account")


def test_signing_out_says_so_and_what_now(server, browsers):
    driver = browsers()
    set_viewport(driver, PHONE)  # the narrowest layout: the notice must still be in view
    register(driver, server.url, "dora")
    # As a person would: the nav's Sign out (behind the menu on a phone), then Sign out.
    driver.find_element(By.ID, "nav-toggle").click()
    driver.find_element(By.ID, "nav-logout").click()
    driver.find_element(By.CSS_SELECTOR, "#logout-form button[type=submit]").click()
    wait_until(driver, "return document.body.dataset.route === '/' && !document.querySelector('#nav-logout')",
               message="back on Home, signed out")
    guest = driver.find_element(By.ID, "nav-me").text
    notice = driver.find_element(By.CSS_SELECTOR, "#signed-out")
    text = notice.text
    assert "You signed out of dora" in text, text
    assert f"You are now a guest, {guest}" in text, text
    assert "Sign in" in text, text  # what to do to get the account back
    ok, box = in_viewport(driver, "#signed-out")
    assert ok, box
    # announced, and not lost under the top bar on a phone
    assert notice.get_attribute("role") == "status"
    assert driver.execute_script("return document.activeElement.id") == "signed-out"
    assert axe_violations(driver) == []
    set_viewport(driver, DESKTOP)
    assert in_viewport(driver, "#signed-out")[0]
    # shown once: the next page says nothing of it
    driver.get(server.url + "/")
    assert not driver.find_elements(By.CSS_SELECTOR, "#signed-out")
