"""Chat Markdown's two layers, each alone (issue 34, item 6).

markdown.py says either layer alone must stop the usual attacks. Through `render` the
two are only ever seen together, so turning one off (e.g. `_md.validateLink = lambda url:
True`) went unnoticed: the other still dropped the bad links. Here each is tested on its own.
"""
import re

import pytest

from tlightchat.chat.markdown import _md, sanitise

BAD_LINKS = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "vbscript:msgbox(1)",
             "data:text/html,<script>alert(1)</script>", "file:///etc/passwd",
             "/relative/path", "../up", "//evil.example/x", "ftp://files.example/x",
             "#fragment", "?query=1"]
GOOD_LINKS = ["https://example.org/a?b=1", "http://example.org", "mailto:a@example.org"]


def hrefs(html):
    return re.findall(r'href="([^"]*)"', html)


@pytest.mark.parametrize("url", BAD_LINKS)
def test_markdown_alone_makes_no_link_to_a_bad_url(url):
    for source in (f"[click]({url})", f"<{url}>", f"[click][r]\n\n[r]: {url}"):
        html = _md.render(source)
        assert "<a " not in html, (source, html)


@pytest.mark.parametrize("url", GOOD_LINKS)
def test_markdown_alone_still_links_good_urls(url):
    assert hrefs(_md.render(f"[click]({url})")) == [url.replace("&", "&amp;")]


def test_markdown_alone_renders_no_html_or_images():
    html = _md.render('<script>alert(1)</script> <img src=x onerror=alert(1)> '
                      '![i](https://example.org/p.png)\n\n<div onclick="x">b</div>')
    assert "<script" not in html and "<img" not in html and "<div" not in html, html


@pytest.mark.parametrize("url", BAD_LINKS)
def test_the_sanitiser_alone_drops_a_bad_url(url):
    html = sanitise(f'<p><a href="{url}">click</a></p>')
    assert hrefs(html) == [], html


@pytest.mark.parametrize("url", GOOD_LINKS)
def test_the_sanitiser_alone_keeps_a_good_url_and_stamps_it(url):
    html = sanitise(f'<a href="{url}" onclick="x" target="_self" rel="opener">l</a>')
    assert hrefs(html) == [url]
    assert 'target="_blank"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "onclick" not in html and "_self" not in html and '"opener"' not in html


def test_the_sanitiser_alone_drops_tags_and_attributes_outside_the_allowlist():
    html = sanitise('<script>alert(1)</script><style>p{}</style><img src=x onerror=1>'
                    '<iframe src="https://e.example"></iframe><form><input></form>'
                    '<p style="x" onclick="y" class="z">text</p><!-- c -->'
                    '<ol start="3" onmouseover="q"><li>i</li></ol>')
    assert html == '<p>text</p><ol start="3"><li>i</li></ol>', html
