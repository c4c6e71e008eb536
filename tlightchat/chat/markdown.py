"""Chat Markdown → safe HTML, on the server, in two independent layers.

1. markdown-it-py renders CommonMark with raw HTML *disabled* (a `<script>` in a message
   is text, shown as text), images disabled (no tracking pixels, no `data:` URLs), bare
   URLs linkified, newlines kept as line breaks, as people expect in a chat.
2. nh3 (ammonia) then keeps only an allowlist of tags and attributes, only http(s) and
   mailto links, and stamps every link `target=_blank rel="noopener noreferrer nofollow"`.

Either layer alone would stop the usual attacks; both together mean a bug or a new
feature in one of them does not open a hole. The browser inserts the result as HTML.

Rendered once, when a message is stored (chat/service.py, off the event loop); the HTML
is kept with the message and reads never render. The renderer's worst case is bounded
by structure: link labels are what cost most per character (each `[` starts a label
scan; a 4,000-character text of `[` cost ~20 inline scans per character), so a text
with more than MAX_LINK_OPENERS `[` is shown as plain text (escaped, line breaks kept),
which costs one pass. Nesting is bounded by maxNesting.
"""
import html
import re
from functools import lru_cache

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "s", "del", "code", "pre", "a", "ul", "ol", "li",
    "blockquote", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"
_ABSOLUTE_LINK = re.compile(r"(?i)^(https?://[^\s]|mailto:[^\s])")
# More `[` than this in one message: plain text (a chat message with links has a few).
MAX_LINK_OPENERS = 64



@lru_cache(maxsize=None)
def renderer():
    """The Markdown renderer, made at the first message (markdown-it-py and nh3 are
    2 MiB of a server that nobody has written to yet: issue 33.3)."""
    from markdown_it import MarkdownIt

    md = (MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True,
                                    "typographer": False, "maxNesting": 20})
          .enable(["linkify", "strikethrough"])
          # Headings from "# " or an underline surprise people in a chat; images would
          # load third-party URLs (and data: URLs) in everyone's browser.
          .disable(["image", "html_inline", "html_block", "heading", "lheading"]))
    # Only absolute http(s) and mailto links become links; anything else stays text.
    md.validateLink = lambda url: _ABSOLUTE_LINK.match(url) is not None
    return md


def __getattr__(name):
    """`_md`: the renderer by its former name (tests turn one layer off through it)."""
    if name == "_md":
        return renderer()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def sanitise(html):
    import nh3  # on use, as the renderer

    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel=LINK_REL,
                     set_tag_attribute_values={"a": {"target": "_blank"}},
                     url_relative="deny",
                     strip_comments=True)


def plain(text):
    """Text shown as written: escaped, paragraphs and line breaks kept, no Markdown."""
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", text.strip()) if p.strip()]
    return "\n".join("<p>" + html.escape(p, quote=False).replace("\n", "<br>\n") + "</p>"
                     for p in paragraphs)


def render(text):
    """Markdown source (already length-checked) → sanitised HTML, in bounded work."""
    if text.count("[") > MAX_LINK_OPENERS:
        return sanitise(plain(text)).strip()
    return sanitise(renderer().render(text)).strip()
