"""The server's avatar letter (issue 33.1): the first grapheme of a name, as the browser's
views/initial.js initialOf takes it (Intl.Segmenter), so the lobby rows rendered into
/call show what lobby.js will: the same cases as tests/js/initial.test.mjs."""
import pytest

from tlightchat.web.initial import initial_of


@pytest.mark.parametrize("name, initial", [
    # the first letter, upper-cased
    ("ada", "A"), ("Émile", "É"), ("  bob", "B"), ("Ωmega", "Ω"), ("علي", "ع"),
    # an emoji is one grapheme, not half of one
    ("😀 Ada", "😀"),
    ("👩\u200d💻 dev", "👩\u200d💻"),  # joined by a zero-width joiner
    ("🇫🇷 Fr", "🇫🇷"),  # a flag: two regional indicators
    ("👍🏽ok", "👍🏽"),  # with a skin tone
    # a combining mark stays on its letter
    ("e\u0301mile", "E\u0301"),  # é written as e + combining acute
    ("\u0301ada", "A"),  # a lone mark first shows nothing of its own
    ("\u200bzoe", "Z"),  # nor does a zero-width space
    # no name, no initial
    ("", ""), ("   ", ""), (None, ""),
])
def test_the_initial_is_the_first_visible_grapheme_upper_cased(name, initial):
    assert initial_of(name) == initial


@pytest.mark.parametrize("name, initial", [
    ("❤\ufe0f love", "❤\ufe0f"),  # a variation selector
    ("🇫🇷🇩🇪", "🇫🇷"),  # two flags: the first pair only
    ("👨\u200d👩\u200d👧 fam", "👨\u200d👩\u200d👧"),  # a ZWJ family
    ("1\ufe0f\u20e3 one", "1\ufe0f\u20e3"),  # a keycap
    ("🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f x",
     "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"),  # England: tags
    ("\u1100\u1161\u11a8 han", "\u1100\u1161\u11a8"),  # Hangul written as jamo: one syllable
    ("क्षत्रिय", "क्ष"),  # a consonant, a virama, a consonant: one conjunct (GB9c)
    ("किताब", "कि"),  # a vowel sign stays on its consonant
    ("\u0600\u0661 x", "\u0600\u0661"),  # an Arabic number sign goes with what follows
    ("a\u200db", "A\u200d"),  # a joiner after a letter: no emoji sequence follows
])
def test_more_clusters(name, initial):
    assert initial_of(name) == initial
