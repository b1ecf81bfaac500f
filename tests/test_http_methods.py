"""Every page that answers GET also answers HEAD.

Uptime monitors and link checkers send HEAD; a page that answers it with 405 looks
broken to them. Django's `require_safe` allows GET and HEAD (a HEAD response has no
body, and the view does nothing it would not do for GET).
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from tests.test_site import public_urls


def _methods(view):
    """The methods a view's `require_http_methods` (or `require_GET`, `require_safe`,
    `require_POST`) allows, or None if it limits none. Django's decorator keeps the
    list in its closure; each decorator keeps the view it wraps in `__wrapped__`."""
    while view is not None:
        names = getattr(view, "__code__", None) and view.__code__.co_freevars
        if names and "request_method_list" in names:
            cell = view.__closure__[names.index("request_method_list")]
            return set(cell.cell_contents)
        view = getattr(view, "__wrapped__", None)
    return None


def _views(resolver=None, prefix=""):
    """(route, view) for every pattern in the site's URLconf."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _views(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def test_the_method_finder_reads_django_decorators():
    from django.views.decorators.http import require_GET, require_POST, require_safe

    def view(request):
        return None

    assert _methods(require_GET(view)) == {"GET"}
    assert _methods(require_safe(view)) == {"GET", "HEAD"}
    assert _methods(require_POST(view)) == {"POST"}
    assert _methods(view) is None


def test_no_view_that_only_reads_refuses_head():
    refusing = [
        route
        for route, view in _views()
        if (methods := _methods(view)) is not None and methods == {"GET"}
    ]
    assert refusing == [], f"GET-only views that refuse HEAD: {refusing}"


def test_head_is_answered_on_every_public_page_that_only_reads(client, standard, coventry):
    reading = [url for url in public_urls() if "POST" not in (_methods(resolve(url).func) or {})]
    assert len(reading) > 20, "sanity: the Standard's pages, the directory, the site pages"
    for url in reading:
        response = client.head(url)
        assert response.status_code == 200, url
        assert response.content == b"", url


@pytest.mark.parametrize("name", ["assessments:account", "assessments:invitation_list"])
def test_head_is_answered_on_private_pages_too(client_for, coordinator, name):
    assert client_for(coordinator).head(reverse(name)).status_code == 200
