"""Responses gzipped for browsers that accept it: pages, downloads and the API.

An HTML page is a sixth to a tenth of its size gzipped (the council directory, 29 KB,
is 4 KB), for about 0.2 ms of one core. Static files are not compressed here: whitenoise
serves copies compressed once, at `collectstatic`, and answers before this middleware.

Django's GZipMiddleware does the work, with its defence against BREACH (an attacker who
can put text in a page and watch its compressed size, to guess a secret in the same page
a byte at a time): each response gets up to 100 random bytes in the gzip header, so its
length no longer tells. Our CSRF tokens are masked afresh on every response too. Brotli
would make pages about a tenth smaller again, at the same cost, but has no such defence.

Stored public pages never reach it: lgdss/public_pages.py sends them from the front of the
request, gzipped once when stored. A response that already has a Content-Encoding is left
as it is (Django's middleware checks), so nothing is compressed twice.

One change to Django's: it compresses a stream piece by piece and flushes after each,
which for a CSV written a line at a time doubles its size and takes five times as long.
So a stream is first gathered into pieces of `PIECE_BYTES`, which keeps memory constant.

See docs/decisions/0025-the-request-path.md.
"""

from django.middleware.gzip import GZipMiddleware, re_accepts_gzip

# A stream is compressed in pieces of at least this size (the last may be smaller).
PIECE_BYTES = 16 * 1024


class CompressionMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if (
            response.streaming
            and not response.is_async
            and not response.has_header("Content-Encoding")
            and re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        ):
            response.streaming_content = in_pieces(response.streaming_content)
        return super().process_response(request, response)


def in_pieces(chunks, size=PIECE_BYTES):
    """The same bytes as `chunks`, joined into pieces of at least `size` bytes."""
    pending, length = [], 0
    for chunk in chunks:
        pending.append(chunk)
        length += len(chunk)
        if length >= size:
            yield b"".join(pending)
            pending, length = [], 0
    if pending:
        yield b"".join(pending)
