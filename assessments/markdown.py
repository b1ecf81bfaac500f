"""Evidence text in a small, safe subset of Markdown, rendered with GOV.UK classes.

Council teams paste evidence from documents and emails, so what they type is kept:

- supported: paragraphs (a blank line between them), single line breaks (kept as
  <br>), bullet lists (- or *), numbered lists (1.), **bold**, *italic*, links
  [text](https://…) and bare http(s):// addresses, which become links;
- everything else shows as the text that was typed: raw HTML, images, headings
  ("# x" stays a paragraph with the # visible), tables, code, quotes, rules.

Links may only go to http, https and mailto addresses. Anything else (javascript:,
data:, vbscript:, relative paths, //host) is not made into a link, so the text is
shown as typed. The HTML is then sanitised with nh3 against the same short list
of tags, attributes and classes, in case a bug in the parser ever lets something
through.

Bare addresses are linked by our own small rule, not markdown-it's `linkify`,
which needs the linkify-it-py package. It links http:// and https:// only (not
"www." or email addresses), which is what evidence usually contains.

Rendering and sanitising cost about a millisecond per answer, and a page such as check
answers or a published report shows fifteen of them, on every request. The result depends
only on the text (and this module's code), so each app server keeps the most recent
renderings in memory, keyed by the text itself: nothing to share or invalidate between
servers, nothing stored that the next deploy could find stale, and no cache service needed.
"""

import functools
import re
from urllib.parse import urlsplit

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# The only markup the renderer produces, and so the only markup the sanitiser keeps.
CLASSES = {
    "p": "govuk-body",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "a": "govuk-link",
}
# A link whose text is its address: the print stylesheet does not write the address twice.
BARE_LINK = "app-link--bare"
TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "a"}
LINK_REL = "nofollow noopener noreferrer"
SCHEMES = {"http", "https", "mailto"}

_HOST = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?")
_SCHEME_BEFORE = re.compile(r"(?:^|[^a-z0-9.+-])(https?)$", re.IGNORECASE)
_BARE_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\"*_~"
_CLOSERS = {")": "(", "]": "["}


class _EvidenceMarkdown(MarkdownIt):
    def validateLink(self, url):
        """Only http(s) addresses with a plain host name, and mailto: (`url` is normalised)."""
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
        except ValueError:
            return False
        if parts.scheme.lower() == "mailto":
            return bool(parts.path)
        return parts.scheme.lower() in {"http", "https"} and bool(
            _HOST.fullmatch(parts.hostname or "")
        )


def _no_images(state, silent):
    """Keep "![alt](src)" as typed: consume "![" so the link rule never sees it."""
    if state.src.startswith("![", state.pos):
        if not silent:
            state.push("text", "", 0).content = "!["
        state.pos += 2
        return True
    return False


def _trim(url):
    """A bare address without the punctuation that ends the sentence around it."""
    while url:
        last = url[-1]
        if last in _TRAILING or (last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last])):
            url = url[:-1]
        else:
            break
    return url


def _bare_link(state, silent):
    """Link a bare http(s):// address, found at its "://" as markdown-it's own linkify does.

    Running as an inline rule (not on the finished text) means emphasis markers
    inside an address, as in https://example.com/_layouts_/x, stay part of it.
    """
    if state.linkLevel > 0 or not state.src.startswith("://", state.pos):
        return False
    scheme = _SCHEME_BEFORE.search(state.pending)
    if not scheme:
        return False
    start = state.pos - len(scheme.group(1))
    match = _BARE_URL.match(state.src, start, state.posMax)
    url = _trim(match.group()) if match else ""
    href = state.md.normalizeLink(url)
    if len(url) <= len(scheme.group(1)) + 3 or not state.md.validateLink(href):
        return False
    if not silent:
        state.pending = state.pending[: -len(scheme.group(1))]
        state.push("link_open", "a", 1).attrs = {"href": href}
        state.push("text", "", 0).content = state.md.normalizeLinkText(url)
        state.push("link_close", "a", -1)
    state.pos = start + len(url)
    return True


def _govuk(state):
    """Give every element its GOV.UK class, and links their rel (and no title); mark the
    links whose text is their address."""
    for token in state.tokens:
        if token.type in ("paragraph_open", "bullet_list_open", "ordered_list_open"):
            start = token.attrs.get("start")  # a numbered list that does not start at 1
            token.attrs = {"class": CLASSES[token.tag]} | ({"start": start} if start else {})
        children = token.children or []
        for position, child in enumerate(children):
            if child.type == "link_open":
                href = child.attrs["href"]
                after = children[position + 1]  # a link has its text, then link_close
                bare = after.type == "text" and _is_address(after, href)
                classes = f"{CLASSES['a']} {BARE_LINK}" if bare else CLASSES["a"]
                child.attrs = {"class": classes, "href": href, "rel": LINK_REL}


def _is_address(text, href):
    """Whether a link's text token is the link's own address (as typed, or as shown)."""
    return text.content in (href, _md.normalizeLinkText(href))


_md = _EvidenceMarkdown("zero", {"html": False, "breaks": True, "linkify": False}).enable(
    ["paragraph", "list", "newline", "escape", "emphasis", "link"]
)
_md.inline.ruler.after("text", "bare_link", _bare_link)
_md.inline.ruler.before("link", "no_images", _no_images)
_md.core.ruler.push("govuk", _govuk)

_cleaner = nh3.Cleaner(
    tags=TAGS,
    attributes={"*": set(), "a": {"href"}, "ol": {"start"}},  # "*": not even title or lang
    allowed_classes={tag: set(classes.split()) for tag, classes in CLASSES.items()}
    | {"a": {CLASSES["a"], BARE_LINK}},
    link_rel=LINK_REL,
    url_schemes=SCHEMES,
    url_relative="deny",
    strip_comments=True,
)


# Renderings kept per process: evidence is at most a few thousand characters, so this holds
# a few megabytes at most, the answers of the pages most recently drawn.
RENDERINGS_KEPT = 2048


def render_evidence(text):
    """Evidence as safe HTML with GOV.UK classes; "" when there is nothing to show."""
    if not text or not text.strip():
        return SafeString("")
    return _render(str(text))


@functools.lru_cache(maxsize=RENDERINGS_KEPT)
def _render(text):
    """The rendering of `text`, remembered: the same text always renders the same."""
    return mark_safe(_cleaner.clean(_md.render(text)).strip())
