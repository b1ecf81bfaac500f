"""Comparing councils, and the figures of a council against its peers as CSV.

The councils to compare are in the address (`/compare/?councils=cov,lds,bir`), so that a
comparison can be shared. The form that chooses them is a plain GET form of five select
boxes, all named `councils`, which works without JavaScript; static/js/autocomplete.js
turns each into accessible-autocomplete's type-to-find input. A browser sends the boxes
as `councils=cov&councils=lds&councils=`; a valid choice is redirected to the one short
address, `?councils=cov,lds`, so that every comparison has one address to share and cache.

The figures come from `assessments.insight.peers` (the published record only).
"""

import csv
import io
from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from assessments.insight import peers
from assessments.models import Council
from assessments.publishing.caching import public_record_download, public_record_page
from assessments.publishing.open_data import neutralise
from assessments.views.lookups import council_from_url

FEWEST = 2
MOST = 5
FIELD_ID = "councils-1"  # where the error summary's link lands: the first box


class Choice:
    """The councils asked for in the query string, and what is wrong with them.

    Codes are separated by commas, in any case, and may come in several `councils`
    parameters (the form's boxes); empty ones (boxes left empty) and repeats are ignored.
    `error` is the GOV.UK error message, or "" when the choice is good."""

    def __init__(self, query):
        codes = []
        for value in query.getlist("councils"):
            for code in value.split(","):
                code = code.strip().upper()
                if code and code not in codes:
                    codes.append(code)
        self.asked = "councils" in query
        self.codes = codes
        found = {council.code: council for council in Council.objects.filter(code__in=codes)}
        self.unknown = [code for code in codes if code not in found]
        self.councils = [found[code] for code in codes if code in found]
        self.error = self._error() if self.asked else ""

    def _error(self):
        if self.unknown:
            listed = ", ".join(self.unknown)
            if len(self.unknown) == 1:
                return f"There is no council with the code {listed}: choose a council from the list"
            return f"There are no councils with the codes {listed}: choose councils from the list"
        if len(self.codes) < FEWEST:
            return f"Choose at least {FEWEST} councils to compare"
        if len(self.codes) > MOST:
            return f"Choose no more than {MOST} councils to compare"
        return ""

    @property
    def valid(self):
        return self.asked and not self.error

    @property
    def query(self):
        """The short query string: `councils=cov,lds`."""
        return "councils=" + ",".join(quote(c.code.lower(), safe="") for c in self.councils)

    def boxes(self):
        """The five select boxes' chosen codes, in order (what was chosen comes back)."""
        chosen = [code for code in self.codes if code not in self.unknown][:MOST]
        return [
            {"number": n, "id": f"councils-{n}", "value": chosen[n - 1] if n <= len(chosen) else ""}
            for n in range(1, MOST + 1)
        ]


ORDINALS = ["First", "Second", "Third", "Fourth", "Fifth"]


@require_safe
@public_record_page(changes_outside_record=True)  # the councils' names and the choices
def compare(request):
    """Two to five councils side by side, point by point, with their services' latest
    published results. Without a choice, the form alone. A fixed number of queries: the
    councils asked for, the choices, and two for the figures (`peers.compare`)."""
    choice = Choice(request.GET)
    if choice.valid and request.GET.urlencode(safe=",") != choice.query:
        return redirect(f"{reverse('assessments:compare')}?{choice.query}")
    choices = list(
        Council.objects.order_by("official_name", "code").values_list("code", "official_name")
    )
    boxes = choice.boxes()
    for box in boxes:
        box["label"] = f"{ORDINALS[box['number'] - 1]} council"
    comparison = peers.compare(choice.councils) if choice.valid else None
    return render(
        request,
        "assessments/compare/compare.html",
        {
            "choice": choice,
            "choices": choices,
            "boxes": boxes,
            "errors": [(f"#{FIELD_ID}", choice.error)] if choice.error else [],
            "has_errors": bool(choice.error),
            "comparison": comparison,
            "chart": comparison.chart() if comparison and comparison.published else None,
            "csv_url": f"{reverse('assessments:compare_csv')}?{choice.query}" if comparison else "",
        },
    )


def _csv_response(rows, filename):
    """A small CSV (a few hundred rows at most), neutralised against formulas as the open
    data is (`open_data.neutralise`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if value is None else neutralise(value) for value in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


COMPARE_COLUMNS = [
    "council_code",
    "council_name",
    "point_number",
    "point_title",
    "average",
    "assessments_scoring_point",
    "assessments",
    "peer_reviewed",
    "self_assessed",
    "standard_versions",
]


@require_safe
@public_record_download
def compare_csv(request):
    """The comparison's figures, one row per council and point (404 for a bad choice:
    there is no such download)."""
    choice = Choice(request.GET)
    if not choice.valid:
        raise Http404("No such comparison.")
    comparison = peers.compare(choice.councils)
    rows = [COMPARE_COLUMNS]
    for figures in comparison.councils:
        for number in comparison.numbers:
            rows.append(
                [
                    figures.council.code,
                    figures.council.official_name,
                    number,
                    comparison.titles[number],
                    figures.average(number),
                    figures.scored(number),
                    len(figures.publications),
                    figures.peer_reviewed,
                    figures.self_assessed,
                    "; ".join(sorted(figures.versions)),
                ]
            )
    codes = "-".join(c.code.lower() for c in choice.councils)
    return _csv_response(rows, f"lgdss-compare-{codes}.csv")


PEER_COLUMNS = ["review_type", "point_number", "point_title"] + [
    f"{key}_{part}"
    for key in ("council", "same_type", "same_region")
    for part in ("average", "assessments_scoring_point")
]


@require_safe
@public_record_download
def council_points_csv(request, code):
    """A council's average on each point beside its type's and its region's, per review
    type, as on its page."""
    council = council_from_url(code)
    rows = [PEER_COLUMNS]
    for comparison in peers.council_against_peers(council):
        for point in comparison.points:
            row = [comparison.review_type, point.number, point.title]
            for key in ("council", "type", "region"):
                row += [point.average(key), point.scored(key)]
            rows.append(row)
    return _csv_response(rows, f"lgdss-{council.code.lower()}-points.csv")
