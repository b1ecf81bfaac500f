"""The read-only JSON API at /api/v1/: the public record for programs.

Built with django-ninja, which writes the OpenAPI description (/api/v1/openapi.json)
from these functions and schemas, so the description cannot drift from the code. The
interactive documentation page is off: it loads scripts from a CDN that the Content
Security Policy refuses; /data/ links the description instead.

What it serves:

- councils: the register's reference facts (public, as on /councils/);
- services with at least one published assessment, described as last published;
- published assessments with their point scores;
- the Standard's points (read from `standard`, which knows nothing of assessments).

Assessments and services are read from the publication tables only, and only from
`Publication.objects.public()`: a withdrawn or never-published assessment is a 404,
as is anything unknown. Lists are paginated (`limit` at most 100, and `offset`) and
take the same filters, by the same names, as the results page. Each request makes a
fixed number of queries: a count, a page, and for assessments one more for the page's
points. Bad parameters are a 422 with the problems in JSON, never a 500.

Every GET is served like a public page (docs/decisions/0022): each operation is wrapped
in `public_record_page` (`decorate_view`), which answers conditional requests with a 304
and sets `ETag`, `Last-Modified` and `Cache-Control`, and `ReadOnlyAPI` marks each
address's view so that `lgdss.public_pages` stores the JSON drawn for an anonymous
caller and serves it to every one after, before the rest of the stack: one query, for
the public record's version. A publication, withdrawal or correction renames every
answer at once. The councils and the Standard's points also change outside the record
(the register, the current version), so theirs carry the period as council pages do.
Only a 200 is stored: a 404 or a 422 is drawn every time. The description
(/api/v1/openapi.json) changes only with the code: it is built once in each process.
"""

import functools
import hashlib
from datetime import date, datetime

from django.db.models import Count, OuterRef, Subquery
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.decorators import decorate_view
from ninja.responses import Response

from assessments.models import Council, Publication, PublishedPoint, ReviewType
from assessments.models.councils import Nation
from assessments.models.phases import Phase
from assessments.publishing.caching import BROWSER_MAX_AGE, public_record_page
from assessments.publishing.open_data import ASSESSMENT_COLUMNS, json_value
from assessments.scoring import Rating
from standard.models import Point, StandardVersion

MAX_LIMIT = 100
# Far beyond any real offset, and small enough for every database's integers.
MAX_OFFSET = 1_000_000
MAX_ID = 2**31 - 1
# What the text filters accept: the letters, digits and punctuation of region names,
# so that odd characters (a NUL, which PostgreSQL refuses) are a 422, not a 500.
TEXT = r"^[A-Za-z0-9 ,.'()&-]+$"
CODE = r"^[A-Za-z0-9-]{1,10}$"
SLUG = r"^[-a-zA-Z0-9_]+$"
VERSION = r"^[A-Za-z0-9.-]{1,20}$"


class ReadOnlyAPI(NinjaAPI):
    """ninja's API, with every address answering GET and HEAD only, like every other
    read-only address here (ninja's own views answer any method they are given, and
    refuse HEAD), and those that read the public record served like its pages.

    ninja routes each address through one view that picks the operation by method, so
    `public_record_page` on an operation (`decorate_view`) is not seen on the address's
    view, where `lgdss.public_pages` looks for it before anything is drawn. So an address
    whose every operation is a GET marked with it gets a view of its own that carries the
    mark (`_page_of_the_record`). The description is built once in each process
    instead (`description`)."""

    def _get_urls(self):
        urls = super()._get_urls()
        views = self._path_views()
        for pattern in urls:
            if pattern.name == "openapi-json":
                pattern.callback = description
            elif pattern.name == "api-root":
                pattern.callback = index
            elif pattern.name in views and _reads_the_record(views[pattern.name]):
                pattern.callback = _page_of_the_record(views[pattern.name])
        return urls

    def _path_views(self):
        """Each address's operations (ninja's `PathView`), by the URL name ninja gave
        its pattern: the API's routers as bound by `super()._get_urls()`."""
        views = {}
        for bound in self._get_bound_routers():
            for path_view in bound.path_operations.values():
                for operation in path_view.operations:
                    name = getattr(operation, "url_name", None) or self.get_operation_url_name(
                        operation, router=bound.template
                    )
                    views[name] = path_view
        return views


def _reads_the_record(path_view):
    """Whether an address only reads (one GET operation) and that operation is wrapped in
    `public_record_page`: anything else is left to ninja's own view, and not stored."""
    return len(path_view.operations) == 1 and all(
        operation.methods == ["GET"] and getattr(operation.run, "public_record_page", False)
        for operation in path_view.operations
    )


def _page_of_the_record(path_view):
    """The address's view: its GET operation, for GET and HEAD (as `require_safe` pages
    answer both, and a stored answer is served to both), marked `public_record_page`.
    Exempt from CSRF as ninja's views are, so another method is a 405, not a 403."""
    (operation,) = path_view.operations

    @csrf_exempt
    @require_safe
    @functools.wraps(operation.view_func)
    def view(request, *args, **kwargs):
        return operation.run(request, *args, **kwargs)

    view.public_record_page = True
    return view


@require_safe
def description(request):
    """/api/v1/openapi.json: ninja's description of the API, built once in each process.

    Building it from the schemas takes tens of milliseconds, and it changes only when the
    code does, never with the record: so it is not named by the record's version (which
    would cost a query, and programs such as Schemathesis read it with no database) but
    by its own bytes, with `Cache-Control` as the public pages have."""
    body, tag = _description()
    response = get_conditional_response(request, etag=tag)
    if response is None:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = tag
    patch_cache_control(response, public=True, max_age=BROWSER_MAX_AGE)
    return response


@functools.cache
def _description():
    body = Response(api.get_openapi_schema()).content
    return body, f'"{hashlib.sha256(body).hexdigest()[:32]}"'


@require_safe
def index(request):
    """/api/v1/ itself: where the description and each list are (ninja's own root is its
    docs page, which is off)."""
    names = ["openapi-json", "list_councils", "list_services", "list_assessments", "list_points"]
    keys = ["description", "councils", "services", "assessments", "standard_points"]
    return JsonResponse(
        {
            key: request.build_absolute_uri(reverse(f"api:{name}"))
            for key, name in zip(keys, names, strict=True)
        }
    )


def not_found(request, unknown=""):
    """Any other address under /api/: a 404 in JSON, like the API's own."""
    return JsonResponse({"detail": "Not Found"}, status=404)


api = ReadOnlyAPI(
    title="Local Government Digital Service Standard: published assessments",
    version="1",
    description=(
        "Read-only. Assessments councils have published against the Local Government "
        "Digital Service Standard, with their point scores; the councils, the services "
        "and the Standard's points. Only what is published and not withdrawn. Open "
        "Government Licence v3.0."
    ),
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
)


# --- Errors ------------------------------------------------------------------------


class Problem(Schema):
    detail: str


class InvalidParameters(Schema):
    detail: list[dict]


def responses(ok, *, not_found=False):
    """What an operation answers: its result, a 422 for bad parameters, and a 404 for
    an unknown (or unpublished, or withdrawn) item."""
    table = {200: ok, 422: InvalidParameters}
    if not_found:
        table[404] = Problem
    return table


# --- Pagination and filters --------------------------------------------------------


class Pagination(Schema):
    limit: int = Field(20, ge=1, le=MAX_LIMIT, description=f"Items per page, at most {MAX_LIMIT}.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")


def paginate(queryset, pagination):
    """A page of `queryset` and the count of all of it: two queries."""
    start = pagination.offset
    return {
        "count": queryset.count(),
        "limit": pagination.limit,
        "offset": start,
        "items": list(queryset[start : start + pagination.limit]),
    }


class PublicationFilters(Schema):
    """The results page's filters, by the same names."""

    nation: Nation | None = None
    region: str | None = Field(None, max_length=40, pattern=TEXT)
    type: str | None = Field(
        None, max_length=5, pattern=r"^[A-Za-z]+$", description="A council type's code, such as MD."
    )
    peer_group: str | None = Field(
        None, max_length=100, pattern=SLUG, description="A peer group's slug, such as midlands."
    )
    phase: Phase | None = None
    rating: Rating | None = None
    review_type: ReviewType | None = None
    product: int | None = Field(None, ge=1, le=MAX_ID, description="A product's id.")
    point: int | None = Field(None, ge=1, le=15, description="A point's number.")
    point_met: bool | None = Field(None, description="With `point`: whether that point is met.")

    def apply(self, queryset):
        """`queryset` of publications, filtered."""
        lookups = {
            "nation": self.nation,
            "region": self.region,
            "authority_type__iexact": self.type,
            "peer_group_slug": self.peer_group,
            "phase": self.phase,
            "rating": self.rating,
            "review_type": self.review_type,
            "product_id": self.product,
        }
        filters = {key: value for key, value in lookups.items() if value is not None}
        if self.point is not None:
            points = PublishedPoint.objects.filter(number=self.point)
            if self.point_met is not None:
                points = points.filter(met=self.point_met, not_applicable=False)
            filters["pk__in"] = points.values("publication_id")
        return queryset.filter(**filters)


# --- Councils ----------------------------------------------------------------------


class CouncilOut(Schema):
    code: str
    official_name: str
    short_name: str
    gss_code: str
    nation: str
    region: str
    type_code: str = Field(alias="authority_type")
    type: str = Field(alias="authority_type_name")
    peer_group: str = Field(alias="peer_group.name")
    peer_group_slug: str = Field(alias="peer_group.slug")
    current: bool = Field(alias="is_current")
    start_date: date | None
    end_date: date | None


class CouncilPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CouncilOut]


class CouncilFilters(Schema):
    nation: Nation | None = None
    region: str | None = Field(None, max_length=40, pattern=TEXT)
    type: str | None = Field(None, max_length=5, pattern=r"^[A-Za-z]+$")
    peer_group: str | None = Field(None, max_length=100, pattern=SLUG)
    current: bool | None = None


@api.get("/councils", response=responses(CouncilPage), tags=["Councils"])
@decorate_view(public_record_page(changes_outside_record=True))
def list_councils(request, pagination: Query[Pagination], filters: Query[CouncilFilters]):
    """Every council in the register, current and former, by code."""
    lookups = {
        "nation": filters.nation,
        "region": filters.region,
        "authority_type__iexact": filters.type,
        "peer_group__slug": filters.peer_group,
        "is_current": filters.current,
    }
    councils = Council.objects.select_related("peer_group").order_by("code")
    councils = councils.filter(**{k: v for k, v in lookups.items() if v is not None})
    return paginate(councils, pagination)


@api.get("/councils/{code}", response=responses(CouncilOut, not_found=True), tags=["Councils"])
@decorate_view(public_record_page(changes_outside_record=True))
def get_council(request, code: str = Path(..., pattern=CODE)):
    """One council, by its code (in any case)."""
    return get_object_or_404(Council.objects.select_related("peer_group"), code=code.upper())


# --- Assessments -------------------------------------------------------------------


class Link(Schema):
    title: str = ""
    url: str = ""


class PointScoreOut(Schema):
    point_number: int = Field(alias="number")
    point_title: str = Field(alias="short_title")
    statement: str
    score: int | None
    not_applicable: bool
    met: bool
    self_score: int | None
    self_not_applicable: bool
    agreed_score: int | None
    agreed_not_applicable: bool
    not_applicable_reason: str
    evidence: str
    links: list[Link]
    done_well: str
    to_explore: str


class AssessmentSummary(Schema):
    """An assessment's facts and figures, as in the assessments download."""

    assessment_id: int
    report_url: str
    council_code: str
    gss_code: str
    council_name: str
    nation: str
    region: str
    council_type_code: str
    council_type: str
    peer_group: str
    service_id: int
    service_name: str
    service_url: str
    sourcing: str
    product: str
    supplier: str
    phase: str
    standard_version: str
    standard_name: str
    review_type: ReviewType
    reviewer_councils: list[str]
    recommendation: str
    submitted_at: datetime
    review_completed_at: datetime | None
    published_at: datetime
    total: int
    maximum: int
    met: int
    applicable: int
    average: float | None
    rating: str
    self_total: int
    self_maximum: int
    self_met: int
    self_applicable: int
    self_average: float | None
    self_rating: str
    agreed_total: int | None
    agreed_maximum: int | None
    agreed_met: int | None
    agreed_applicable: int | None
    agreed_average: float | None
    agreed_rating: str


class AssessmentOut(AssessmentSummary):
    points: list[PointScoreOut]


class AssessmentPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AssessmentOut]


def summary(publication):
    """A publication as the downloads' columns: the same names, the same values."""
    return {
        column.name: json_value(column, getattr(publication, column.source))
        for column in ASSESSMENT_COLUMNS
    }


def with_points(publication):
    return {**summary(publication), "points": list(publication.points.all())}


def public_publications():
    return Publication.objects.public().order_by("-published_at", "-pk")


@api.get("/assessments", response=responses(AssessmentPage), tags=["Assessments"])
@decorate_view(public_record_page)
def list_assessments(request, pagination: Query[Pagination], filters: Query[PublicationFilters]):
    """Published assessments, newest first, each with its point scores."""
    publications = filters.apply(public_publications()).prefetch_related("points")
    page = paginate(publications, pagination)
    page["items"] = [with_points(publication) for publication in page["items"]]
    return page


@api.get(
    "/assessments/{assessment_id}",
    response=responses(AssessmentOut, not_found=True),
    tags=["Assessments"],
)
@decorate_view(public_record_page)
def get_assessment(request, assessment_id: int = Path(..., ge=1, le=MAX_ID)):
    """One published assessment with its point scores. A withdrawn one is not found."""
    publication = get_object_or_404(
        public_publications().prefetch_related("points"), pk=assessment_id
    )
    return with_points(publication)


# --- Services ----------------------------------------------------------------------


class ServiceOut(Schema):
    service_id: int
    service_name: str
    council_code: str
    council_name: str
    published_assessments: int
    latest: AssessmentSummary


class ServicePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ServiceOut]


class ServiceDetail(ServiceOut):
    assessments: list[AssessmentSummary]


def latest_publications():
    """Each service's latest public publication, with how many it has: one row a service."""
    public = Publication.objects.public()
    latest = public.filter(service=OuterRef("service")).order_by("-published_at", "-pk")
    counts = (
        public.filter(service=OuterRef("service"))
        .order_by()
        .values("service")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        public.filter(pk=Subquery(latest.values("pk")[:1]))
        .annotate(publication_count=Subquery(counts))
        .order_by("service_id")
    )


def service(publication):
    return {
        "service_id": publication.service_id,
        "service_name": publication.service_name,
        "council_code": publication.council_code,
        "council_name": publication.council_name,
        "published_assessments": publication.publication_count,
        "latest": summary(publication),
    }


@api.get("/services", response=responses(ServicePage), tags=["Services"])
@decorate_view(public_record_page)
def list_services(request, pagination: Query[Pagination], filters: Query[PublicationFilters]):
    """Services with at least one published assessment, by id, as last published. The
    filters apply to each service's latest published assessment."""
    page = paginate(filters.apply(latest_publications()), pagination)
    page["items"] = [service(publication) for publication in page["items"]]
    return page


@api.get(
    "/services/{service_id}",
    response=responses(ServiceDetail, not_found=True),
    tags=["Services"],
)
@decorate_view(public_record_page)
def get_service(request, service_id: int = Path(..., ge=1, le=MAX_ID)):
    """One service and every published assessment of it, newest first."""
    latest = latest_publications().filter(service_id=service_id).first()
    if latest is None:
        raise Http404("No published assessment of this service.")
    everything = public_publications().filter(service_id=service_id)
    return {**service(latest), "assessments": [summary(p) for p in everything]}


# --- The Standard ------------------------------------------------------------------


class PointOut(Schema):
    standard_version: str = Field(alias="version.version")
    number: int
    short_title: str
    statement: str
    purpose: str
    how_to_meet: str


class PointPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PointOut]


class VersionFilter(Schema):
    version: str | None = Field(
        None,
        pattern=VERSION,
        description="A version of the Standard, such as 1.0; the current one if not given.",
    )

    def points(self):
        versions = StandardVersion.objects.all()
        version = (
            versions.filter(version=self.version)
            if self.version
            else versions.filter(is_current=True)
        )
        return (
            Point.objects.filter(version__in=version).select_related("version").order_by("number")
        )


@api.get("/standard/points", response=responses(PointPage), tags=["The Standard"])
@decorate_view(public_record_page(changes_outside_record=True))
def list_points(request, pagination: Query[Pagination], filters: Query[VersionFilter]):
    """The points of a version of the Standard, in order."""
    return paginate(filters.points(), pagination)


@api.get(
    "/standard/points/{number}",
    response=responses(PointOut, not_found=True),
    tags=["The Standard"],
)
@decorate_view(public_record_page(changes_outside_record=True))
def get_point(request, filters: Query[VersionFilter], number: int = Path(..., ge=1, le=99)):
    """One point of a version of the Standard."""
    return get_object_or_404(filters.points(), number=number)
