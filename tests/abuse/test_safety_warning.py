"""Issue 35: an operator's warning reaches the user. A warn on /admin is shown on the
user's open tabs at once (`safety:warned`, on every node) and, stored (migration 0014),
on every page they load until they dismiss it (a page's form or `safety:dismiss-warning`).
On one process (the in-memory store) and on two cluster nodes (the replicated store)."""
import pytest

from tests.support.accounts import admin_act as act, operator
from tests.support.cluster import nodes, redis_server, redis_url  # noqa: F401  (fixtures)
from tests.support.cluster_calls import heard
from tests.support.clients import Tab, form_token
from tlightchat import create_app

SAID = "An operator warned you: stop ringing strangers at night"


@pytest.fixture(params=["memory", "replicated"])
def apps(request, tmp_path):
    """(the operators' app, the warned user's app): one app, or two cluster nodes."""
    if request.param == "memory":
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/t.db", "TESTING": True,
                          "ADMINS": "olga"})
        yield app, app
        app.extensions["tlightchat"].close()
    else:
        make = request.getfixturevalue("nodes")
        yield make("n1", ADMINS="olga"), make("n2", ADMINS="olga")


def test_a_warning_reaches_the_open_tabs_and_every_page_until_dismissed(apps):
    n_ops, n_user = apps
    ann = Tab(n_user)
    ann.second = ann.second_tab()
    bob = Tab(n_user)
    assert "An operator warned you" not in ann.browser.get("/me").get_data(as_text=True)
    olga = operator(n_ops)
    assert act(olga, userId=ann.user_id, action="warn",
               reason="  stop ringing strangers at night ").status_code == 302
    for tab in (ann, ann.second):  # every tab of hers, on whichever node serves it
        told = heard(tab, "safety:warned")
        assert told["reason"] == "stop ringing strangers at night" and told["at"] > 0
    assert bob.events("safety:warned") == []
    assert "olga · warn" in olga.get("/admin").get_data(as_text=True)
    # No tab open: the next page load shows it, on every page, until she dismisses it.
    for path in ("/me", "/chat"):
        assert SAID in ann.browser.get(path).get_data(as_text=True)
    assert SAID not in bob.browser.get("/me").get_data(as_text=True)
    assert ann.ask("safety:dismiss-warning") == {"ok": True}
    assert SAID not in ann.browser.get("/me").get_data(as_text=True)
    # read in one tab: her other open tab takes it off its screen too; nobody else hears it
    assert heard(ann.second, "safety:warning-dismissed") == {}
    assert bob.events("safety:warning-dismissed") == []


def test_the_pages_form_dismisses_it_and_a_warning_without_words_still_says_who(apps):
    n_ops, n_user = apps
    ann = Tab(n_user)
    assert act(operator(n_ops), userId=ann.user_id, action="warn").status_code == 302
    assert heard(ann, "safety:warned")["reason"] == ""
    page = ann.browser.get("/me").get_data(as_text=True)
    assert "An operator warned you." in page
    ann.browser.post("/safety", data={"form": "warning",
                                      "csrf_token": form_token(ann.browser, "/me")})
    assert "An operator warned you" not in ann.browser.get("/me").get_data(as_text=True)
    assert heard(ann, "safety:warning-dismissed") == {}  # her open tab hides it too


def test_dismissing_needs_no_warning_and_touches_only_ones_own(apps):
    n_ops, n_user = apps
    ann, bob = Tab(n_user), Tab(n_user)
    assert bob.ask("safety:dismiss-warning") == {"ok": True}  # none: nothing happens
    act(operator(n_ops), userId=ann.user_id, action="warn", reason="x")
    heard(ann, "safety:warned")
    assert bob.ask("safety:dismiss-warning") == {"ok": True}
    assert "An operator warned you: x" in ann.browser.get("/me").get_data(as_text=True)
