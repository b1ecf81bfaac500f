"""Cross-site scripting: payloads to type into every field, and a check that a page
has no markup that could run script.

The payloads are grouped by the place where each would run if the page did not
escape it: as markup in the page (MARKUP, and PARSER_TRICKS aimed at filters and
browsers' parsers), as an address in a link (ADDRESSES), inside an attribute's value
(BREAKOUTS), through a template engine (TEMPLATES), or through the evidence's
Markdown (MARKDOWN). tests/test_xss.py checks that each group really would run
there, so a payload that proves nothing cannot creep in.

`executable_markup(html)` parses a page with the standard library's HTMLParser and
lists what could run script or send the page elsewhere: a <script> that is not
ours, an on* attribute, a javascript:, vbscript: or data: address (after undoing
entities, percent-encoding, whitespace and control characters, and case), an
element that loads or runs other content (<iframe>, <object>, <embed>, <base>,
<meta http-equiv>, <svg> and <math> that are not ours), and any style.
"""

import html as html_lib
import os
import re
from html.parser import HTMLParser
from urllib.parse import unquote

from django.conf import settings

from lgdss.inline_script import JS_ENABLED

# --- the payloads -----------------------------------------------------------------

# Markup that runs script (or loads something that could) if a page shows it unescaped.
MARKUP = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<script/src=data:,alert(1)></script>",
    "</script><script>alert(1)</script>",
    "<script>alert(1)//",
    "<<script>alert(1);//<</script>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x ONERROR=alert(1)>",
    "<img/src='x'/onerror=alert(1)>",
    "<body onload=alert(1)>",
    "<input onfocus=alert(1) autofocus>",
    "<select autofocus onfocus=alert(1)></select>",
    "<textarea autofocus onfocus=alert(1)></textarea>",
    "<details open ontoggle=alert(1)>",
    "<div onpointerenter=alert(1)>x</div>",
    "<a onmouseover=alert(1)>x</a>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="0" y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><set attributeName=href to=javascript:alert(1) /></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    "<iframe src=https://evil.example></iframe>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<object data=https://evil.example/x.swf></object>",
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    "<embed src=https://evil.example/x.swf>",
    "<embed src=javascript:alert(1)>",
    "<style>body{background:url('javascript:alert(1)')}</style>",
    "<style>@import 'https://evil.example/x.css';</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="position:fixed;inset:0;background:red">x</p>',
    "<link rel=stylesheet href=https://evil.example/x.css>",
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<meta http-equiv="Content-Security-Policy" content="script-src *">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" &#14;javascript:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    "<a href=javas&#99;ript:alert(1)>x</a>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)>",
    "<form action=javascript:alert(1)><input type=submit></form>",
    "<form><button formaction=javascript:alert(1)>x</button></form>",
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    "<frameset onload=alert(1)>",
    "<template><script>alert(1)</script></template>",
    # Broken and nested markup.
    "<<img src=x onerror=alert(1)>>",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<?xml version="1.0"?><script>alert(1)</script>',
    '<a href="https://example.com"><a href="javascript:alert(1)">nested</a></a>',
    "<p><b><i><u><script>alert(1)</script>",
    '<img """><script>alert(1)</script>">',
    "<div/onclick=alert(1)>x",
    "<img src=x onerror\x00=alert(1)>",
    "<scr\x00ipt>alert(1)</script><script>alert(2)</script>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    '"></option></select><script>alert(1)</script>',
    "<ſcript>alert(1)</ſcript><script>alert(1)</script>",
    "https://example.com/<svg/onload=alert(1)>",
    "<script>alert(1)</script>" * 1_000,
]

# Tricks aimed at filters and at the differences between HTML parsers: harmless as they
# stand to the standard library's parser, dangerous to a filter that strips <script>
# once, or to a browser (which ends <noscript> early, and keeps a tag left open until
# the page's next ">").
PARSER_TRICKS = [
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<img src=x onerror=alert(1)//",
    "<![CDATA[<script>alert(1)</script>]]>",
]

# Addresses that run script (or show a page of the attacker's) if a link goes to them.
ADDRESSES = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java\rscript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript&colon;alert(1)",
    "javascript&#58;alert(1)",
    "java%73cript:alert(1)",
    "%6A%61vascript:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "javascript://%0aalert(1)",
    "javascript://example.com/%0Aalert(1)",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>",
    " data:image/svg+xml,<svg onload=alert(1)>",
]

# Values that break out of an HTML attribute if put into one unescaped.
BREAKOUTS = [
    '"><img src=x onerror=alert(1)>',
    "'><img src=x onerror=alert(1)>",
    "`><img src=x onerror=alert(1)>",
    '" onmouseover="alert(1)',
    "' onmouseover='alert(1)",
    "x onmouseover=alert(1)",
    '" autofocus onfocus="alert(1)',
    '"/><script>alert(1)</script>',
    'x" style="background:red',
    '" accesskey="x" onclick="alert(1)',
    'https://example.com/"onmouseover="alert(1)',
    "https://example.com/'onmouseover='alert(1)",
    'https://example.com/"><script>alert(1)</script>',
]

# Template syntax: shown as typed, never evaluated (and never the secret key).
TEMPLATES = [
    "{{ 7*7 }}",
    "{{ settings.SECRET_KEY }}",
    "{{ request.user.password }}",
    "{% debug %}",
    "{% load static %}{% static 'x' %}",
    "{% include 'base.html' %}",
    "${7*7}",
    "#{7*7}",
    "<%= 7*7 %>",
    "{{constructor.constructor('alert(1)')()}}",
]

# Evidence is Markdown: links, images, autolinks, references and HTML blocks.
MARKDOWN = [
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](java&#115;cript:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](java%73cript:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](\tjavascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x"onerror="alert(1)](https://example.com/x.png)',
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<https://example.com/ onmouseover=alert(1)>",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    '[ref]\n\n[ref]: data:text/html,<script>alert(1)</script> "title"',
    '[x](https://example.com "title\\" onmouseover=\\"alert(1)")',
    '[x](https://example.com/"onmouseover="alert(1))',
    "[<img src=x onerror=alert(1)>](https://example.com)",
    "[x](https://example.com)<img src=x onerror=alert(1)>",
    "**[x](javascript:alert(1))**",
    "- [x](javascript:alert(1))\n- <script>alert(1)</script>",
    "<div>\n<script>alert(1)</script>\n</div>",
    "<details open ontoggle=alert(1)>\n\n**x**\n\n</details>",
    "<!-- comment -->\n<script>alert(1)</script>",
    "<pre><script>alert(1)</script></pre>",
    "```html\n<script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    "https://example.com/<script>alert(1)</script>",
    '[x](mailto:"><script>alert(1)</script>)',
]

GROUPS = [MARKUP, PARSER_TRICKS, ADDRESSES, BREAKOUTS, TEMPLATES, MARKDOWN]
PAYLOADS = [payload for group in GROUPS for payload in group]


def payloads_for_pages():
    """The payloads typed into every field and read back from every page: all of them in
    CI (CI=true) or with XSS_PAYLOADS=all, otherwise every third of each group, which
    keeps a local run of the suite quick (the sweep reads some fifty pages a payload)."""
    if os.environ.get("CI") == "true" or os.environ.get("XSS_PAYLOADS") == "all":
        return PAYLOADS
    return [payload for group in GROUPS for payload in group[::3]]


def as_email(payload):
    """The payload as the quoted local part of an email address, which Django's
    EmailValidator accepts: "<script>alert(1)</script>"@example.com."""
    quoted = payload.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}"@example.com'


# --- the check --------------------------------------------------------------------

# The one inline script of our pages, GOV.UK Frontend's "js-enabled" snippet, which
# base.html prints from lgdss/inline_script.py.
OUR_INLINE_SCRIPTS = frozenset({JS_ENABLED})
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
# Attributes whose value is an address the browser may load or follow.
ADDRESS_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "lowsrc",
    "dynsrc",
    "codebase",
    "cite",
    "longdesc",
    "ping",
    "srcset",
}
# Elements that load or run other content. We use none of them.
FORBIDDEN_ELEMENTS = {
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "style",
    "portal",
    "math",
    "animate",
    "set",
    "animatemotion",
    "animatetransform",
    "handler",
    "listener",
}
# Our own inline SVG: the pagination arrows.
OUR_SVG_CLASS = ("govuk-pagination__icon", "app-chart__")  # icons, and charts drawn by us


def normalised_address(value):
    """An address as a browser reads its scheme: entities and percent-encoding undone,
    whitespace and control characters (which browsers ignore there) removed, lower case."""
    text = value or ""
    for _ in range(3):  # entities inside entities, too
        text = html_lib.unescape(text)
    text = unquote(text)
    return re.sub(r"[\x00-\x20\x7f-\x9f]", "", text).lower()


def dangerous_address(value):
    return normalised_address(value).startswith(DANGEROUS_SCHEMES)


# The one <link> a page may have outside our static files: the feed of publications.
OUR_FEED = "/feeds/published/"


def _our_link(attributes):
    """Our stylesheets and icons, or the alternate (Atom) address of our own feed."""
    href = attributes.get("href") or ""
    if href.startswith(settings.STATIC_URL) and not href.startswith("//"):
        return True
    return attributes.get("rel") == "alternate" and href == OUR_FEED


class _Checker(HTMLParser):
    def __init__(self, allowed_styles):
        super().__init__(convert_charrefs=True)
        self.allowed_styles = allowed_styles
        self.problems = []
        self._inline_script = None

    def handle_starttag(self, tag, attrs):
        written = self.get_starttag_text()
        attributes = dict(attrs)
        if tag == "script":
            source = attributes.get("src")
            if source is None:
                self._inline_script = []
            elif not (source.startswith(settings.STATIC_URL) and not source.startswith("//")):
                self.problems.append(f"a script from elsewhere: {written}")
        elif tag in FORBIDDEN_ELEMENTS:
            self.problems.append(f"<{tag}>: {written}")
        elif tag == "svg" and not (attributes.get("class") or "").startswith(OUR_SVG_CLASS):
            self.problems.append(f"an <svg> that is not ours: {written}")
        elif tag == "meta" and "http-equiv" in attributes:
            self.problems.append(f"<meta http-equiv>: {written}")
        elif tag == "link" and not _our_link(attributes):
            self.problems.append(f"a <link> to elsewhere: {written}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"an event handler ({name}): {written}")
            elif name == "style" and (tag, value) not in self.allowed_styles:
                self.problems.append(f"a style attribute: {written}")
            elif name == "srcdoc":
                self.problems.append(f"srcdoc: {written}")
            elif name in ADDRESS_ATTRIBUTES and dangerous_address(value):
                self.problems.append(f"a {normalised_address(value)[:12]} address: {written}")

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        if self._inline_script is not None:
            self._inline_script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._inline_script is not None:
            text = "".join(self._inline_script).strip()
            if text not in OUR_INLINE_SCRIPTS:
                self.problems.append(f"an inline script that is not ours: {text[:80]!r}")
            self._inline_script = None


def executable_markup(html, *, allowed_styles=frozenset()):
    """What in `html` could run script or send the reader elsewhere, in words ([] if nothing).

    `allowed_styles` are (tag, style) pairs that are ours (emails style their markup inline).
    """
    checker = _Checker(allowed_styles)
    checker.feed(html)
    checker.close()
    if checker._inline_script is not None:
        checker.problems.append("a <script> that is never closed")
    if settings.SECRET_KEY in html:
        checker.problems.append("the secret key")
    return checker.problems


def styles_in(html):
    """The (tag, style) pairs of `html`: those of an email rendered with harmless values."""
    found = set()

    class _Styles(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.update((tag, value) for name, value in attrs if name == "style")

    _Styles().feed(html)
    return frozenset(found)
