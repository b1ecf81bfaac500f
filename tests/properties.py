"""What property-based tests type into forms and addresses, and how they judge the answer.

The strategies make the text people (and robots) send: any Unicode, control characters
and NUL included, very long text around and far beyond a field's limit, numbers that
overflow, and values that are almost right. Hypothesis leaves out lone surrogates, which
cannot be sent as UTF-8; `raw_query` and `raw_form` send such bytes, and invalid UTF-8,
as they would arrive.

A refused form must say so clearly: an error summary whose every link leads to something
on the page, "Error:" in the title, what was typed shown back, and nothing written
(`fingerprint` is every row of the app's tables).
"""

import re
from contextlib import contextmanager
from html.parser import HTMLParser
from urllib.parse import quote_from_bytes

from django.apps import apps
from django.db import transaction
from django.utils.html import escape
from hypothesis import strategies as st

# --- strategies ----------------------------------------------------------------------

# Text a person might type, and what a robot might send.
text = st.text(max_size=40)

# Values that are almost numbers, or numbers too big for anything: more than 4,300 digits
# is more than Python's int() reads, and "²" is a digit to str.isdigit() but not to int().
ODD_NUMBERS = [
    "",
    " ",
    "-1",
    "0",
    "00",
    "1.5",
    "1e3",
    "1e309",
    "NaN",
    "inf",
    "0x1F",
    "1_000",
    " 7 ",
    "٣",
    "²",
    "①",
    "9" * 20,
    "9" * 5_000,
    str(2**63),
    str(-(2**63) - 1),
    "1\x00",
]
numbers = st.one_of(
    st.sampled_from(ODD_NUMBERS),
    st.integers().map(str),
    st.integers(min_value=2**31 - 2, max_value=2**64 + 2).map(str),
    text,
)


def long_text(limit):
    """Text of about `limit` characters: one under, at, one over, and far over."""
    lengths = st.one_of(
        st.sampled_from([limit - 1, limit, limit + 1, 10 * limit]),
        st.integers(min_value=0, max_value=2 * limit),
    )
    return st.builds(
        lambda chunk, length: (chunk * length)[:length], st.text(min_size=1, max_size=3), lengths
    )


def typed(limit=None, *examples):
    """What may be typed into a text field: anything, around its limit, or a good value."""
    options = [text]
    if limit is not None:
        options.append(long_text(limit))
    if examples:
        options.append(st.sampled_from(examples))
    return st.one_of(*options)


def choice(*known):
    """A choice field's value: one it knows, or anything else."""
    return st.one_of(st.sampled_from(known), text, numbers)


# Any bytes, and those of a lone surrogate encoded as UTF-8 (which Python refuses to decode).
raw_bytes = st.one_of(st.binary(max_size=30), st.just(b"\xed\xa0\x80"), st.just(b"\xff\xfe\x00"))


def raw_query(params):
    """A query string or form body from {name: bytes}, percent-encoded as sent."""
    return "&".join(f"{name}={quote_from_bytes(value)}" for name, value in params.items())


# --- judging the answer ------------------------------------------------------------------


def fingerprint():
    """Every row of the app's tables, people's passwords included."""
    return {
        model._meta.label: sorted(map(repr, model.objects.order_by().values_list()))
        for model in apps.get_app_config("assessments").get_models()
    }


@contextmanager
def rolled_back():
    """Whatever an example writes is undone, so each example starts from the same data."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Page(HTMLParser):
    """The ids on a page, the error summary's links, and for each GOV.UK form group the
    ids inside it and whether it shows an error message."""

    def __init__(self):
        super().__init__()
        self.ids = set()
        self.summary_links = []
        self.password_values = []  # what password inputs show (Django shows nothing)
        self.groups = []  # [ids inside, shows an error message]
        self._open = []  # (tag, the group it starts, or None)
        self._in_summary_list = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        group = None
        if "govuk-form-group" in classes:
            group = [set(), False]
            self.groups.append(group)
        open_groups = [g for _, g in self._open if g is not None] + ([group] if group else [])
        if "id" in attributes:
            self.ids.add(attributes["id"])
            for g in open_groups:
                g[0].add(attributes["id"])
        if "govuk-error-message" in classes:
            for g in open_groups:
                g[1] = True
        if tag == "input" and attributes.get("type") == "password":
            self.password_values.append(attributes.get("value") or "")
        if "govuk-error-summary__list" in classes:
            self._in_summary_list = True
        elif tag == "a" and self._in_summary_list:
            self.summary_links.append(attributes.get("href") or "")
        if tag not in VOID:
            self._open.append((tag, group))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self._open.pop()

    def handle_endtag(self, tag):
        if tag == "ul":
            self._in_summary_list = False
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break


def shows(html, value):
    """Whether `html` shows `value` as typed (escaped): its longest line, at least."""
    line = max((line.strip() for line in value.splitlines()), key=len, default="")
    return escape(line) in html


def assert_refused_clearly(response, *, typed=(), not_echoed=()):
    """The form was refused and says why: an error summary whose links each lead to
    something on the page (a field with its error message, or a banner), and "Error:"
    in the title. `typed` must come back; passwords (`not_echoed`) must not."""
    html = response.content.decode()
    assert response.status_code == 200, response.status_code
    page = _Page()
    page.feed(html)
    assert page.summary_links, "refused without an error summary"
    for href in page.summary_links:
        assert href[1:] in page.ids, f"the error summary links to {href!r}, not on the page"
        around = [shows_error for ids, shows_error in page.groups if href[1:] in ids]
        assert not around or any(around), f"no error message at {href}"
    title = re.search(r"<title>(.*?)</title>", html, re.DOTALL).group(1)
    assert title.startswith("Error: "), title
    for value in typed:
        assert shows(html, value), f"what was typed is not shown back: {value[:60]!r}"
    if not_echoed:
        assert not any(page.password_values), "a password was shown back"
