"""Insight into the public record: the hub that leads to every insight page, the national
picture of each point of the Standard, and councils' own scores against agreed ones.

Every figure comes from the publication tables (`assessments.insight.points`), never from
live assessments, for publications against the current version of the Standard. Each page
says what its figures include (how many assessments, which review types, which version),
draws its charts with `assessments.insight.charts` (each with its figures in a table), and
offers the same figures as CSV. Pages are cached like the other public pages; they also
show the Standard's wording, which changes outside the record, so they are
`changes_outside_record`.

The national picture sits at /standard/<number>/national-picture/, beside the Standard's
point page that links to it, but lives here: the `standard` app knows nothing of
assessments.
"""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from assessments.insight import points as arithmetic
from assessments.insight.charts import BarChart, Row
from assessments.insight.downloads import csv_download
from assessments.publishing.caching import (
    kept_for_record,
    public_record_download,
    public_record_page,
)
from standard.models import StandardVersion

SERIES = ("All assessments", "Peer reviewed", "Self-assessed")
SPREAD_SERIES = ("Peer reviewed (agreed scores)", "Self-assessed (council's own scores)")


def _current_standard():
    standard = StandardVersion.objects.filter(is_current=True).first()
    if standard is None:
        raise Http404("The Standard has not been loaded.")
    return standard


def _current_point(number):
    standard = _current_standard()
    point = standard.points.filter(number=number).first()
    if point is None:
        raise Http404("The Standard has no such point.")
    return standard, point


@require_safe
@public_record_page(changes_outside_record=True)
def insight(request):
    """The insight pages, in one list: two queries (the Standard and its points)."""
    standard = StandardVersion.objects.filter(is_current=True).first()
    return render(
        request,
        "assessments/insight/hub.html",
        {
            "standard": standard,
            "points": list(standard.points.without_guidance()) if standard else [],
            "crumbs": [("Home", reverse("home"))],
        },
    )


# --- The national picture of a point ---------------------------------------------


def _what_is_included(standard, picture):
    overall = picture.overall
    return (
        f"{arithmetic.includes(overall.all.assessments, overall.peer.assessments, overall.self_assessed.assessments)}"
        f", published against version {standard.version} of the {standard.name} and "
        "not withdrawn"
    )


def _spread_chart(point, included, picture):
    largest = max(
        (max(group.peer.assessments, group.self_assessed.assessments) for group in picture.scores),
        default=0,
    )
    return BarChart(
        id="spread",
        title=f"How point {point.number} was scored",
        description=f"How many assessments gave each score from 0 to 5 on point {point.number}, "
        f"or said it does not apply, peer-reviewed and self-assessed apart. {included}.",
        series=SPREAD_SERIES,
        rows=[
            Row(
                group.label,
                (group.peer.assessments, group.self_assessed.assessments),
                note=str(group.all.assessments),
            )
            for group in picture.scores
        ],
        maximum=largest or 1,
        unit="assessments",
        decimals=0,
        row_header="Score",
        notes_header="In all",
    )


def _note(group):
    note = group.mix()
    if group.all.not_applicable:
        note += f"; it did not apply in {group.all.not_applicable}"
    return note


def _breakdown_charts(point, included, groups, key, noun):
    """The average score and the share that met the point, for each of `groups`."""
    tallies = [(group, (group.all, group.peer, group.self_assessed)) for group in groups]
    average = BarChart(
        id=f"{key}-average",
        title=f"Average score on point {point.number} by {noun}",
        description=f"The average score on point {point.number} at each {noun}, where the point "
        f"applies: for all assessments, peer-reviewed ones and self-assessed ones. {included}.",
        series=SERIES,
        rows=[
            Row(group.label, tuple(t.average for t in each), note=_note(group))
            for group, each in tallies
        ],
        maximum=5,
        unit="out of 5",
        row_header=noun.capitalize(),
        notes_header="Assessments",
    )
    met = BarChart(
        id=f"{key}-met",
        title=f"Share meeting point {point.number} by {noun}",
        description=f"The percentage of assessments that met point {point.number} (scored 3 or "
        f"more) at each {noun}, where the point applies: for all assessments, peer-reviewed "
        f"ones and self-assessed ones. {included}.",
        series=SERIES,
        rows=[
            Row(group.label, tuple(t.met_share for t in each), note=_note(group))
            for group, each in tallies
        ],
        maximum=100,
        unit="%",
        decimals=0,
        row_header=noun.capitalize(),
        notes_header="Assessments",
    )
    return average, met


@require_safe
@public_record_page(changes_outside_record=True)
def point_picture(request, number):
    """How councils score on one point of the current Standard across the public record:
    the spread of scores, by phase and by council type, and the best-scoring examples with
    their evidence. Seven queries, whatever the number of publications: the record's
    version, the Standard, the point, three breakdowns and the examples; three once the
    picture is kept under the record's version (`kept_for_record`), as the breakdowns scan
    every publication's answer to the point."""
    standard, point = _current_point(number)
    picture = kept_for_record(
        f"point-picture:{standard.pk}:{number}",
        lambda: arithmetic.point_picture(standard, number),
    )
    included = _what_is_included(standard, picture)
    phase_charts = _breakdown_charts(point, included, picture.phases, "phase", "phase")
    type_charts = _breakdown_charts(
        point, included, picture.council_types, "council-type", "council type"
    )
    return render(
        request,
        "assessments/insight/point_picture.html",
        {
            "standard": standard,
            "point": point,
            "picture": picture,
            "included": included,
            "spread_chart": _spread_chart(point, included, picture),
            "phase_charts": phase_charts,
            "type_charts": type_charts,
            "crumbs": [
                ("Home", reverse("home")),
                ("The Standard", reverse("standard:point_list")),
                (f"Point {point.number}", reverse("standard:point_detail", args=[point.number])),
            ],
        },
    )


POINT_PICTURE_HEADER = [
    "standard_version",
    "point_number",
    "point_title",
    "breakdown",
    "group",
    "review_type",
    "assessments",
    "not_applicable",
    "applicable",
    "average",
    "met",
    "met_share_percent",
]


def point_picture_rows(standard, point, picture):
    """The figures of the page, one row per group and review type ("all" for both)."""
    breakdowns = [
        ("all", [picture.overall]),
        ("score", picture.scores),
        ("phase", picture.phases),
        ("council_type", picture.council_types),
    ]
    for breakdown, groups in breakdowns:
        for group in groups:
            for review_type, tally in (
                ("all", group.all),
                (arithmetic.PEER, group.peer),
                (arithmetic.SELF, group.self_assessed),
            ):
                yield [
                    standard.version,
                    point.number,
                    point.short_title,
                    breakdown,
                    group.key,
                    review_type,
                    tally.assessments,
                    tally.not_applicable,
                    tally.applicable,
                    tally.average,
                    tally.met,
                    tally.met_share,
                ]


@require_safe
@public_record_download
def point_picture_csv(request, number):
    """The national picture's figures as CSV: six queries."""
    standard, point = _current_point(number)
    picture = arithmetic.point_picture(standard, number, examples=False)
    return csv_download(
        f"lgdss-point-{number}-national-picture.csv",
        POINT_PICTURE_HEADER,
        point_picture_rows(standard, point, picture),
    )


# --- Self against agreed -----------------------------------------------------------


def _self_and_agreed_wording(rows, titles):
    """Sentences saying where teams over- and under-rate themselves most, and overall."""
    compared = [row for row in rows if row.compared]
    if not compared:
        return []
    higher = sum(row.higher for row in compared)
    same = sum(row.same for row in compared)
    lower = sum(row.lower for row in compared)
    total = higher + same + lower
    sentences = [
        f"Of {total} answers compared, teams scored themselves higher than the reviewers "
        f"agreed in {higher}, the same in {same} and lower in {lower}."
    ]
    most_over = max(compared, key=lambda row: (row.difference, -row.number))
    most_under = min(compared, key=lambda row: (row.difference, row.number))
    if most_over.difference > 0:
        sentences.append(
            f"Teams over-rate themselves most on point {most_over.number}, "
            f"{titles.get(most_over.number, '')}: on average {most_over.difference} above "
            "the agreed score."
        )
    else:
        sentences.append("On no point do teams score themselves higher than agreed, on average.")
    if most_under.difference < 0:
        sentences.append(
            f"Teams under-rate themselves most on point {most_under.number}, "
            f"{titles.get(most_under.number, '')}: on average {abs(most_under.difference)} "
            "below the agreed score."
        )
    else:
        sentences.append("On no point do teams score themselves lower than agreed, on average.")
    return sentences


@require_safe
@public_record_page(changes_outside_record=True)
def self_and_agreed(request):
    """Across public peer-reviewed publications, each point's self scores against the
    agreed ones. Five queries, whatever the number of publications: the record's version,
    the Standard, its points' titles, the comparison and the count."""
    standard = _current_standard()
    titles = dict(standard.points.values_list("number", "short_title"))
    rows = arithmetic.self_and_agreed(standard)
    count = arithmetic.peer_reviewed_count(standard)
    for row in rows:
        row.title = titles.get(row.number, "")
    chart = BarChart(
        id="self-and-agreed",
        title="Council's own and agreed scores on each point",
        description="The average of the council's own score and of the agreed score on each "
        f"point, over {count} peer-reviewed assessment{'s' if count != 1 else ''} published "
        f"against version {standard.version} of the Standard and not withdrawn, leaving out "
        "answers where either side said the point does not apply.",
        series=("Council's own score", "Agreed score"),
        rows=[
            Row(f"{row.number}. {row.title}", (row.self_average, row.agreed_average))
            for row in rows
        ],
        maximum=5,
        unit="out of 5",
        row_header="Point",
    )
    return render(
        request,
        "assessments/insight/self_and_agreed.html",
        {
            "standard": standard,
            "rows": rows,
            "count": count,
            "chart": chart,
            "wording": _self_and_agreed_wording(rows, titles),
            "crumbs": [("Home", reverse("home")), ("Insight", reverse("assessments:insight"))],
        },
    )


SELF_AND_AGREED_HEADER = [
    "standard_version",
    "point_number",
    "point_title",
    "compared",
    "excluded_not_applicable",
    "self_average",
    "agreed_average",
    "average_difference",
    "rated_higher",
    "same",
    "rated_lower",
]


@require_safe
@public_record_download
def self_and_agreed_csv(request):
    """Self against agreed, per point, as CSV: four queries."""
    standard = _current_standard()
    titles = dict(standard.points.values_list("number", "short_title"))
    return csv_download(
        "lgdss-self-and-agreed.csv",
        SELF_AND_AGREED_HEADER,
        (
            [
                standard.version,
                row.number,
                titles.get(row.number, ""),
                row.compared,
                row.excluded,
                row.self_average,
                row.agreed_average,
                row.difference,
                row.higher,
                row.same,
                row.lower,
            ]
            for row in arithmetic.self_and_agreed(standard)
        ),
    )
