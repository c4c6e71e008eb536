"""Issue 35 on /me: who may ring me, who may start a chat, do not disturb, unblock."""
from tests.support.clients import Tab, form_token


def post(browser, **data):
    data["csrf_token"] = form_token(browser, "/me")
    return browser.post("/safety", data=data)


def test_the_rules_chosen_on_me_are_what_the_server_enforces(app):
    ann, bob = Tab(app), Tab(app)
    ann.anchor, bob.anchor = ann.new_anchor(), bob.new_anchor()
    page = ann.browser.get("/me").get_data(as_text=True)
    assert 'id="safety-panel"' in page and 'id="blocked-none"' in page
    assert post(ann.browser, form="rules", ringPolicy="nobody",
                chatPolicy="nobody").status_code == 302
    assert ann.ask("safety:get")["ringPolicy"] == "nobody"
    assert ann.ask("safety:get")["invisible"] is False
    post(ann.browser, form="rules", ringPolicy="nobody", chatPolicy="nobody", invisible="on")
    assert ann.ask("safety:get")["invisible"] is True
    assert ann.user_id not in Tab(app).events("lobby:snapshot")[0]["users"]
    ack = bob.ask("call:invite", {"fromAnchorId": bob.anchor, "toAnchorId": ann.anchor})
    assert ack["error"]["code"] == "unavailable"
    assert post(ann.browser, form="rules", ringPolicy="sometimes",
                chatPolicy="nobody").status_code == 302
    assert ann.ask("safety:get")["ringPolicy"] == "nobody"  # not saved


def test_do_not_disturb_and_unblock_from_me(app):
    ann, bob = Tab(app), Tab(app)
    back = post(ann.browser, form="dnd", dnd="tomorrow")
    assert back.status_code == 302 and back.headers["Location"].endswith("me")
    until = ann.ask("safety:get")["dndUntil"]
    assert until is not None
    assert 'id="dnd-off"' in ann.browser.get("/me").get_data(as_text=True)
    post(ann.browser, form="dnd", dnd="off")
    assert ann.ask("safety:get")["dndUntil"] is None
    assert ann.ask("safety:block", {"userId": bob.user_id})["ok"]
    page = ann.browser.get("/me").get_data(as_text=True)
    assert f'data-user-id="{bob.user_id}"' in page
    post(ann.browser, form="unblock", userId=bob.user_id)
    assert ann.ask("safety:get")["blocked"] == []


def test_a_guest_that_only_saw_pages_can_set_its_rules(app):
    browser = app.test_client()
    browser.get("/")
    assert post(browser, form="rules", ringPolicy="verified",
                chatPolicy="everyone").status_code == 302
    assert Tab(app, browser=browser).ask("safety:get")["ringPolicy"] == "verified"


def test_until_tomorrow_is_within_a_day():
    from tlightchat.safety.web import minutes_until_tomorrow

    assert 1 <= minutes_until_tomorrow(1_000_000.0) <= 24 * 60
