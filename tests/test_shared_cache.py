"""The cache backend comes from CACHE_URL: memory in each process by default, or a Redis
(or Valkey) server shared by every app server. Against a real redis-server: two app
servers' cache clients see each other's writes, and a page stored by one is served by the
other. Without redis-server these skip, except with CI=true, where they fail (.ci/run
installs it)."""

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from assessments import services
from assessments.models import Publication
from lgdss import env
from tests.factories_reviews import submitted_assessment
from tests.local_servers import free_port, redis_server
from tests.test_settings import load_settings


def test_no_cache_url_keeps_a_cache_in_each_processs_memory():
    assert env.cache("CACHE_URL", environ={})["BACKEND"] == env.LOCAL_MEMORY_CACHE
    assert env.cache("CACHE_URL", environ={"CACHE_URL": ""})["BACKEND"] == env.LOCAL_MEMORY_CACHE


@pytest.mark.parametrize("url", ["redis://cache:6379/0", "rediss://:secret@cache.example:6380/1"])
def test_a_redis_url_chooses_djangos_redis_backend_with_short_timeouts(url):
    chosen = env.cache("CACHE_URL", environ={"CACHE_URL": url})
    assert chosen["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert chosen["LOCATION"] == url
    assert chosen["OPTIONS"] == {"socket_connect_timeout": 1, "socket_timeout": 1}


def test_a_cache_url_can_come_from_a_file(tmp_path):
    secret = tmp_path / "cache-url"
    secret.write_text("rediss://:secret@cache.example:6380/0\n")
    chosen = env.cache("CACHE_URL", environ={"CACHE_URL_FILE": str(secret)})
    assert chosen["LOCATION"] == "rediss://:secret@cache.example:6380/0"


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("memcached://cache:11211", "starts memcached://"),
        ("cache:6379", "starts without a scheme"),
        ("http://:password@cache:6379", "starts http://"),
    ],
)
def test_any_other_cache_url_stops_start_up_without_showing_a_password(url, named):
    with pytest.raises(ImproperlyConfigured, match=named) as refused:
        env.cache("CACHE_URL", environ={"CACHE_URL": url})
    assert "password" not in str(refused.value)


def test_the_settings_read_cache_url():
    show = "s.CACHES['default']['BACKEND'], s.PUBLIC_CACHE_SECONDS"
    default = load_settings(show, SECRET_KEY="k" * 50)
    assert default.stdout.split() == [env.LOCAL_MEMORY_CACHE, "300"], default.stderr
    redis = load_settings(
        show, SECRET_KEY="k" * 50, CACHE_URL="redis://cache:6379/0", PUBLIC_CACHE_SECONDS="30"
    )
    assert redis.stdout.split() == [env.REDIS_CACHE, "30"], redis.stderr
    wrong = load_settings(show, SECRET_KEY="k" * 50, CACHE_URL="memcached://cache:11211")
    assert wrong.returncode != 0
    assert "CACHE_URL starts memcached://" in wrong.stderr


# --- Against a real Redis server ----------------------------------------------------


@pytest.fixture(scope="module")
def redis_url():
    with redis_server("The shared cache tests") as url:
        yield url


def app_server_cache(url):
    """A cache client as an app server makes one from CACHE_URL."""
    config = env.cache("CACHE_URL", environ={"CACHE_URL": url})
    return RedisCache(config["LOCATION"], {k: v for k, v in config.items() if k != "LOCATION"})


def test_two_app_servers_see_each_others_writes(redis_url):
    first, second = app_server_cache(redis_url), app_server_cache(redis_url)
    first.clear()
    first.set("greeting", {"text": "hello"}, 30)
    assert second.get("greeting") == {"text": "hello"}
    second.delete("greeting")
    assert first.get("greeting") is None


def test_a_page_stored_by_one_app_server_is_served_by_the_other(
    redis_url, settings, client, standard, coventry, coventry_lead, django_assert_num_queries
):
    settings.CACHES = {"default": env.cache("CACHE_URL", environ={"CACHE_URL": redis_url})}
    caches["default"].clear()
    assessment = submitted_assessment(coventry, coventry_lead, name="Pay council tax")
    services.publish(assessment, by=coventry_lead)
    url = reverse("assessments:published_assessment", args=[assessment.pk])
    first_server = caches["default"]
    assert "Pay council tax" in client.get(url).text

    # Another app server: its own cache client on the same Redis, with nothing in memory.
    settings.CACHES = {"default": env.cache("CACHE_URL", environ={"CACHE_URL": redis_url})}
    assert caches["default"] is not first_server
    Publication.objects.filter(pk=assessment.pk).update(service_name="Changed behind its back")
    with django_assert_num_queries(1):
        served = client.get(url)
    assert "Pay council tax" in served.text  # drawn by the first server

    services.withdraw_publication(assessment, by=coventry_lead, reason="Entered by mistake.")
    assert "Entered by mistake." in client.get(url).text  # a new version: drawn afresh
    caches["default"].clear()


def test_public_pages_are_still_drawn_when_the_cache_server_is_down(
    settings, client, standard, coventry, coventry_lead, caplog
):
    settings.CACHES = {
        "default": env.cache(
            "CACHE_URL", environ={"CACHE_URL": f"redis://127.0.0.1:{free_port()}/0"}
        )
    }
    assessment = submitted_assessment(coventry, coventry_lead, name="Pay council tax")
    services.publish(assessment, by=coventry_lead)
    response = client.get(reverse("assessments:published_assessment", args=[assessment.pk]))
    assert response.status_code == 200
    assert "Pay council tax" in response.text
    assert "could not be read" in caplog.text
