"""What someone typed is not lost when their session ends or the page's CSRF token fails.

A view marked `@keeps_unsaved_text` (outside `@login_required`) has its posted fields
kept when they arrive without a session (it ended while the person typed) or fail the
CSRF check (`lgdss.session_views.csrf_failure`). The person signs in again and is sent
back to the page, which shows the fields in its form with a notice that they have not
been saved yet (`restore`). Nothing is saved until they press save.

The fields are kept in the browser's session, on the server:
- never the CSRF token, nor any field whose name contains "password";
- only up to LIMIT characters;
- only when we know who typed them: the person signed in, or, when their session has
  ended, the person that ended session belonged to (the browser still sends its key,
  and the row stays in the database until `clearsessions`). A visitor who was never
  signed in has nothing kept;
- for KEEP_FOR, and shown only to that person, at that address.

Logging in keeps an anonymous session's data (Django's `login` cycles the key), which
is how the fields survive signing in. See docs/decisions/0011-nothing-typed-is-lost.md.
"""

from datetime import datetime, timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.views import redirect_to_login
from django.http import QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone

SESSION_FIELD = "unsaved_form"
KEEP_FOR = timedelta(hours=2)
# Names and values together. A full point page (20,000 characters of evidence, a
# reason and 50 links) fits; a page of a megabyte does not.
LIMIT = 100_000
NEVER_KEPT = {"csrfmiddlewaretoken"}

SIGNED_OUT_KEPT = (
    "You were signed out before your changes were saved. Sign in again to get back to them: "
    "they have not been saved yet"
)
SIGNED_OUT_NOT_KEPT = (
    "You were signed out before your changes were saved, and they were too long to keep. "
    "Sign in again to go back to the page"
)


def keeps_unsaved_text(view):
    """Keep what was posted to this view when the person's session has ended (see above)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            if not request.user.is_authenticated:
                owner = owner_of_ended_session(request)
                if owner is not None:
                    kept = keep(request, owner=owner)
                    messages.info(request, SIGNED_OUT_KEPT if kept else SIGNED_OUT_NOT_KEPT)
                return redirect_to_login(request.get_full_path())
            # They are sending the form again: what they send now replaces what was kept.
            forget(request)
        return view(request, *args, **kwargs)

    wrapped.keeps_unsaved_text = True
    return wrapped


def keeps_unsaved_text_at(path):
    """Whether the view at `path` keeps unsaved text."""
    try:
        return getattr(resolve(path).func, "keeps_unsaved_text", False)
    except Resolver404:
        return False


def owner_of_ended_session(request):
    """The id of the person whose session this browser still names, if it ended less
    than KEEP_FOR ago (or has not ended, but no longer signs anyone in)."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    store = getattr(request, "session", None)
    if not key or not hasattr(store, "get_model_class"):  # only database-backed sessions
        return None
    row = (
        store.get_model_class()
        .objects.filter(session_key=key, expire_date__gt=timezone.now() - KEEP_FOR)
        .first()
    )
    return row.get_decoded().get(SESSION_KEY) if row else None


def keep(request, *, owner, path=None):
    """Keep the posted fields for `owner` to find at `path` (this address by default).
    False if there is nothing to keep, or too much."""
    fields = [
        (name, values)
        for name, values in request.POST.lists()
        if name not in NEVER_KEPT and "password" not in name.lower()
    ]
    size = sum(len(name) + sum(len(value) for value in values) for name, values in fields)
    if not fields or size > LIMIT:
        return False
    request.session[SESSION_FIELD] = {
        "path": path or request.path,
        "owner": str(owner),
        "kept_at": timezone.now().isoformat(),
        "fields": fields,
    }
    return True


def restore(request):
    """The fields kept for the person signed in, at this address, as form data; or None.

    They stay kept until the person sends the form again (or KEEP_FOR passes), so that
    reloading the page does not lose them. Fields kept for someone else are dropped.
    """
    kept = request.session.get(SESSION_FIELD)
    if not kept or kept["path"] != request.path:
        return None
    age = timezone.now() - datetime.fromisoformat(kept["kept_at"])
    if kept["owner"] != str(request.user.pk) or age > KEEP_FOR:
        forget(request)
        return None
    data = QueryDict(mutable=True)
    for name, values in kept["fields"]:
        data.setlist(name, values)
    return data


def forget(request):
    request.session.pop(SESSION_FIELD, None)
