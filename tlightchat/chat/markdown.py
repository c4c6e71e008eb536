"""Chat Markdown → safe HTML, on the server, in two independent layers.

1. markdown-it-py renders CommonMark with raw HTML *disabled* (a `<script>` in a message
   is text, shown as text), images disabled (no tracking pixels, no `data:` URLs), bare
   URLs linkified, newlines kept as line breaks, as people expect in a chat.
2. nh3 (ammonia) then keeps only an allowlist of tags and attributes, only http(s) and
   mailto links, and stamps every link `target=_blank rel="noopener noreferrer nofollow"`.

Either layer alone would stop the usual attacks; both together mean a bug or a new
feature in one of them does not open a hole. The browser inserts the result as HTML.
"""
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "s", "del", "code", "pre", "a", "ul", "ol", "li",
    "blockquote", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"
_ABSOLUTE_LINK = re.compile(r"(?i)^(https?://[^\s]|mailto:[^\s])")

_md = (MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True,
                                 "typographer": False, "maxNesting": 20})
       .enable(["linkify", "strikethrough"])
       # Headings from "# " or an underline surprise people in a chat; images would
       # load third-party URLs (and data: URLs) in everyone's browser.
       .disable(["image", "html_inline", "html_block", "heading", "lheading"]))
# Only absolute http(s) and mailto links become links; anything else stays text.
_md.validateLink = lambda url: _ABSOLUTE_LINK.match(url) is not None


def sanitise(html):
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel=LINK_REL,
                     set_tag_attribute_values={"a": {"target": "_blank"}},
                     url_relative="deny",
                     strip_comments=True)


@lru_cache(maxsize=4096)
def render(text):
    """Markdown source (already length-checked) → sanitised HTML."""
    return sanitise(_md.render(text)).strip()
