import pytest

from standard.models import Point, StandardVersion

# The Standard's own words, kept here rather than read from the fixture, so that a
# change to any statement in the fixture fails this test.
STATEMENTS = {
    1: "Understand user needs. Research to develop deep knowledge of who the service users are and what that means for the design of the service.",
    2: "Ensure a suitably skilled, sustainable multidisciplinary team, led by a senior service manager with decision making responsibility, can design, build and improve the service.",
    3: "Create a service using the agile, iterative and user-centred methods set out in the Government Service Design Manual.",
    4: "Build a service that can be iterated and improved in response to user need and make sure you have the capacity, resources and technical flexibility to do so.",
    5: "Evaluate what tools and systems will be used to build, host, operate and measure the service, and how to procure them, looking to reuse existing technologies where possible.",
    6: "Evaluate what user data and information the digital service will be providing or storing and address the security level, legal responsibilities, privacy issues and risks associated with the service.",
    7: "Use open standards, existing authoritative data and registers, and where possible make source code and service data open and reusable under appropriate licenses.",
    8: "Be able to test the end-to-end service in an environment similar to that of the live version, including all common browsers and devices.",
    9: "Make a plan for the event of the digital service being taken temporarily offline, and regularly test.",
    10: "Make sure that the service is simple enough that users succeed first time unaided.",
    11: "Build a service consistent with the user experience of government digital services, including using common government platforms and the Government Service Manual design patterns.",
    12: "Encourage maximum usage of the digital service (with assisted digital support if required).",
    13: "Identify performance indicators for the service, incorporating existing indicators and publishing to a performance platform, if appropriate.",
    14: "Put a process in place for ongoing user research, usability testing to continuously seek feedback from users, and collection of performance data to inform future improvement to the service.",
    15: "Test the service from beginning to end with appropriate council member or senior manager responsible for it.",
}


# Our short titles, reviewed against the statements: each says what its point asks.
SHORT_TITLES = {
    1: "Understand user needs",
    2: "Have a multidisciplinary team",
    3: "Use agile methods",
    4: "Iterate and improve regularly",
    5: "Evaluate appropriate tools and systems",
    6: "Address the security and privacy of user data",
    7: "Use open standards and make code and data open",
    8: "Test the end-to-end service",
    9: "Make and test a plan for being offline",
    10: "Make sure users succeed first time",
    11: "Make the user experience consistent with government services",
    12: "Encourage everyone to use the digital service",
    13: "Identify performance indicators",
    14: "Keep researching and testing with users",
    15: "Test with the responsible council member or senior manager",
}


def test_short_titles_say_what_each_point_asks(standard):
    assert dict(standard.points.values_list("number", "short_title")) == SHORT_TITLES


def test_loading_the_fixture_again_updates_titles_already_stored(standard):
    """Deployments run `loaddata` on every release (and `make run` on every start): it
    updates the rows it finds by primary key, so a corrected title reaches databases
    loaded before the correction without a data migration."""
    from django.core.management import call_command

    Point.objects.filter(number=6).update(short_title="Evaluate what user data and information")
    call_command("loaddata", "standard_lgdss_1_0", verbosity=0)
    assert Point.objects.get(number=6).short_title == SHORT_TITLES[6]


def test_fixture_holds_one_current_version_with_its_licence(standard):
    assert StandardVersion.objects.count() == 1
    assert standard.version == "1.0"
    assert standard.publisher == "LocalGov Digital"
    assert standard.licence_name == "Open Government Licence v3.0"


def test_fixture_holds_exactly_fifteen_points_numbered_one_to_fifteen(standard):
    numbers = list(standard.points.values_list("number", flat=True))
    assert numbers == list(range(1, 16))


@pytest.mark.parametrize(("number", "statement"), STATEMENTS.items())
def test_statement_is_word_for_word(standard, number, statement):
    assert standard.points.get(number=number).statement == statement


def test_every_point_has_complete_guidance(standard):
    for point in standard.points.all():
        assert len(point.purpose.split("\n\n")) >= 2, point
        assert len(point.how_to_meet.split("\n\n")) >= 3, point
        assert len(point.evidence_items) >= 5, point
        assert len(point.question_items) >= 5, point
        assert all(question.endswith("?") for question in point.question_items), point
        assert all(text for _, text in point.phase_expectations), point


def test_loading_the_fixture_twice_changes_nothing(standard):
    from django.core.management import call_command

    call_command("loaddata", "standard_lgdss_1_0", verbosity=0)
    assert StandardVersion.objects.count() == 1
    assert Point.objects.count() == 15


def test_only_one_version_can_be_current(standard):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        StandardVersion.objects.create(
            slug="lgdss-2-0",
            name=standard.name,
            short_name="LGDSS",
            version="2.0",
            published_on="2030-01-01",
            publisher="LocalGov Digital",
            source_url=standard.source_url,
            licence_name=standard.licence_name,
            licence_url=standard.licence_url,
            is_current=True,
        )


def test_a_later_version_leaves_version_one_points_alone(standard):
    standard.is_current = False
    standard.save()
    later = StandardVersion.objects.create(
        slug="lgdss-2-0",
        name=standard.name,
        short_name="LGDSS",
        version="2.0",
        published_on="2030-01-01",
        publisher="LocalGov Digital",
        source_url=standard.source_url,
        licence_name=standard.licence_name,
        licence_url=standard.licence_url,
        is_current=True,
    )
    Point.objects.create(version=later, number=1, short_title="New point", statement="New.")
    assert StandardVersion.objects.current() == later
    assert standard.points.get(number=1).statement == STATEMENTS[1]
    assert list(Point.objects.current().values_list("short_title", flat=True)) == ["New point"]


def test_the_standard_app_never_imports_or_links_to_the_assessments_app():
    """`standard` knows the Standard and nothing about councils or assessments: no import
    of `assessments`, and no link to its pages by name (the scoring page is the site's)."""
    from pathlib import Path

    app = Path(__file__).resolve().parent.parent / "standard"
    for path in [*app.rglob("*.py"), *app.rglob("*.html")]:
        source = path.read_text()
        for sign in ("import assessments", "from assessments", "'assessments:", '"assessments:'):
            assert sign not in source, f"{path.relative_to(app.parent)} has {sign!r}"
