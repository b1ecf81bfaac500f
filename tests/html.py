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
