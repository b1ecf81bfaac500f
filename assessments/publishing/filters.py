"""The vocabulary for finding publications: one FilterSet for the results page and the API.

`PublicationFilter` narrows `Publication.objects.public()` by the council's nation,
region, type, peer group and the council itself, by the service's product, by phase,
rating and review type, and by a point met or not met; and sorts what is left. Its
parameters have the names the API's filters have (assessments/api.py), so that a filter
means the same in both:

    nation=England&nation=Wales   rating=green   review_type=peer_reviewed
    region=West Midlands          phase=beta     type=MD   peer_group=midlands
    council=COV                   product=12     point=4&point_met=false
    sort=newest | council | average

The checkbox filters (nation, phase, rating, review type) may be given more than once:
publications matching any of the values. A point is given with whether it was met
(`point_met=true`) or not (`point_met=false`); a point that does not apply counts as
neither.

Every choice offered is read from the publications themselves (their frozen columns),
never from live councils or services, in a fixed number of queries whatever their
number: so a filter never offers what nothing public has, and a council whose only
publication was withdrawn is not named. A value that is not among the choices (an old
bookmark, a typed address) is an error on its field, with a GOV.UK message; the
other filters still apply and nothing fails.

`filter_publications(params)` is the short way in: it returns the filtered, sorted
queryset and the filterset (for its form, errors and selected filters).
"""

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Sum
from django.http import QueryDict
from django_filters import ChoiceFilter, FilterSet, MultipleChoiceFilter

from assessments.models import (
    Nation,
    Phase,
    Publication,
    PublishedPoint,
    ReviewType,
)
from assessments.publishing.caching import kept_for_record
from assessments.scoring import Rating

RATINGS = [(Rating.GREEN.value, "Green"), (Rating.AMBER.value, "Amber"), (Rating.RED.value, "Red")]

# How results may be sorted: (value, label, ordering). The first is the default.
SORTS = [
    ("newest", "Newest first", ("-published_at", "-pk")),
    ("council", "Council name (A to Z)", ("council_name", "service_name", "-published_at", "-pk")),
    (
        "average",
        "Average score (highest first)",
        (F("average").desc(nulls_last=True), "-published_at", "-pk"),
    ),
]
DEFAULT_SORT = SORTS[0][0]


def _select(label, empty, noun, field_name):
    """A single choice from a list (a select box), with the GOV.UK message for a value
    that is not in it."""
    return ChoiceFilter(
        field_name=field_name,
        label=label,
        empty_label=empty,
        error_messages={"invalid_choice": f"Select a {noun} from the list"},
    )


def _checkboxes(label, noun, field_name, choices=None):
    """Any number of choices (checkboxes): publications matching any of them."""
    return MultipleChoiceFilter(
        field_name=field_name,
        label=label,
        choices=choices or [],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": f"Select a {noun} from the list"},
    )


class PointAndWhetherMetForm(forms.Form):
    """The filters' form: a point is chosen with whether it was met, or not at all."""

    def clean(self):
        data = super().clean()
        point, met = data.get("point"), data.get("point_met")
        if point and not met and "point_met" not in self.errors:
            self.add_error("point_met", f"Select whether point {point} was met or not met")
        if met and not point and "point" not in self.errors:
            self.add_error("point", "Select a point")
        return data


class PublicationFilter(FilterSet):
    """The filters and sort order of published results. Give it the query string (a
    QueryDict) and, usually, no queryset: it starts from `Publication.objects.public()`."""

    review_type = _checkboxes("Review type", "review type", "review_type", ReviewType.choices)
    rating = _checkboxes("Rating", "rating", "rating", RATINGS)
    phase = _checkboxes("Phase", "phase", "phase", Phase.choices)
    nation = _checkboxes("Nation", "nation", "nation")
    region = _select("Region", "All regions", "region", "region")
    type = _select("Council type", "All types", "council type", "authority_type")
    peer_group = _select("Peer group", "All peer groups", "peer group", "peer_group_slug")
    council = _select("Council", "All councils", "council", "council_code")
    product = _select("Product", "All products", "product", "product_id")
    point = ChoiceFilter(
        label="Point",
        empty_label="Any point",
        method="filter_point",
        error_messages={"invalid_choice": "Select a point from the list"},
    )
    point_met = ChoiceFilter(
        label="Was the point met?",
        choices=[("true", "Met"), ("false", "Not met")],
        empty_label=None,
        widget=forms.RadioSelect,
        method="filter_point",
        help_text="A point that does not apply counts as neither.",
        error_messages={"invalid_choice": "Select whether the point was met or not met"},
    )
    sort = ChoiceFilter(
        label="Sort by",
        choices=[(value, label) for value, label, _ in SORTS],
        empty_label=None,
        method="sort_by",
        error_messages={"invalid_choice": "Select how to sort the results from the list"},
    )

    class Meta:
        model = Publication
        fields = []
        form = PointAndWhetherMetForm

    def __init__(self, data=None, queryset=None, **kwargs):
        whole_record = queryset is None
        if whole_record:
            queryset = Publication.objects.public()
        super().__init__(data, queryset=queryset, **kwargs)
        choices = published_choices() if whole_record else _choices_from(queryset)
        for name, offered in choices.items():
            self.filters[name].extra["choices"] = offered

    @property
    def nothing_published(self):
        """Whether nothing public has been published at all (no council is offered)."""
        return not self.filters["council"].extra["choices"]

    def filter_point(self, queryset, name, value):
        """The point and whether it was met are one filter, applied in `filter_queryset`
        once both are read."""
        return queryset

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*{v: o for v, _, o in SORTS}[value])

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        point, met = self.form.cleaned_data.get("point"), self.form.cleaned_data.get("point_met")
        if point and met:
            # Not applicable counts as neither met nor not met.
            queryset = queryset.filter(_has_point(point, met=met == "true", not_applicable=False))
        # No sort chosen, or one that is not offered: the newest first.
        if not self.form.cleaned_data.get("sort"):
            queryset = self.sort_by(queryset, "sort", DEFAULT_SORT)
        return queryset

    # --- What the page says about the filters in use --------------------------------

    def selected(self, path):
        """The filters in use, for MOJ Frontend's "Selected filters": a list of
        (heading, [(label, address without this value), …]). Each address keeps every
        other filter and the sort, and goes back to the first page."""
        if not self.is_bound:
            return []
        self.form.is_valid()  # a value that is not a choice is an error, and no tag
        data = self.form.cleaned_data
        categories = []
        for name, field in self.form.fields.items():
            if name in ("sort", "point_met"):
                continue
            values = data.get(name)
            if not values:
                continue
            labels = dict(field.choices)
            items = []
            for value in values if isinstance(values, list) else [values]:
                label = labels.get(value, value)
                if name == "point":
                    if not data.get("point_met"):
                        continue  # an error: not filtered, so no tag
                    met = dict(self.form.fields["point_met"].choices)[data["point_met"]]
                    label = f"{label}: {met.lower()}"
                    remaining = self._query(drop=("point", "point_met"))
                else:
                    remaining = self._query(drop=((name, value),))
                remaining = remaining.urlencode()
                address = f"{path}?{remaining}" if remaining else path
                items.append((label, address))
            if items:
                categories.append((field.label, items))
        return categories

    def clear_address(self, path):
        """The address with every filter removed, keeping the sort."""
        sort = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        return f"{path}?sort={sort}" if sort and sort != DEFAULT_SORT else path

    def params(self):
        """The query string's filters and sort, without the page, as {name: [values]}:
        for the pagination links."""
        return dict(self._query().lists())

    def _query(self, drop=()):
        """The query string of the filters as given, less the page and what `drop` names:
        (name, value) pairs, or names (every value)."""
        query = QueryDict(mutable=True)
        for name in self.filters:
            for value in self.data.getlist(name) if hasattr(self.data, "getlist") else []:
                if value and name not in drop and (name, value) not in drop:
                    query.appendlist(name, value)
        return query


def _has_point(number, **answer):
    return Exists(
        PublishedPoint.objects.filter(publication=OuterRef("pk"), number=number, **answer)
    )


def _unique(pairs):
    """(value, label) pairs with each value once, the first label kept."""
    seen = {}
    for value, label in pairs:
        seen.setdefault(value, label)
    return list(seen.items())


def filter_publications(params):
    """The public publications that `params` (a QueryDict: the query string) select,
    sorted, and the filterset that did it. Values that are not choices are errors on
    `filterset.form` and are left out; the rest still apply."""
    filterset = PublicationFilter(params)
    return filterset.qs, filterset


def figures(publications):
    """The count and averages of `publications`, in one query: how many, how many peer
    reviewed and self-assessed, the average of their average scores and the share of
    applicable points met. Each publication's figures are those that count for it: the
    agreed scores when peer reviewed, the council's own otherwise."""
    result = publications.order_by().aggregate(
        count=Count("pk"),
        peer_reviewed=Count("pk", filter=Q(review_type=ReviewType.PEER_REVIEWED)),
        self_assessed=Count("pk", filter=Q(review_type=ReviewType.SELF_ASSESSED)),
        average=Avg("average"),
        met=Sum("met"),
        applicable=Sum("applicable"),
        councils=Count("council", distinct=True),
    )
    return PublishedFigures(**result)


class PublishedFigures:
    """The figures of a set of publications, with the words that say what they include."""

    def __init__(self, *, count, peer_reviewed, self_assessed, average, met, applicable, councils):
        self.count = count
        self.peer_reviewed = peer_reviewed
        self.self_assessed = self_assessed
        self.councils = councils
        self.met = met or 0
        self.applicable = applicable or 0
        # Rounded as each assessment's own average is (scoring.Summary.average).
        self.average = (
            None
            if average is None
            else Decimal(str(average)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        )

    @property
    def met_share(self):
        """The percentage of applicable points met, across every publication counted."""
        return _percentage(self.met, self.applicable)

    @property
    def peer_reviewed_share(self):
        return _percentage(self.peer_reviewed, self.count)

    @property
    def includes(self):
        """What the figures include: "12 assessments: 9 peer reviewed (agreed scores),
        3 self-assessed (the council's own scores)"."""
        parts = []
        if self.peer_reviewed:
            parts.append(f"{self.peer_reviewed} peer reviewed (agreed scores)")
        if self.self_assessed:
            parts.append(f"{self.self_assessed} self-assessed (the council's own scores)")
        noun = "assessment" if self.count == 1 else "assessments"
        return f"{self.count} {noun}: {', '.join(parts)}"


def _percentage(part, whole):
    """A whole-number percentage, rounded as `scoring.Summary.met_share` rounds; None of 0."""
    if not whole:
        return None
    return int((Decimal(100 * part) / whole).quantize(1, ROUND_HALF_UP))


def latest_per_service(publications):
    """Each service's latest publication among `publications`, by service name, each with
    `earlier`: its service's earlier publications, newest first. One query."""
    latest = {}
    for publication in publications.order_by("service_id", "-published_at", "-pk"):
        if publication.service_id in latest:
            latest[publication.service_id].earlier.append(publication)
        else:
            publication.earlier = []
            latest[publication.service_id] = publication
    return sorted(latest.values(), key=lambda p: (p.service_name.casefold(), p.pk))


def published_choices():
    """The filters' choices for everything public, kept under the public record's version
    (`kept_for_record`): none when kept (but the version, outside a public page), two
    when not. DISTINCT over every
    publication costs more than the page it sits on once the record holds thousands, and
    the choices change only when the record does."""
    return kept_for_record(
        "publication-choices", lambda: _choices_from(Publication.objects.public())
    )


def _choices_from(publications):
    """The choices of the filters that depend on what has been published, as plain data,
    in two queries whatever the number of publications: the distinct combinations of the
    councils' facts and products (one row per council and product, not per publication),
    then the points published."""
    columns = (
        "nation",
        "region",
        "authority_type",
        "authority_type_name",
        "peer_group_slug",
        "peer_group_name",
        "council_code",
        "council_name",
        "product_id",
        "product_name",
        "supplier_name",
    )
    rows = [
        dict(zip(columns, row, strict=True))
        for row in publications.order_by().values_list(*columns).distinct()
    ]

    def offered(value, label, *, sort=None, only=lambda row: True):
        pairs = {(value(row), label(row)) for row in rows if only(row)}
        return _unique(sorted(pairs, key=sort or (lambda pair: (pair[1], pair[0]))))

    nations = {row["nation"] for row in rows}
    return {
        "nation": [(value, str(label)) for value, label in Nation.choices if value in nations]
        + sorted((n, n) for n in nations - set(Nation.values)),
        "region": sorted({(row["region"], row["region"]) for row in rows}),
        "type": offered(lambda r: r["authority_type"], lambda r: r["authority_type_name"]),
        "peer_group": offered(lambda r: r["peer_group_slug"], lambda r: r["peer_group_name"]),
        "council": offered(lambda r: r["council_code"], lambda r: r["council_name"]),
        "product": _unique(
            (str(pk), f"{name} ({supplier})" if supplier else name)
            for name, supplier, pk in sorted(
                {
                    (row["product_name"], row["supplier_name"], row["product_id"])
                    for row in rows
                    if row["product_id"] is not None
                }
            )
        ),
        "point": _unique(
            (str(number), f"{number}. {title}")
            for number, title in PublishedPoint.objects.filter(publication__in=publications)
            .values_list("number", "short_title")
            .distinct()
            .order_by("number", "short_title")
        ),
    }
