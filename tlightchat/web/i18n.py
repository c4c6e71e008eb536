"""The language of every page: English, German, Spanish, French and Arabic (issue 28).

Which one, first that applies: the chooser's cookie (`tlc_lang`, set by POST /lang from
the menu on every page), the language stored on a signed-in account (the chooser stores
it there too, so it follows the account to another browser), the browser's
`Accept-Language`, English. The page's `<html lang dir>` follow it, and it names the
browser's JSON catalog (static/i18n/<lang>.json, versioned like every static file).

Server text goes through Flask-Babel's gettext (translations/, compiled to .mo by
`make setup`); a protocol refusal's `message` is translated where it is sent
(errors.Refusal.as_dict); its `code` never changes.
"""
import contextvars
import functools
import os
from contextlib import contextmanager

from babel.support import Translations

from flask import Blueprint, current_app, g, has_request_context, redirect, request, url_for
from flask_babel import Babel, format_date, get_locale

from .urls import same_site_path

# code -> (its own name, writing direction); English first: the default.
LANGUAGES = {
    "en": ("English", "ltr"),
    "de": ("Deutsch", "ltr"),
    "es": ("Español", "ltr"),
    "fr": ("Français", "ltr"),
    "ar": ("العربية", "rtl"),
}
DEFAULT = "en"
COOKIE = "tlc_lang"
COOKIE_AGE = 365 * 24 * 3600


def supported(code):
    """`code` when it is one of LANGUAGES, else None (anything a client sends is checked)."""
    return code if isinstance(code, str) and code in LANGUAGES else None


def choose():
    """The current request's language code (see the module's docstring)."""
    if not has_request_context():
        return DEFAULT
    chosen = supported(request.cookies.get(COOKIE))
    if chosen:
        return chosen
    user = g.get("user")
    stored = supported(getattr(user, "locale", None)) if user is not None and \
        getattr(user, "is_account", False) else None
    if stored:
        return stored
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT)


def current():
    """The current request's language code, as Flask-Babel resolved it."""
    locale = get_locale()
    return supported(str(locale)) or DEFAULT if locale else DEFAULT


# A socket's events run outside any request (realtime/server.py's on_event): the language
# its page had when it connected is kept by sid, and set for the event being handled.
_by_sid = {}
_speaking = contextvars.ContextVar("tlc_language", default=None)


def remember(sid):
    """At a socket's connect (a request context): keep its page's language."""
    _by_sid[sid] = current()


def forget(sid):
    _by_sid.pop(sid, None)


@contextmanager
def speaking(sid):
    """Handle one event of socket `sid` in the language it connected with."""
    token = _speaking.set(_by_sid.get(sid))
    try:
        yield
    finally:
        _speaking.reset(token)


def event_language():
    """The language of the socket event being handled (see speaking), or None."""
    return _speaking.get()


@functools.lru_cache(maxsize=None)
def _catalog(code):
    return Translations.load(os.path.join(current_app.root_path, "translations"), [code])


def gettext_in(code, message):
    """`message` translated to `code` (one of LANGUAGES), outside any request: no
    locale selector is touched, so parallel events in other languages cannot mix."""
    return message if code in (None, DEFAULT) else _catalog(code).gettext(message)


def blueprint(save_choice):
    """POST /lang: `lang` (one of LANGUAGES) and `next` (a path on this site). Sets the
    cookie, stores the choice on a signed-in account (`save_choice(user, code)`), and
    goes back to `next`. An unknown language is refused (400)."""
    bp = Blueprint("i18n", __name__)

    @bp.post("/lang")
    def choose_language():
        code = supported(request.form.get("lang"))
        if code is None:
            return "Unknown language.", 400
        if g.get("user") is not None and g.user.is_account:
            save_choice(g.user, code)
        target = same_site_path(request.form.get("next", "")) or url_for("pages.home")
        response = redirect(target)
        response.set_cookie(COOKIE, code, max_age=COOKIE_AGE, samesite="Lax", httponly=True,
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
        return response

    return bp


def saver(db):
    """Stores a language code on an account's row (users.locale, migration 0009)."""
    from ..db import User

    def save(user, code):
        with db.session() as s:
            row = s.get(User, user.id)
            if row is not None:
                row.locale = code
        user.locale = code

    return save


def init_app(app, db):
    """Flask-Babel over translations/, the /lang chooser, and the templates' helpers."""
    Babel(app, locale_selector=choose, default_translation_directories="translations")
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # as babel.cfg extracts them
    app.register_blueprint(blueprint(saver(db)))

    @app.context_processor
    def language_facts():
        code = current()
        return {"lang": code, "lang_dir": LANGUAGES[code][1], "languages": LANGUAGES,
                "catalog": f"i18n/{code}.json", "format_date": format_date}
