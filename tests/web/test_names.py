"""Display and slot names must look like names: no blank fillers, something visible, no
piles of combining marks (issue 23, item 8)."""
import pytest

from tlightchat.errors import Refusal
from tlightchat.protocol import validate

BLANK = ["\u3164", "\u2800", "\u3164\u3164\u3164", " \u2800 \u2800 ", "\uffa0",
         "\u115f\u1160", "\u0301\u0302", "\u3000\u3164", "\u034f\u0301"]
PADDED = ["Ann\u3164", "\u2800Ann", "A\u3164n\u3164n"]
PILES = ["Z" + "\u0336\u0337\u0338\u0335\u0334", "a\u0300\u0301\u0302\u0303\u0304\u0305",
         "ok " + "e" + "\u0489" * 5]
FINE = ["Ann", "Nguyễn Thị Minh", "स्त्री", "กิ่ง", "བསྒྲུབས", "Zoë", "O'Brien-Smith",
        "a\u0300\u0301\u0302\u0303"]


def refused(event, payload):
    with pytest.raises(Refusal) as info:
        validate(event, (payload,))
    assert info.value.code == "invalid-payload"
    return info.value.message


@pytest.mark.parametrize("name", BLANK + PADDED + PILES)
@pytest.mark.parametrize("event, field", [("me:rename", "displayName"),
                                          ("anchor:create", "name")])
def test_names_that_look_blank_or_pile_up_marks_are_refused(event, field, name):
    message = refused(event, {field: name})
    assert field in message and len(message) < 200


@pytest.mark.parametrize("name", BLANK + PILES)
def test_a_slot_rename_is_checked_the_same(name):
    refused("anchor:rename", {"anchorId": "a1", "name": name})


@pytest.mark.parametrize("name", FINE)
def test_names_people_have_are_kept(name):
    import unicodedata
    got = validate("me:rename", ({"displayName": name},))["displayName"]
    assert got == unicodedata.normalize("NFC", name)


def test_the_me_page_refuses_a_blank_name_and_says_why(tab):
    ann = tab()
    form = ann.browser.get("/me").get_data(as_text=True)
    import re
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    data = {"displayName": "\u3164\u3164"}
    if token:
        data["csrf_token"] = token.group(1)
    page = ann.browser.post("/me", data=data)
    assert page.status_code == 400
    assert "visible" in page.get_data(as_text=True) or "filler" in page.get_data(as_text=True)
    assert ann.ask("me:state")["user"]["displayName"] != "\u3164\u3164"


def test_every_user_record_carries_a_stable_tag_from_the_id(tab):
    """Names are not unique: the tag (from the user id, not chosen) tells copies apart."""
    import re

    from tlightchat.names import name_tag
    ann, bob = tab(), tab()
    assert ann.ask("me:rename", {"displayName": "Same"})["ok"]
    assert bob.ask("me:rename", {"displayName": "Same"})["ok"]

    def tags(tab):
        assert tab.ask("lobby:get", {"query": ""})["ok"]
        return {uid: u["tag"] for uid, u in tab.events("lobby:snapshot")[-1]["users"].items()}

    seen = tags(ann)
    assert set(seen) == {ann.user_id, bob.user_id}
    assert all(re.fullmatch(r"[A-Z2-7]{4}", t) for t in seen.values())
    assert seen[ann.user_id] != seen[bob.user_id]
    assert seen == {uid: name_tag(uid) for uid in seen}
    assert tags(bob) == tags(ann.second_tab()) == seen  # the same to everyone, every time
