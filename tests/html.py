"""Small helpers for reading the HTML our pages return."""

from html.parser import HTMLParser


class _Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.h1_count = 0
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "h1":
            self.h1_count += 1
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def outline(response):
    """(number of <h1> elements, the text of <title>) for a response."""
    parser = _Outline()
    parser.feed(response.content.decode())
    return parser.h1_count, " ".join(parser.title.split())


class _Table(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows = []
        self._cell = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data + " ")


def table_rows(html):
    """The body rows of the first table in the page, each a list of its cells' text."""
    parser = _Table()
    parser.feed(html)
    return [row for row in parser.rows[1:] if row]


class _Form(HTMLParser):
    """The fields of one form, as a browser would send them."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.fields = []  # (name, value), in the page's order
        self._in_form = False
        self._select = None  # (name, multiple, options, chosen) of the open <select>
        self._option = None  # the open <option>'s value, until its text is read
        self._textarea = None  # (name, text so far)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_form = attrs.get("id") == self.form_id
        if not self._in_form or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = (name, "multiple" in attrs, [], [])
        elif tag == "option" and self._select is not None:
            value = attrs.get("value")
            self._select[2].append(value)
            if "selected" in attrs:
                self._select[3].append(value)
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select is not None:
            name, multiple, options, chosen = self._select
            if not chosen and not multiple and options:
                chosen = options[:1]  # a browser sends the first option
            self.fields += [(name, value or "") for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # A browser drops the newline just after <textarea>, as Django writes it.
            self.fields.append((name, text.removeprefix("\r\n").removeprefix("\n")))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


def form_data(html, form_id):
    """What a browser would send from the form `form_id` of the page, untouched:
    {name: [values]}, for the test client's `post`."""
    parser = _Form(form_id)
    parser.feed(html)
    data = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    return data


# Attributes whose value names other elements by id (space-separated for the aria ones).
_ID_REFERENCES = ("aria-describedby", "aria-labelledby", "aria-controls", "for")


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = []
        self.references = []  # (tag, attribute, id)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id":
                self.ids.append(value or "")
            elif name in _ID_REFERENCES:
                self.references += [(tag, name, ref) for ref in (value or "").split()]


def id_problems(html):
    """What is wrong with the ids in a page, as sentences (none when all is well):
    empty or repeated ids, and aria-describedby, aria-labelledby, aria-controls or a
    label's `for` naming an id no element has. Screen readers follow those
    references, and a repeated id makes them land on the first element with it."""
    parser = _Ids()
    parser.feed(html)
    problems = []
    seen = set()
    for element_id in parser.ids:
        if not element_id.strip():
            problems.append("an element has an empty id")
        elif element_id in seen:
            problems.append(f'id="{element_id}" is used more than once')
        seen.add(element_id)
    problems += [
        f'<{tag} {attribute}="{ref}"> names an id no element has'
        for tag, attribute, ref in parser.references
        if ref not in seen
    ]
    return sorted(set(problems))


def assert_ids_sound(response):
    """Fail with the list of problems if the page's ids are not unique and resolvable."""
    problems = id_problems(response.content.decode())
    assert problems == [], "\n".join(problems)
