"""What every request costs (docs/decisions/0025-the-request-path.md): sessions written at
most once a minute, responses gzipped, public pages kept briefly by browsers, static
files kept for ever, the scripts' modules fetched at once, and gunicorn's worker count."""

import gzip
import re
import runpy
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.templatetags.static import static
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from whitenoise.middleware import WhiteNoiseMiddleware

from lgdss.compression import PIECE_BYTES, in_pieces
from lgdss.sessions import TOUCHED
from tests.factories_published_rows import publish_directly

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "/account/"
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


# --- Sessions: written at most once a minute ---------------------------------------


def session_row(client):
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def session_writes(queries):
    return [
        query["sql"]
        for query in queries
        if "django_session" in query["sql"]
        and query["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
    ]


def last_saved(client, *, seconds_ago, ends_in):
    """Make the session look as if it was last saved `seconds_ago`, ending in `ends_in`."""
    store = client.session
    store[TOUCHED] = int(time.time()) - seconds_ago
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() + ends_in
    )


@pytest.fixture
def signed_in(client_for, coventry_lead):
    return client_for(coventry_lead)


def test_a_page_within_the_minute_writes_nothing_to_the_session(signed_in):
    last_saved(signed_in, seconds_ago=30, ends_in=timedelta(minutes=90))
    ends = session_row(signed_in).expire_date

    with CaptureQueriesContext(connection) as queries:
        assert signed_in.get(ACCOUNT).status_code == 200

    assert session_writes(queries.captured_queries) == []
    assert session_row(signed_in).expire_date == ends


def test_a_burst_of_pages_writes_the_session_once(signed_in):
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            assert signed_in.get(ACCOUNT).status_code == 200
    # Signing in saved it without the time (force_login): the first page notes it.
    assert len(session_writes(queries.captured_queries)) == 1


def test_a_page_after_the_minute_moves_the_sessions_end_on(signed_in, settings):
    last_saved(
        signed_in, seconds_ago=settings.SESSION_REFRESH_SECONDS, ends_in=timedelta(minutes=3)
    )

    with CaptureQueriesContext(connection) as queries:
        assert signed_in.get(ACCOUNT).status_code == 200

    assert len(session_writes(queries.captured_queries)) == 1
    row = session_row(signed_in)
    assert row.expire_date > timezone.now() + timedelta(minutes=119)
    assert abs(row.get_decoded()[TOUCHED] - time.time()) < 5


def test_an_ended_session_signs_out_and_is_not_brought_back(signed_in, coventry_lead):
    last_saved(signed_in, seconds_ago=7300, ends_in=timedelta(seconds=-1))
    sessions = Session.objects.count()

    response = signed_in.get(ACCOUNT)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("assessments:sign_in"))
    assert Session.objects.count() == sessions
    assert Session.objects.filter(expire_date__gt=timezone.now()).count() == 0


def test_someone_idle_for_the_whole_session_is_signed_out(signed_in, settings):
    """The session ends SESSION_IDLE_MINUTES after it was saved, however recently it was
    saved: its time is no more than a note."""
    settings.SESSION_COOKIE_AGE = 300
    signed_in.get(ACCOUNT)  # saved now, to end in 5 minutes
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    assert signed_in.get(ACCOUNT).status_code == 302


def test_while_read_only_a_page_never_writes_the_session(signed_in):
    last_saved(signed_in, seconds_ago=600, ends_in=timedelta(minutes=3))
    ends = session_row(signed_in).expire_date

    with override_settings(READ_ONLY=True), CaptureQueriesContext(connection) as queries:
        assert signed_in.get(ACCOUNT).status_code == 200

    assert session_writes(queries.captured_queries) == []
    assert session_row(signed_in).expire_date == ends


def test_signing_in_notes_the_time_so_the_next_page_writes_nothing(client, coventry_lead):
    from tests.conftest import PASSWORD

    client.post(
        reverse("assessments:sign_in"), {"email": "lead@coventry.example", "password": PASSWORD}
    )
    assert abs(session_row(client).get_decoded()[TOUCHED] - time.time()) < 5

    with CaptureQueriesContext(connection) as queries:
        assert client.get(ACCOUNT).status_code == 200
    assert session_writes(queries.captured_queries) == []


def test_staying_signed_in_notes_the_time_it_saved(signed_in):
    last_saved(signed_in, seconds_ago=50, ends_in=timedelta(minutes=3))

    assert signed_in.post("/session/extend/").status_code == 204

    row = session_row(signed_in)
    assert row.expire_date > timezone.now() + timedelta(minutes=119)
    assert abs(row.get_decoded()[TOUCHED] - time.time()) < 5


def test_a_visitor_without_a_session_is_given_none(client, standard):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("standard:point_list"))
    assert "sessionid" not in response.cookies
    assert not any("django_session" in query["sql"] for query in queries.captured_queries)


@override_settings(SESSION_COOKIE_AGE=900, SESSION_WARNING_SECONDS=120)
def test_the_timeout_warning_counts_from_when_the_session_was_saved(signed_in):
    last_saved(signed_in, seconds_ago=40, ends_in=timedelta(seconds=860))

    html = signed_in.get(ACCOUNT).content.decode()

    left = int(re.search(r'data-seconds-left="(\d+)"', html).group(1))
    assert 858 <= left <= 860
    assert 'data-session-seconds="900"' in html


# --- Compression -------------------------------------------------------------------


def test_a_page_is_gzipped_for_a_browser_that_accepts_it(client, standard):
    plain = client.get("/councils/")
    zipped = client.get("/councils/", **GZIP)

    assert "Content-Encoding" not in plain
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert len(zipped.content) < len(plain.content) / 3
    page = gzip.decompress(zipped.content).decode()
    assert page.count("<h1") == 1
    assert int(zipped["Content-Length"]) == len(zipped.content)


def test_gzipped_pages_carry_djangos_defence_against_breach(client, standard):
    """Up to 100 random bytes as the gzip header's file name, so the length of a
    compressed page does not tell an attacker what the page holds."""
    lengths = set()
    for _ in range(8):
        response = client.get("/councils/", **GZIP)
        assert response.content[3] & gzip.FNAME
        lengths.add(len(response.content))
    assert len(lengths) > 1


def test_a_stored_public_page_is_sent_gzipped_as_stored_and_answers_304(client, standard):
    plain = client.get("/")  # drawn and stored, in both forms
    response = client.get("/", **GZIP)

    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content) == plain.content
    # Gzipped once, when stored: the same bytes every time, with their own strong ETag.
    assert client.get("/", **GZIP).content == response.content
    assert response["ETag"] == plain["ETag"][:-1] + '-gzip"'
    assert "Accept-Encoding" in response["Vary"]

    again = client.get("/", HTTP_IF_NONE_MATCH=response["ETag"], **GZIP)
    assert again.status_code == 304
    assert again.content == b""
    assert client.get("/", HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 304


def test_a_response_already_encoded_is_not_compressed_again(rf):
    from lgdss.compression import CompressionMiddleware

    encoded = HttpResponse(gzip.compress(b"x" * 1000), headers={"Content-Encoding": "gzip"})
    body = encoded.content
    response = CompressionMiddleware(lambda request: encoded)(rf.get("/", **GZIP))
    assert response.content == body


def test_a_streamed_download_is_gzipped_in_pieces(client, standard, coventry, leeds):
    for number in range(40):
        publish_directly(coventry if number % 2 else leeds, name=f"Service {number}")
    url = reverse("assessments:open_data_download", args=["point-scores", "csv"])
    plain = b"".join(client.get(url).streaming_content)
    response = client.get(url, **GZIP)

    pieces = list(response.streaming_content)

    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(pieces)) == plain
    # 600 lines: Django's own middleware would flush after each of them.
    assert plain.count(b"\n") > 600
    assert len(pieces) <= 2 + len(plain) // PIECE_BYTES + 1


def test_pieces_hold_the_same_bytes_and_are_never_small_but_the_last():
    chunks = [bytes([65 + n % 26]) * (n % 700) for n in range(500)]
    pieces = list(in_pieces(iter(chunks), size=4096))
    assert b"".join(pieces) == b"".join(chunks)
    assert all(len(piece) >= 4096 for piece in pieces[:-1])
    assert list(in_pieces(iter([]))) == []


def test_static_files_are_left_to_whitenoise(client):
    """whitenoise answers first, with the copies it compressed at collectstatic."""
    response = client.get(static("app.js"), **GZIP)
    assert response.status_code == 200
    assert "Content-Encoding" not in response  # no .gz beside the source file in tests


# --- Cache-Control -----------------------------------------------------------------


def directives(response):
    return set(response.get("Cache-Control", "").split(", ")) - {""}


@pytest.mark.parametrize(
    "page",
    ["/standard/", "/standard/3/", "/councils/", "/accessibility/", "/privacy/"],
)
def test_a_public_page_with_nothing_of_its_own_may_be_kept_a_minute(client, standard, page):
    response = client.get(page)
    assert response.status_code == 200
    assert directives(response) == {"public", "max-age=60"}


def test_the_records_pages_keep_their_own_cache_control(client, standard):
    response = client.get("/")
    assert directives(response) == {"public", "max-age=60"}
    assert "ETag" in response


def test_a_visitor_with_a_session_or_messages_gets_no_public_page(client, standard):
    client.cookies["messages"] = "anything"
    assert "public" not in directives(client.get("/standard/"))
    del client.cookies["messages"]
    client.cookies["sessionid"] = "ended-or-unknown"
    assert "public" not in directives(client.get("/standard/"))


def test_signed_in_people_and_forms_are_still_not_stored(signed_in, client, standard):
    assert "no-store" in directives(signed_in.get("/standard/"))
    assert "public" not in directives(signed_in.get("/standard/"))
    sign_in_page = client.get(reverse("assessments:sign_in"))
    assert "no-store" in directives(sign_in_page)
    assert "public" not in directives(sign_in_page)


def test_a_missing_page_is_not_kept(client, standard):
    response = client.get("/standard/99/")
    assert response.status_code == 404
    assert "public" not in directives(response)


@pytest.mark.django_db
def test_hashed_static_files_are_kept_for_ever_and_others_briefly(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "lgdss.storage.StaticStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    call_command("collectstatic", "--no-input", verbosity=0)
    hashed = next(tmp_path.glob("app.*.css")).name
    whitenoise = WhiteNoiseMiddleware(lambda request: None)

    kept = whitenoise(RequestFactory().get(f"/static/{hashed}"))
    briefly = whitenoise(RequestFactory().get("/static/app.css"))

    assert directives(kept) == {"max-age=315360000", "public", "immutable"}
    assert directives(briefly) == {"max-age=60", "public"}


# --- Scripts -----------------------------------------------------------------------


def test_every_module_app_js_imports_is_preloaded_from_the_head(client, standard):
    imports = re.findall(r'from "\./([^"]+)"', (ROOT / "static/js/app.js").read_text())
    assert "govuk-frontend.min.js" in imports

    head = client.get("/").content.decode().split("</head>", 1)[0]

    assert f'<script type="module" src="{static("app.js")}"></script>' in head
    for name in imports:
        assert f'<link rel="modulepreload" href="{static(name)}">' in head, name
    assert len(re.findall(r'rel="modulepreload"', head)) == len(imports)


# --- gunicorn ----------------------------------------------------------------------


def test_gunicorn_runs_one_worker_per_core_and_one_more(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1})
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"] == 3


def test_web_concurrency_sets_the_number_of_workers(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "7")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"] == 7
