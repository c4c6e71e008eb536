"""A name's initial, as static/js/views/initial.js's initialOf takes it: the first
extended grapheme cluster (UAX #29, what Intl.Segmenter splits by) that shows something
of its own (not a lone combining mark, a space or a control), upper-cased. The lobby rows
rendered into /call (web/lobby_render.py) show the avatar lobby.js will: before, the
server took the first code point (half of "👩‍💻", an "e" without its accent).

Python's unicodedata has no grapheme break property, and the `regex` module (which has
`\\X`) is not installed, so the clusters are found here, by the rules a name meets: a
character with its combining marks, joiners, variation selectors, skin tones and tags;
emoji joined by a zero-width joiner; a pair of regional indicators (a flag); Hangul
jamo that make one syllable; an Indic consonant joined to the next by a virama (GB9c);
a Prepend sign (an Arabic number sign) with what follows; CR LF.
"""
import unicodedata

_JOINER = "\u200d"
# the SpacingMark letters unicodedata files as Lo (Thai and Lao sara am)
_SPACING = frozenset("\u0e33\u0eb3")
# InCB=Linker: the viramas of Devanagari, Bengali, Gujarati, Oriya, Telugu, Malayalam
_LINKERS = frozenset("\u094d\u09cd\u0acd\u0b4d\u0c4d\u0d4d")
_INDIC = ((0x0900, 0x0980), (0x0980, 0x0A00), (0x0A80, 0x0B00), (0x0B00, 0x0B80),
          (0x0C00, 0x0C80), (0x0D00, 0x0D80))
# Prepend (GB9b): signs that attach to what follows (Arabic number signs, Malayalam dot reph…)
_PREPEND = frozenset("\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2"
                     "\u0d4e\U000110bd\U000110cd\U000111c2\U000111c3")
_VOWEL_WORDS = ("VOCALIC", "CANDRA", "SHORT", "SIGN", "DIGIT")


def _extends(ch):
    """Grapheme_Cluster_Break Extend, ZWJ or SpacingMark: stays with what precedes."""
    cp = ord(ch)
    return (unicodedata.category(ch) in ("Mn", "Me", "Mc") or ch in _SPACING
            or ch in "\u200c\u200d" or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF
            or 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F)


def _pictographic(ch):
    """Extended_Pictographic, near enough for names: the emoji blocks and symbols."""
    cp = ord(ch)
    return (0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF or 0x2300 <= cp <= 0x23FF
            or 0x2B00 <= cp <= 0x2BFF or ch in "\u00a9\u00ae\u203c\u2049\u2122\u2139\u3030\u303d")


def _regional(ch):
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _consonant(ch):
    """InCB=Consonant, near enough: a letter of those six scripts that is not a vowel."""
    cp = ord(ch)
    if unicodedata.category(ch) != "Lo" or not any(lo <= cp < hi for lo, hi in _INDIC):
        return False
    word = unicodedata.name(ch, "").split()
    return (len(word[-1]) > 1 and word[-1].endswith("A") and word[-1][0] not in "AEIOU"
            and not any(w in word for w in _VOWEL_WORDS))


def _hangul(ch):
    """L, V, T (conjoining jamo), LV or LVT (a syllable), else None."""
    cp = ord(ch)
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return "L"
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return "V"
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return "T"
    if 0xAC00 <= cp <= 0xD7A3:
        return "LV" if (cp - 0xAC00) % 28 == 0 else "LVT"
    return None


_HANGUL_JOINS = {"L": ("L", "V", "LV", "LVT"), "V": ("V", "T"), "LV": ("V", "T"),
                 "T": ("T",), "LVT": ("T",)}


def _control(ch):
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and not _extends(ch)


def _joins(grapheme, ch):
    """Whether `ch` belongs to the grapheme before it (no break between them)."""
    last = grapheme[-1]
    if last == "\r":
        return ch == "\n"
    if _control(ch) or ch == "\r":
        return False
    if last in _PREPEND:
        return True
    if _control(last):
        return False
    if _extends(ch):
        return True
    if (_hangul(ch) or "-") in _HANGUL_JOINS.get(_hangul(last), ()):
        return True
    if _regional(ch) and _regional(grapheme[0]):
        return len(grapheme) == 1  # a flag is one pair
    base = grapheme.rstrip("".join(c for c in grapheme if _extends(c)))  # grapheme[:-marks]
    if last == _JOINER and _pictographic(ch) and base and _pictographic(base[-1]):
        return True  # an emoji ZWJ sequence (GB11)
    tail = grapheme[len(base):]
    return _consonant(ch) and bool(base) and _consonant(base[-1]) \
        and any(c in _LINKERS for c in tail)  # consonant + virama + consonant (GB9c)


def graphemes(text):
    """The extended grapheme clusters of `text`, in order."""
    grapheme = ""
    for ch in text:
        if grapheme and not _joins(grapheme, ch):
            yield grapheme
            grapheme = ""
        grapheme += ch
    if grapheme:
        yield grapheme


def _visible(grapheme):
    return any(unicodedata.category(c)[0] not in "MZC" for c in grapheme)


def initial_of(name):
    """The first grapheme of `name` that shows something, upper-cased; "" if none."""
    return next((g.upper() for g in graphemes(str(name or "")) if _visible(g)), "")
