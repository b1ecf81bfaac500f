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
