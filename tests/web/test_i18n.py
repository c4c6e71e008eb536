"""Five languages (issue 28): which one a request gets, and that every catalog is complete.

The browser's words are static/i18n/<lang>.json (looked up by static/js/i18n.js); the
server's are translations/<lang>/LC_MESSAGES/messages.po (Flask-Babel). A new language
is a new file of each and a line in tlightchat/web/i18n.py's LANGUAGES: these tests then
check it like the others (README.md, "Adding a language"). Over 300 lines: the catalogs,
the rendered pages and the language choice are checked against the same few helpers.
"""
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tlightchat import __version__
from tlightchat.errors import Refusal
from tlightchat.web.i18n import COOKIE, LANGUAGES

from tests.support.clients import form_token

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "static" / "i18n"
TRANSLATIONS = ROOT / "translations"
OTHERS = [code for code in LANGUAGES if code != "en"]

# Words deliberately the same in some language: the product name, the key names of the
# shortcuts list, and words a language borrowed (German "Chat", "Lobby", "online").
SAME_EVERYWHERE = {"TLightChat", "M", "V", "C", "F", "H", "?", "Shift", "+", "…", "·", "×", "←",
                   "→", "↓", "✓", "✓✓", "◷", "!", "PiP"}
BORROWED = {
    "de": {"offline", "Offline", "online", "Chat", "Chats", "Lobby", "Version %(version)s.",
           "auth: "},
    "es": {"auth: "},
    "fr": {"Conversations", "Version %(version)s.", "Menu"},
    "ar": {"auth: "},
}
PLACEHOLDER_JS = re.compile(r"\{(\w+)\}")
PLACEHOLDER_PY = re.compile(r"%\((\w+)\)[sd]")


def browser_catalog(code):
    return json.loads((CATALOGS / f"{code}.json").read_text(encoding="utf-8"))


def forms(value):
    return value if isinstance(value, dict) else {"other": value}


def placeholders(value, pattern=PLACEHOLDER_JS):
    return set().union(*(set(pattern.findall(text)) for text in forms(value).values()))


# -- the browser's catalogs ----------------------------------------------------------------

@pytest.mark.parametrize("code", OTHERS)
def test_every_browser_catalog_has_every_key_with_the_same_placeholders(code):
    english, other = browser_catalog("en"), browser_catalog(code)
    assert sorted(other) == sorted(english), "keys missing or extra"
    categories = set(Locale.parse(code).plural_form.tags) | {"other"}
    for key, value in other.items():
        assert placeholders(value) == placeholders(english[key]), key
        assert isinstance(value, dict) == isinstance(english[key], dict), key
        if isinstance(value, dict):
            assert "other" in value and set(value) <= categories, (key, sorted(value))
            if code == "ar":  # Arabic has six plural forms; each is written out
                assert set(value) == categories, key
        for text in forms(value).values():
            assert text.strip(), key


@pytest.mark.parametrize("code", OTHERS)
def test_no_browser_word_is_left_in_english(code):
    english, other = browser_catalog("en"), browser_catalog(code)
    allowed = SAME_EVERYWHERE | BORROWED[code]
    left = [key for key, value in other.items()
            for text in forms(value).values()
            if text in set(forms(english[key]).values()) and text.strip() not in allowed]
    assert not left, f"{code}: still English: {left}"


def test_every_browser_key_the_code_names_is_in_the_english_catalog():
    code = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "static" / "js").rglob("*.js"))
    named = set(re.findall(r"\bt\('([\w.]+)'", code)) | set(
        re.findall(r"'((?:cameraError|calls)\.\w+)'", code))
    assert "check.trying" in named and "tile.accept" in named
    assert named <= set(browser_catalog("en")), named - set(browser_catalog("en"))


# -- the server's catalogs -----------------------------------------------------------------

def template():
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        return [m for m in read_po(f) if m.id]


@pytest.mark.parametrize("code", OTHERS)
def test_every_server_message_is_translated_with_the_same_placeholders(code):
    with open(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f)
    allowed = SAME_EVERYWHERE | BORROWED[code]
    for message in template():
        found = catalog.get(message.id)
        assert found is not None and not found.fuzzy, f"{code}: missing {message.id!r}"
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = found.string if isinstance(found.string, tuple) else (found.string,)
        assert all(s.strip() for s in strings), f"{code}: empty {message.id!r}"
        if not isinstance(message.id, tuple):
            assert placeholders(strings[0], PLACEHOLDER_PY) == placeholders(ids[0], PLACEHOLDER_PY), ids
            assert strings[0] != ids[0] or ids[0] in allowed, f"{code}: still English: {ids[0]!r}"


def freeze(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


@pytest.mark.parametrize("code", OTHERS)
def test_the_committed_mo_is_compiled_from_the_po(code):
    folder = TRANSLATIONS / code / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as f:
        po = {freeze(m.id): freeze(m.string) for m in read_po(f) if m.id}
    with open(folder / "messages.mo", "rb") as f:
        mo = {freeze(m.id): freeze(m.string) for m in read_mo(f) if m.id}
    assert mo == po, "run: pybabel compile -d translations (or make setup)"


def test_the_template_holds_every_message_of_the_code():
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with open(TRANSLATIONS / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None,
                "_l": None, "Refusal": (2,)}
    found = {m[2] if isinstance(m[2], str) else tuple(m[2])
             for m in extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords)}
    found = {m[0] if isinstance(m, tuple) and len(m) == 1 else m for m in found}
    known = {m.id for m in template()}
    assert found <= known, f"new messages: run pybabel extract/update (README): {found - known}"


# -- the pages in each language -------------------------------------------------------------

class Words(HTMLParser):
    """The text a person reads or hears on a page: text nodes and the attributes read
    out (title, placeholder, aria-label, alt, a submit value), not scripts or styles."""

    READ = ("title", "placeholder", "aria-label", "alt")

    def __init__(self):
        super().__init__()
        self.found, self.skip = set(), 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        for name, value in attrs:
            if name in self.READ and value:
                self.found.add(" ".join(value.split()))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self.skip:  # "Chat · TLightChat" (a title) is two phrases
            self.found.update(part for part in text.split(" · ") if part)


def words_of(html):
    parser = Words()
    parser.feed(html)
    return parser.found


def in_language(app, code):
    browser = app.test_client()
    browser.set_cookie(COOKIE, code)
    return browser


def register(browser, username, password="correct horse"):
    return browser.post("/register", data={
        "username": username, "password": password, "confirm": password,
        "csrf_token": form_token(browser, "/register")})


def every_page(browser, username):
    """Every page and state a person can reach, as (name, html): a guest's pages, the
    forms with their errors, the 404 and form-expired pages, then an account's."""
    pages = [(p, browser.get(p).get_data(as_text=True))
             for p in ("/", "/about", "/call", "/me", "/chat", "/login", "/register", "/nope")]
    pages.append(("register errors", browser.post("/register", data={
        "csrf_token": form_token(browser, "/register")}).get_data(as_text=True)))
    pages.append(("login errors", browser.post("/login", data={
        "username": "nobody", "password": "wrong password",
        "csrf_token": form_token(browser, "/login")}).get_data(as_text=True)))
    pages.append(("form expired", browser.post("/me", data={}).get_data(as_text=True)))
    assert register(browser, username).status_code == 302
    pages.append(("registered", browser.get("/me").get_data(as_text=True)))
    for path in ("/logout", "/me/password", "/login", "/register"):
        pages.append((path + " (account)",
                      browser.get(path, follow_redirects=True).get_data(as_text=True)))
    pages.append(("password errors", browser.post("/me/password", data={
        "current": "wrong password", "password": "short", "confirm": "other",
        "csrf_token": form_token(browser, "/me/password")}).get_data(as_text=True)))
    return pages


def test_every_page_in_every_language_says_nothing_in_english(app):
    english = every_page(in_language(app, "en"), "englishuser")
    english_words = set().union(*(words_of(html) for _, html in english))
    for code in OTHERS:
        pages = every_page(in_language(app, code), f"user{code}")
        assert [name for name, _ in pages] == [name for name, _ in english]
        allowed = SAME_EVERYWHERE | BORROWED[code] | {
            w.replace("%(version)s", __version__) for w in BORROWED[code]}
        for (name, html), (_, english_html) in zip(pages, english):
            assert f'<html lang="{code}" dir="{LANGUAGES[code][1]}"' in html, name
            # what this page shows in English, less names, numbers and the like
            left = words_of(html) & words_of(english_html) & english_words
            left = {w for w in left if re.search(r"[A-Za-z]{2}", w) and w not in allowed
                    and not re.fullmatch(r"(Guest-\d{4}|user\w+|englishuser|TLightChat \d.*|"
                                         r"English|Deutsch|Español|Français|\d[\d.]*|/nope)", w)}
            assert not left, f"{code} {name}: still English: {sorted(left)}"


# -- which language a request gets ------------------------------------------------------------

def page_of(browser, path="/", **headers):
    return browser.get(path, headers=headers).get_data(as_text=True)


def test_accept_language_german_answers_a_german_page(app):
    html = page_of(app.test_client(), **{"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    assert '<html lang="de" dir="ltr"' in html
    assert "Videoanrufe und Chat, von Browser zu Browser." in html
    assert re.search(r'data-catalog="static/i18n/de\.json\?v=\w+"', html)


def test_accept_language_arabic_answers_a_right_to_left_page(app):
    html = page_of(app.test_client(), **{"Accept-Language": "ar"})
    assert '<html lang="ar" dir="rtl"' in html and "مكالمات فيديو ودردشة" in html


@pytest.mark.parametrize("header", [None, "en-US,en;q=0.9", "ja,zh;q=0.8", "*", "x" * 300])
def test_english_without_a_supported_accept_language(app, header):
    """Selenium's headless Chromium sends en-US,en;q=0.9: the existing tests stay English."""
    headers = {"Accept-Language": header} if header else {}
    html = page_of(app.test_client(), **headers)
    assert '<html lang="en" dir="ltr"' in html and "Video calls and chat" in html


def choose(browser, code, next_path="/call"):
    return browser.post("/lang", data={"lang": code, "next": next_path,
                                       "csrf_token": form_token(browser, "/")})


def test_the_chooser_overrides_accept_language_and_is_remembered(app):
    browser = app.test_client()
    german = {"Accept-Language": "de"}
    assert '<html lang="de"' in page_of(browser, **german)
    answer = choose(browser, "fr")
    assert answer.status_code == 302 and answer.location == "call"
    assert f"{COOKIE}=fr" in answer.headers["Set-Cookie"]
    assert "Max-Age=" in answer.headers["Set-Cookie"]
    assert '<html lang="fr" dir="ltr"' in page_of(browser, **german)
    assert '<html lang="fr"' in page_of(browser, "/about", **{"Accept-Language": "ar"})
    choose(browser, "ar")
    assert '<html lang="ar" dir="rtl"' in page_of(browser, **german)


def test_the_chooser_is_on_every_page(app):
    browser = app.test_client()
    for path in ("/", "/about", "/call", "/me", "/chat", "/login", "/register", "/nope"):
        html = page_of(browser, path)
        assert 'id="lang-form"' in html and all(f'value="{code}"' in html for code in LANGUAGES), path


@pytest.mark.parametrize("code, nxt", [("xx", "/"), ("", "/"), ("de", "//evil.example/"),
                                       ("de", "https://evil.example/")])
def test_the_chooser_refuses_an_unknown_language_and_goes_nowhere_else(app, code, nxt):
    browser = app.test_client()
    answer = choose(browser, code, nxt)
    if code in LANGUAGES:
        assert answer.status_code == 302 and answer.location == "./"  # home, not away
    else:
        assert answer.status_code == 400 and not lang_cookie(answer)


def lang_cookie(answer):
    return [c for c in answer.headers.getlist("Set-Cookie") if c.startswith(COOKIE + "=")]


def test_the_chooser_needs_the_csrf_token(app):
    answer = app.test_client().post("/lang", data={"lang": "de", "next": "/"})
    assert answer.status_code == 400 and not lang_cookie(answer)


@pytest.mark.storage
def test_an_accounts_choice_follows_it_to_another_browser(app):
    first = app.test_client()
    assert register(first, "polyglot").status_code == 302
    choose(first, "ar")
    other = app.test_client()  # no cookie; its browser asks for German
    assert '<html lang="de"' in page_of(other, **{"Accept-Language": "de"})
    other.post("/login", data={"username": "polyglot", "password": "correct horse",
                               "csrf_token": form_token(other, "/login")})
    assert '<html lang="ar" dir="rtl"' in page_of(other, **{"Accept-Language": "de"})
    choose(other, "es")  # this browser's cookie, and the account's choice, now Spanish
    third = app.test_client()
    third.post("/login", data={"username": "polyglot", "password": "correct horse",
                               "csrf_token": form_token(third, "/login")})
    assert '<html lang="es"' in page_of(third)


def test_a_refusal_says_its_message_in_the_requests_language_and_keeps_its_code(app):
    refusal = Refusal("not-found", "no such call (it may have ended already)")
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        assert refusal.as_dict() == {"code": "not-found",
                                     "message": "kein solcher Anruf (vielleicht schon beendet)"}
    with app.test_request_context("/"):
        assert refusal.as_dict()["message"] == "no such call (it may have ended already)"
    assert refusal.as_dict()["message"] == "no such call (it may have ended already)"


def test_the_browser_catalog_is_served_versioned_and_immutable(app):
    browser = app.test_client()
    html = page_of(browser, **{"Accept-Language": "fr"})
    url = re.search(r'data-catalog="([^"]+)"', html).group(1)
    assert f'<link rel="preload" as="fetch" crossorigin href="{url}">' in html
    answer = browser.get("/" + url)
    assert answer.status_code == 200 and "immutable" in answer.headers["Cache-Control"]
    assert json.load(io.BytesIO(answer.data)) == browser_catalog("fr")


def test_a_socket_refusal_comes_in_the_pages_language(app):
    """The ack of a refused event, on a socket whose browser chose German: the same code,
    the message in German (the language of the cookie the connection came with)."""
    from tests.support.clients import Tab

    browser = in_language(app, "de")
    browser.get("/")
    tab = Tab(app, browser)
    ack = tab.ask("call:hangup", {"callId": "no-such-call"})
    assert ack["ok"] is False and ack["error"]["code"] == "not-found"
    assert ack["error"]["message"] == "kein solcher Anruf (vielleicht schon beendet)"


def test_a_refused_connect_says_why_in_the_pages_language(app):
    """Review of issue 25/28, finding 3: a refused connect (no identity, too many guests,
    the connection cap, a restart) carries its message in the language of the page that
    connects, as refused events do; the code stays."""
    from tlightchat.realtime.server import SIGNED_OUT, refused

    with app.test_request_context("/socket.io/", headers={"Cookie": f"{COOKIE}=de"}):
        err = refused(SIGNED_OUT.code, SIGNED_OUT.message)  # every connect refusal's way out
    data = err.error_args["data"]
    assert data["code"] == "no-session" and err.error_args["message"] == data["message"]
    assert data["message"] != SIGNED_OUT.message
    with open(TRANSLATIONS / "de" / "LC_MESSAGES" / "messages.po", encoding="utf-8") as f:
        german = {m.id: m.string for m in read_po(f) if m.id}[SIGNED_OUT.message]
    assert german and data["message"] == german


def test_a_refusal_with_values_is_translated_and_keeps_its_values(app):
    """A sentence with a value filled in (a count, a name) is a template and its values:
    the template is in the catalogs, the values are filled in after translating; the
    English sentence stays the refusal's `message` (logs, tests)."""
    from tlightchat.errors import Refusal

    err = Refusal("limit", "at most %(n)s lines per tab", n=8)
    assert err.message == "at most 8 lines per tab"
    with app.test_request_context("/", headers={"Cookie": f"{COOKIE}=de"}):
        shown = err.as_dict()
    assert shown == {"code": "limit", "message": "höchstens 8 Leitungen pro Tab"}
