"""Evidence in a small Markdown subset: what renders, what stays text, and that nothing unsafe gets out."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString

from assessments.markdown import render_evidence

LINK_REL = 'rel="nofollow noopener noreferrer"'

# What the renderer may produce: tag -> attribute -> allowed values (None: any, checked below).
ALLOWED = {
    "p": {"class": {"govuk-body"}},
    "ul": {"class": {"govuk-list govuk-list--bullet"}},
    "ol": {"class": {"govuk-list govuk-list--number"}, "start": None},
    "li": {},
    "strong": {},
    "em": {},
    "br": {},
    "a": {
        "class": {"govuk-link", "govuk-link app-link--bare"},
        "href": None,
        "rel": {"nofollow noopener noreferrer"},
    },
}


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements = []  # (tag, attrs, the start tag as written)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs), self.get_starttag_text()))

    handle_startendtag = handle_starttag


def elements(html):
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def assert_safe(html):
    """Only the tags, attributes, classes and link schemes the renderer is meant to produce."""
    assert "<script" not in html.lower()
    for tag, attrs, written in elements(html):
        assert tag in ALLOWED, written
        assert not re.search(r"\son\w+\s*=", written, re.IGNORECASE), written
        for name, value in attrs.items():
            assert name in ALLOWED[tag], written
            if ALLOWED[tag][name] is not None:
                assert value in ALLOWED[tag][name], written
        if tag == "a" and "href" in attrs:
            assert urlsplit(attrs["href"]).scheme.lower() in {"http", "https", "mailto"}, written
            assert not re.match(r"\s*(javascript|data|vbscript):", attrs["href"], re.IGNORECASE)
        if tag == "ol" and "start" in attrs:
            assert attrs["start"].isdigit(), written


def render(text):
    return str(render_evidence(text))


# --- what renders ------------------------------------------------------------------


def test_paragraphs_are_separated_by_a_blank_line():
    assert render("First.\n\nSecond.") == (
        '<p class="govuk-body">First.</p>\n<p class="govuk-body">Second.</p>'
    )


def test_single_line_breaks_are_kept():
    assert render("Line one\nLine two") == '<p class="govuk-body">Line one<br>\nLine two</p>'


@pytest.mark.parametrize("marker", ["-", "*"])
def test_bullet_lists(marker):
    assert render(f"{marker} Research\n{marker} Testing") == (
        '<ul class="govuk-list govuk-list--bullet">\n<li>Research</li>\n<li>Testing</li>\n</ul>'
    )


def test_a_list_may_follow_a_line_of_text_without_a_blank_line():
    html = render("We did:\n- interviews\n- surveys")
    assert html.startswith('<p class="govuk-body">We did:</p>\n<ul class="govuk-list')
    assert "<li>surveys</li>" in html


def test_numbered_lists():
    assert render("1. Discovery\n2. Alpha") == (
        '<ol class="govuk-list govuk-list--number">\n<li>Discovery</li>\n<li>Alpha</li>\n</ol>'
    )


def test_numbered_list_may_start_after_1():
    assert '<ol class="govuk-list govuk-list--number" start="3">' in render("3. Beta\n4. Live")


def test_bold_and_italic():
    assert render("**Bold** and *italic* and _also italic_") == (
        '<p class="govuk-body"><strong>Bold</strong> and <em>italic</em> and <em>also italic</em></p>'
    )


def test_links_get_govuk_class_and_rel():
    assert render("[Our research](https://example.com/research)") == (
        '<p class="govuk-body"><a class="govuk-link" href="https://example.com/research" '
        f"{LINK_REL}>Our research</a></p>"
    )


def test_mailto_links():
    assert 'href="mailto:team@council.example"' in render("[Email us](mailto:team@council.example)")


def test_bare_addresses_become_links_without_the_punctuation_after_them():
    html = render("See https://example.com/report. Or (https://example.com/a_(b)_c), then stop.")
    assert (
        f'<a class="govuk-link app-link--bare" href="https://example.com/report" {LINK_REL}>'
        "https://example.com/report</a>. Or ("
    ) in html
    assert 'href="https://example.com/a_(b)_c"' in html
    assert "</a>), then stop." in html


def test_underscores_in_a_bare_address_do_not_start_italic():
    html = render("https://example.com/_layouts_/page")
    assert 'href="https://example.com/_layouts_/page"' in html
    assert "<em>" not in html


def test_links_whose_text_is_their_address_are_marked_bare_so_print_shows_it_once():
    """The print stylesheet writes each link's address after it, except for these."""
    assert 'class="govuk-link app-link--bare"' in render("https://example.com/a")
    assert 'class="govuk-link app-link--bare"' in render(
        "[https://example.com/a](https://example.com/a)"
    )
    assert 'class="govuk-link"' in render("[The report](https://example.com/a)")
    assert 'class="govuk-link"' in render("[https://example.com/a](https://example.com/b)")


def test_addresses_in_link_text_are_not_linked_twice():
    html = render("[https://example.com/a](https://example.com/b)")
    assert html.count("<a ") == 1
    assert 'href="https://example.com/b"' in html


def test_bare_www_and_email_addresses_stay_text():
    assert "<a " not in render("www.example.com and team@council.example")


def test_backslash_keeps_a_marker_as_text():
    assert render(r"\*not italic\*") == '<p class="govuk-body">*not italic*</p>'


# --- what stays as typed -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("# Heading", "# Heading"),
        ("## Heading", "## Heading"),
        ("Title\n===", "Title<br>\n==="),
        ("> quoted", "&gt; quoted"),
        ("---", "---"),
        ("`code`", "`code`"),
        ("```\ncode\n```", "```<br>\ncode<br>\n```"),
        ("| a | b |\n|---|---|", "| a | b |<br>\n|---|---|"),
        ("<b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;"),
        ("&amp; &copy;", "&amp;amp; &amp;copy;"),
        ("~~struck~~", "~~struck~~"),
    ],
)
def test_unsupported_markup_stays_as_typed(text, shown):
    assert render(text) == f'<p class="govuk-body">{shown}</p>'


def test_images_are_not_shown():
    html = render("![Chart](https://example.com/chart.png)")
    assert "<img" not in html
    assert html.startswith('<p class="govuk-body">![Chart](')


@pytest.mark.parametrize(
    "text",
    [
        "[relative](/admin/)",
        "[protocol relative](//evil.example/)",
        "[backslash](/\\evil.example)",
        "[no scheme](evil.example)",
        "[file](file:///etc/passwd)",
        "[ftp](ftp://example.com/)",
        "[bad host](http://javascript:alert(1))",
    ],
)
def test_links_to_anything_but_http_https_or_mailto_stay_as_text(text):
    html = render(text)
    assert "<a " not in html
    assert html == f'<p class="govuk-body">{text}</p>'


@pytest.mark.parametrize("text", ["", " ", "\n\n", "\t \n ", None])
def test_nothing_to_show_gives_an_empty_string(text):
    assert render_evidence(text) == ""


def test_output_is_marked_safe():
    assert isinstance(render_evidence("Hello"), SafeString)


# --- nothing unsafe gets out ---------------------------------------------------------

XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<object data=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>Send</button></form>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="color:red" class="govuk-!-display-none">x</p>',
    "<style>*{background:url(javascript:alert(1))}</style>",
    '<a href="javascript:alert(1)">x</a>',
    "<a href=https://example.com onclick=alert(1)>x</a>",
    "<!-- --><script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](java%73cript:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](\tjavascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](https://example.com/x.png)",
    "[x](ｊavascript:alert(1))",
    "[x]: javascript:alert(1)\n\n[x]",
    "<javascript:alert(1)>",
    '<https://example.com/" onmouseover="alert(1)>',
    '[x](https://example.com "title" onmouseover="alert(1)")',
    '[x](https://example.com "a\\" onmouseover=\\"alert(1)")',
    "[x](https://example.com' onmouseover='alert(1))",
    '[x](https://example.com/"><script>alert(1)</script>)',
    'https://example.com/"onmouseover="alert(1)',
    "https://example.com/'onmouseover='alert(1)",
    "https://example.com/<script>alert(1)</script>",
    "[<img src=x onerror=alert(1)>](https://example.com)",
    "[**x**](javascript:alert(1))",
    "**<script>alert(1)</script>**",
    "*[x](javascript:alert(1))*",
    "[x](https://example.com)<x onmouseover=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    '"><script>alert(1)</script>',
    "\x00<script>alert(1)</script>",
    "- <script>alert(1)</script>\n- [x](javascript:alert(1))",
    "1. <img src=x onerror=alert(1)>",
    "<script>alert(1)</script>" * 2_000,
    "[x](javascript:alert(1)) " * 2_000,
    "[" * 20_000 + "x" + "](javascript:alert(1))" * 100,
    "*" * 20_000 + "<script>",
]


@pytest.mark.parametrize("payload", XSS)
def test_nothing_unsafe_gets_out(payload):
    html = render(payload)
    assert_safe(html)
    links = [attrs for tag, attrs, _ in elements(html) if tag == "a"]
    assert all(set(attrs) == {"class", "href", "rel"} for attrs in links), html
    assert not any("javascript:" in attrs["href"].lower() for attrs in links)


def test_the_corpus_is_big_enough():
    assert len(XSS) >= 25


def test_every_supported_feature_together_is_safe():
    html = render(
        "**Research** with *12 people*\nsee https://example.com/r\n\n"
        "- [Report](https://example.com/report)\n- [Email](mailto:a@council.example)\n\n"
        "3. Third\n4. Fourth"
    )
    assert_safe(html)
    assert {tag for tag, _, _ in elements(html)} == set(ALLOWED)


# --- the template filters -------------------------------------------------------------


def render_template(source, **context):
    return Template("{% load evidence %}" + source).render(Context(context))


def test_evidence_filter_renders_the_markdown():
    html = render_template("{{ text|evidence }}", text="**Yes** <b>")
    assert html == '<p class="govuk-body"><strong>Yes</strong> &lt;b&gt;</p>'


def test_evidence_filter_of_nothing_is_empty():
    assert render_template("{{ text|evidence }}", text="") == ""


def test_the_sanitiser_alone_would_stop_what_the_parser_might_let_through():
    from assessments.markdown import _cleaner

    html = _cleaner.clean(
        '<p class="govuk-body app-evil" style="x" onclick="y">a</p><script>b</script>'
        '<a href="javascript:alert(1)" title="t">c</a><a href="/relative">d</a>'
        '<a href="https://example.com" rel="opener">e</a><img src=x onerror=f><h1>g</h1>'
    )
    assert_safe(html)
    assert '<p class="govuk-body">a</p>' in html
    assert f'<a href="https://example.com" {LINK_REL}>e</a>' in html
    assert f"<a {LINK_REL}>c</a>" in html, "the javascript: address is gone, the text kept"
    assert f"<a {LINK_REL}>d</a>" in html, "and so is the relative one"


def test_the_safety_check_itself_catches_unsafe_markup():
    for html in [
        '<a class="govuk-link" href="javascript:x" rel="nofollow noopener noreferrer">x</a>',
        '<p class="govuk-body" onclick="x">x</p>',
        "<img src=x>",
        '<p class="app-other">x</p>',
    ]:
        with pytest.raises(AssertionError):
            assert_safe(html)


def test_the_same_text_is_rendered_once_per_process(monkeypatch):
    """Check answers shows fifteen answers on every request: each text is parsed and
    sanitised once, then the rendering is reused, unchanged."""
    from assessments import markdown

    markdown._render.cache_clear()
    parsed = []
    render = markdown._md.render
    monkeypatch.setattr(markdown._md, "render", lambda text: parsed.append(text) or render(text))

    first = render_evidence("See **the plan** at https://example.com/plan.")
    second = render_evidence("See **the plan** at https://example.com/plan.")
    other = render_evidence("Something else")

    assert parsed == ["See **the plan** at https://example.com/plan.", "Something else"]
    assert first == second
    assert isinstance(second, SafeString)
    assert "<strong>the plan</strong>" in second
    assert "Something else" in other
