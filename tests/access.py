"""Who may use each URL: one declaration per address (and case), walked by
tests/test_url_access.py for every person, with GET and with POST.

A declaration names the URL pattern, builds its arguments from the shared scenario
(tests/world.py), and says for each person what GET answers and what POST answers, and
so whether POST changed anything. `data` is what an allowed person would post, so that
the allowed POST really changes something and a refused one really would have.
`effect` says, when it is cheap to, what that change is.

    Access(
        "assessments:submit_assessment",
        args=lambda w: [w.coventry, w.draft],
        get=each(NOT_ALLOWED, anonymous=SIGN_IN),
        post=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN, coventry_lead=DONE, superuser=DONE),
        effect=lambda w, user: Assessment.objects.get(pk=w.draft).status == Status.SUBMITTED,
    )

Several declarations may share a pattern, one per case (`case="its sole lead"`). Every
pattern in the URL configuration needs at least one: the walk fails, naming it, otherwise.
What a new URL needs (a review, say) goes in the world. The admin is declared as a group,
model by model, at the end.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.apps import apps
from django.urls import reverse

from assessments.models import (
    AgreedPoint,
    Assessment,
    AssignmentEnd,
    Correction,
    Council,
    Invitation,
    Membership,
    Notification,
    NotificationStatus,
    PeerGroup,
    PointAssessment,
    PointMessage,
    Product,
    Publication,
    Review,
    ReviewerAssignment,
    ReviewerPoint,
    Service,
    Status,
    User,
)
from assessments.publishing.snapshot import load_snapshot
from assessments.views.publishing import fingerprint
from tests.conftest import PASSWORD
from tests.world import NEW_PASSWORD, NEWCOMER, WALKERS

# --- What a request answers -------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    meaning: str
    changes: bool = False  # whether the request changes the application's state
    # Where a redirect must lead: "sign in" (and back here), "admin sign in" (and back
    # here), "signed out" (to sign in, wherever next) or "" (elsewhere).
    to: str = ""

    def __str__(self):
        return self.meaning


OK = Answer(200, "the page")
SIGN_IN = Answer(302, "sent to sign in", to="sign in")
ADMIN_SIGN_IN = Answer(302, "sent to the admin's sign-in page", to="admin sign in")
MOVED = Answer(302, "sent elsewhere, with nothing changed")
DONE = Answer(302, "done, then sent on", changes=True)
INVALID = Answer(400, "refused as incomplete")
NO = Answer(403, "refused: they may see it, but not do this")
HIDDEN = Answer(404, "not found: they may not see it")
NOT_ALLOWED = Answer(405, "method not allowed")
CONFLICT = Answer(409, "refused: it would break a rule about the state")
GONE = Answer(410, "gone")
KEPT_SIGNED_IN = Answer(204, "kept signed in (the session moves on), nothing else changed")
NOT_SIGNED_IN = Answer(401, "not signed in")
SIGNED_OUT = Answer(302, "signed out and sent to sign in again", to="signed out")
LOGGED = Answer(204, "logged, with nothing changed")
PASSWORD_FIRST = Answer(302, "sent to the password step first", to="signed out")

# Names for several walkers at once, usable in `each`.
GROUPS = {
    "signed_in": WALKERS[1:],
    "coventry_members": [
        "coventry_lead",
        "coventry_contributor",
        "leeds_lead_coventry_contributor",
    ],
    "leeds_members": ["leeds_lead", "leeds_lead_coventry_contributor"],
    # Signed in, with no part in Coventry.
    "outsiders": ["leeds_lead", "peer_reviewer"],
    # The admin's own people; everyone else is sent to its sign-in page.
    "admins": ["coordinator", "superuser"],
}


def each(default=None, /, **answers):
    """An answer for every walker: `default`, then groups, then people by name.

    `each(OK, anonymous=SIGN_IN, outsiders=HIDDEN)` reads "the page, except that an
    anonymous visitor is sent to sign in and outsiders get 404". A walker named by two
    groups, or by none when there is no default, is an error.
    """
    table = dict.fromkeys(WALKERS, default)
    from_group = {}
    for key, answer in answers.items():
        if key in GROUPS:
            for walker in GROUPS[key]:
                if walker in from_group:
                    raise ValueError(f"{walker} is in both {from_group[walker]} and {key}")
                from_group[walker] = key
                table[walker] = answer
        elif key not in WALKERS:
            raise ValueError(f"{key} is neither a walker nor a group")
    for key, answer in answers.items():
        if key in WALKERS:
            table[key] = answer
    missing = [walker for walker, answer in table.items() if answer is None]
    if missing:
        raise ValueError(f"No answer for {', '.join(missing)}")
    return table


# Tables used by many declarations.
PUBLIC = each(OK)
GET_ONLY = each(NOT_ALLOWED)
# A page of Coventry's: its members, coordinators and superusers see it.
COVENTRY_PAGE = each(OK, anonymous=SIGN_IN, outsiders=HIDDEN)
# A method a page behind sign-in does not take: anonymous visitors are sent to sign in first.
SIGNED_IN_GET_ONLY = each(NOT_ALLOWED, anonymous=SIGN_IN)
# The coordinators' pages about an assessment's reviewers: the assessment's council's
# members (and, once it is theirs, its reviewers) may see it, so are refused; others 404.
ASSIGNING_PAGE = each(HIDDEN, anonymous=SIGN_IN, coventry_members=NO, admins=OK)
IN_REVIEW_ASSIGNING_PAGE = each(
    HIDDEN, anonymous=SIGN_IN, coventry_members=NO, peer_reviewer=NO, admins=OK
)


# --- Declarations -----------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    name: str  # the URL pattern's full name, e.g. "assessments:edit_point"
    get: dict[str, Answer]
    post: dict[str, Answer] | None  # None: not walked with POST (an admin changelist)
    args: Any = ()  # the URL's arguments, or a function of the world that gives them
    case: str = ""  # what this declaration is about, when a pattern has several
    data: Any = field(default_factory=dict)  # what POST sends, or a function of the world
    # A function of (world, user) that is true once the allowed POST has had its effect.
    effect: Any = None
    # Something a person does first, e.g. follow a link: a function of (client, world).
    prepare: Any = None
    # Models, besides those of `assessments`, `standard` and the task queue, whose rows
    # count as the state this address may change ("app_label.ModelName").
    watch: tuple = ()
    # What POST sends other than a form (`data` is then the body), e.g. a browser's report.
    content_type: str = ""
    # A query string the address is walked with, e.g. "councils=cov,lds".
    query: str = ""

    @property
    def id(self):
        return f"{self.name}[{self.case}]" if self.case else self.name

    def url(self, world):
        args = self.args(world) if callable(self.args) else self.args
        return reverse(self.name, args=args) + (f"?{self.query}" if self.query else "")

    def post_data(self, world):
        return self.data(world) if callable(self.data) else self.data

    def answer(self, walker, method):
        """What the declaration expects, or None when the method is not walked."""
        table = self.get if method == "GET" else self.post
        return None if table is None else table[walker]


def _point(assessment, number):
    return PointAssessment.objects.get(assessment=assessment, point__number=number)


def _invitation(pk):
    return Invitation.objects.get(pk=pk)


ADOPTION = {
    "adopted_on_0": "7",
    "adopted_on_1": "4",
    "adopted_on_2": "2016",
    "sponsor_role": "Chief Executive",
}
SERVICE = {
    "name": "Apply for a blue badge",
    "description": "",
    "url": "",
    "phase": "alpha",
    "owner": "",
    "sourcing": "in_house",
    "product": "",
    "suggested_supplier": "",
    "suggested_product": "",
}
POINT = {
    "answer": "4",
    "not_applicable_reason": "",
    "evidence": "We asked 200 drivers.",
    "revision": "0",
    "links-TOTAL_FORMS": "1",
    "links-INITIAL_FORMS": "0",
    "links-0-title": "Survey results",
    "links-0-url": "https://example.com/survey",
}
REVIEW_SCORE = {
    "answer": "3",
    "done_well": "Clear research with residents.",
    "to_explore": "How the team measures success.",
    "revision": "0",
}
# A page of the reviewers of Coventry's school places assessment: Rita, who leads it.
# Coventry's members and coordinators see the assessment but not this (superusers are
# not reviewers either); Leeds's lead does not see the assessment at all.
REVIEWERS_PAGE = each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, peer_reviewer=OK)
CORRECTION = {
    "point": "1",
    "field": "evidence",
    "text": "What the team did, with the resident's name taken out.",
    "reason": "A resident was named by mistake.",
}


def _shown(assessment):
    """What the publish confirmation page sends back: the fingerprint of what it showed."""
    frozen = load_snapshot(
        Assessment.objects.get(pk=assessment),
        peer_reviewed=Assessment.objects.get(pk=assessment).status == Status.REVIEWED,
    )
    return {"shown": fingerprint(frozen)}


NEW_PASSWORDS = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}


def _public(name, args=()):
    return Access(name, args=args, get=PUBLIC, post=GET_ONLY)


def _coventry_page(name, args):
    return Access(name, args=args, get=COVENTRY_PAGE, post=SIGNED_IN_GET_ONLY)


ACCESS = [
    # Public pages: anyone reads them; nothing is posted to them.
    _public("home"),
    _public("scoring"),  # how assessments are scored
    _public("accessibility"),
    _public("privacy"),
    _public("cookies"),
    # The timeout warning's two addresses (static/js/timeout-warning.js). The session they
    # extend or end is no part of the state the walk compares.
    Access(
        "session_extend",
        get=each(NOT_ALLOWED),
        post=each(KEPT_SIGNED_IN, anonymous=NOT_SIGNED_IN),
    ),
    Access("session_end", get=each(NOT_ALLOWED), post=each(SIGNED_OUT)),
    # Browsers' reports of what the Content Security Policy blocked: logged, nothing kept.
    Access(
        "csp_report",
        get=each(NOT_ALLOWED),
        post=each(LOGGED),
        data=lambda w: json.dumps(CSP_REPORT),
        content_type="application/csp-report",
    ),
]

# A report as browsers send it when the policy blocks something.
CSP_REPORT = {
    "csp-report": {
        "document-uri": "https://lgdss.example/councils/cov/",
        "effective-directive": "script-src-elem",
        "blocked-uri": "inline",
    }
}

# Two-factor authentication. In the world, the coordinator and the superuser ("admins")
# have an app and sessions verified by it; nobody else has one. The second step of
# signing in needs the password step first, in the same browser.
TWO_FACTOR = ("otp_totp.TOTPDevice", "otp_static.StaticDevice", "otp_static.StaticToken")
ACCESS += [
    Access(
        "assessments:sign_in_code",
        get=each(PASSWORD_FIRST),
        post=each(PASSWORD_FIRST),
        data={"code": "123456"},
        watch=TWO_FACTOR,
    ),
    Access(
        "assessments:sign_in_recovery_code",
        get=each(PASSWORD_FIRST),
        post=each(PASSWORD_FIRST),
        data={"code": "abcd efgh"},
        watch=TWO_FACTOR,
    ),
    Access(
        "assessments:two_factor",
        get=each(OK, anonymous=SIGN_IN),
        post=each(NOT_ALLOWED, anonymous=SIGN_IN),
    ),
    # A wrong code: the form again, with nothing confirmed.
    Access(
        "assessments:two_factor_set_up",
        get=each(OK, anonymous=SIGN_IN, admins=MOVED),
        post=each(OK, anonymous=SIGN_IN, admins=MOVED),
        data={"code": "000000"},
        watch=("otp_static.StaticDevice", "otp_static.StaticToken"),
    ),
    # Recovery codes are shown once, straight after they are made; otherwise this sends
    # people to the two-factor page.
    Access(
        "assessments:recovery_codes",
        get=each(MOVED, anonymous=SIGN_IN),
        post=each(NOT_ALLOWED, anonymous=SIGN_IN),
    ),
    Access(
        "assessments:new_recovery_codes",
        get=each(MOVED, anonymous=SIGN_IN, admins=OK),
        post=each(MOVED, anonymous=SIGN_IN, admins=DONE),
        data={"password": PASSWORD},
        watch=TWO_FACTOR,
    ),
    Access(
        "assessments:two_factor_turn_off",
        get=each(MOVED, anonymous=SIGN_IN, admins=OK),
        post=each(MOVED, anonymous=SIGN_IN, admins=DONE),
        data={"password": PASSWORD},
        watch=TWO_FACTOR,
        effect=lambda w, user: not user.totpdevice_set.exists(),
    ),
    _public("standard:point_list"),
    _public("standard:about"),
    _public("standard:point_detail", [3]),
    # Insight: the hub, each point's national picture and councils' own scores against
    # agreed ones, with their CSV downloads. A point the Standard does not have is 404.
    _public("assessments:insight"),
    _public("point_picture", [9]),
    _public("point_picture_csv", [9]),
    Access("point_picture", case="no such point", args=[16], get=each(HIDDEN), post=GET_ONLY),
    Access("point_picture_csv", case="no such point", args=[16], get=each(HIDDEN), post=GET_ONLY),
    _public("assessments:self_and_agreed"),
    _public("assessments:self_and_agreed_csv"),
    _public("assessments:council_directory"),
    _public("assessments:council_detail", ["cov"]),
    # The published results: public, read-only.
    _public("assessments:results"),
    # The published record: each report, the withdrawn one too (with its notice).
    Access(
        "assessments:published_assessment",
        args=lambda w: [w.published],
        get=PUBLIC,
        post=GET_ONLY,
    ),
    Access(
        "assessments:published_assessment",
        case="a self-assessment",
        args=lambda w: [w.self_published],
        get=PUBLIC,
        post=GET_ONLY,
    ),
    Access(
        "assessments:published_assessment",
        case="a withdrawn publication",
        args=lambda w: [w.unpublished],
        get=PUBLIC,
        post=GET_ONLY,
    ),
    Access(
        "assessments:published_assessment",
        case="an assessment never published",
        args=lambda w: [w.reviewed],
        get=each(HIDDEN),
        post=GET_ONLY,
    ),
    # Open data: the page that describes it, each download, and the feed.
    # Comparing councils: the form alone, a comparison (its CSV), a bad choice (the
    # form with an error; no such CSV); a council's figures against its peers as CSV.
    _public("assessments:compare"),
    Access(
        "assessments:compare",
        case="two councils",
        query="councils=cov,lds",
        get=PUBLIC,
        post=GET_ONLY,
    ),
    Access(
        "assessments:compare",
        case="an unknown council",
        query="councils=cov,zzz",
        get=PUBLIC,
        post=GET_ONLY,
    ),
    Access(
        "assessments:compare_csv",
        query="councils=cov,lds",
        get=PUBLIC,
        post=GET_ONLY,
    ),
    Access(
        "assessments:compare_csv",
        case="no councils chosen",
        get=each(HIDDEN),
        post=GET_ONLY,
    ),
    _public("assessments:council_points_csv", ["cov"]),
    _public("assessments:open_data"),
    _public("assessments:open_data_download", ["assessments", "csv"]),
    Access(
        "assessments:open_data_download",
        case="point scores as JSON",
        args=["point-scores", "json"],
        get=PUBLIC,
        post=GET_ONLY,
    ),
    Access(
        "assessments:open_data_download",
        case="no such download",
        args=["scores", "xlsx"],
        get=each(HIDDEN),
        post=GET_ONLY,
    ),
    _public("assessments:published_feed"),
    # Insight: products, a service's scores over time and the national trend, each with
    # its CSV. A product or service with nothing public is not found.
    _public("assessments:product_list"),
    Access(
        "assessments:product_detail",
        args=lambda w: [w.published_product],
        get=PUBLIC,
        post=GET_ONLY,
    ),
    Access(
        "assessments:product_detail",
        case="a product no public assessment uses",
        args=lambda w: [Product.objects.get(pk=w.product).slug],
        get=each(HIDDEN),
        post=GET_ONLY,
    ),
    Access(
        "assessments:product_points_csv",
        args=lambda w: [w.published_product],
        get=PUBLIC,
        post=GET_ONLY,
    ),
    Access(
        "assessments:product_points_csv",
        case="a product no public assessment uses",
        args=lambda w: [Product.objects.get(pk=w.product).slug],
        get=each(HIDDEN),
        post=GET_ONLY,
    ),
    Access(
        "assessments:service_record",
        args=lambda w: [Assessment.objects.get(pk=w.published).service_id],
        get=PUBLIC,
        post=GET_ONLY,
    ),
    Access(
        "assessments:service_record",
        case="a service whose only publication was withdrawn",
        args=lambda w: [Assessment.objects.get(pk=w.unpublished).service_id],
        get=each(HIDDEN),
        post=GET_ONLY,
    ),
    _public("assessments:trends"),
    _public("assessments:trends_csv"),
    # The JSON API and its OpenAPI description: anyone reads them; nothing is posted.
    _public("api:openapi-json"),
    _public("api:api-root"),
    Access("api_not_found", args=["v1/nothing"], get=each(HIDDEN), post=each(HIDDEN)),
    _public("api:list_councils"),
    _public("api:get_council", ["cov"]),
    _public("api:list_assessments"),
    Access(
        "api:get_assessment",
        args=lambda w: [w.published],
        get=PUBLIC,
        post=GET_ONLY,
    ),
    Access(
        "api:get_assessment",
        case="a withdrawn publication",
        args=lambda w: [w.unpublished],
        get=each(HIDDEN),
        post=GET_ONLY,
    ),
    Access(
        "api:get_assessment",
        case="an assessment never published",
        args=lambda w: [w.reviewed],
        get=each(HIDDEN),
        post=GET_ONLY,
    ),
    _public("api:list_services"),
    Access(
        "api:get_service",
        args=lambda w: [Assessment.objects.get(pk=w.published).service_id],
        get=PUBLIC,
        post=GET_ONLY,
    ),
    Access(
        "api:get_service",
        case="a service whose only publication was withdrawn",
        args=lambda w: [Assessment.objects.get(pk=w.unpublished).service_id],
        get=each(HIDDEN),
        post=GET_ONLY,
    ),
    _public("api:list_points"),
    _public("api:get_point", [3]),
    # Signing up to the Standard: every council's page is public, so it is 403, not 404.
    Access(
        "assessments:record_adoption",
        args=lambda w: [w.coventry],
        get=each(NO, anonymous=SIGN_IN, coventry_lead=OK, admins=OK),
        post=each(NO, anonymous=SIGN_IN, coventry_lead=DONE, admins=DONE),
        data=ADOPTION,
        effect=lambda w, user: Council.objects.filter(
            code="COV", adopted_on=date(2016, 4, 7), adoption_recorded_by=user
        ).exists(),
    ),
    # A council's services: its members work on them; coordinators look.
    _coventry_page("assessments:service_list", lambda w: [w.coventry]),
    _coventry_page("assessments:service_detail", lambda w: [w.coventry, w.parking]),
    Access(
        "assessments:service_detail",
        case="Leeds's service through Coventry's address",
        args=lambda w: [w.coventry, w.leeds_service],
        get=each(HIDDEN, anonymous=SIGN_IN),
        post=SIGNED_IN_GET_ONLY,
    ),
    Access(
        "assessments:add_service",
        args=lambda w: [w.coventry],
        get=each(OK, anonymous=SIGN_IN, outsiders=HIDDEN, coordinator=NO),
        post=each(DONE, anonymous=SIGN_IN, outsiders=HIDDEN, coordinator=NO),
        data=SERVICE,
        effect=lambda w, user: Service.objects.filter(
            council__code="COV", name=SERVICE["name"], created_by=user
        ).exists(),
    ),
    Access(
        "assessments:edit_service",
        args=lambda w: [w.coventry, w.parking],
        get=each(OK, anonymous=SIGN_IN, outsiders=HIDDEN, coordinator=NO),
        post=each(DONE, anonymous=SIGN_IN, outsiders=HIDDEN, coordinator=NO),
        data={**SERVICE, "name": "Pay for parking online", "revision": "0"},
        effect=lambda w, user: Service.objects.get(pk=w.parking).name == "Pay for parking online",
    ),
    Access(
        "assessments:retire_service",
        args=lambda w: [w.coventry, w.parking],
        get=each(OK, anonymous=SIGN_IN, outsiders=HIDDEN, coordinator=NO),
        post=each(DONE, anonymous=SIGN_IN, outsiders=HIDDEN, coordinator=NO),
        data={"action": "retire"},
        effect=lambda w, user: Service.objects.get(pk=w.parking).is_retired,
    ),
    Access(
        "assessments:edit_service",
        case="a retired service",
        args=lambda w: [w.coventry, w.trams],
        get=each(HIDDEN, anonymous=SIGN_IN, coordinator=NO),
        post=each(HIDDEN, anonymous=SIGN_IN, coordinator=NO),
        data={**SERVICE, "name": "Tram times", "revision": "1"},
    ),
    Access(
        "assessments:retire_service",
        case="bringing a retired service back",
        args=lambda w: [w.coventry, w.trams],
        get=each(OK, anonymous=SIGN_IN, outsiders=HIDDEN, coordinator=NO),
        post=each(DONE, anonymous=SIGN_IN, outsiders=HIDDEN, coordinator=NO),
        data={"action": "restore"},
        effect=lambda w, user: not Service.objects.get(pk=w.trams).is_retired,
    ),
    # Assessing a service.
    # Bins has an assessment waiting for peer review: no other starts until it is done.
    Access(
        "assessments:start_assessment",
        case="a service with an assessment waiting for review",
        args=lambda w: [w.coventry, w.bins],
        get=each(CONFLICT, anonymous=SIGN_IN, outsiders=HIDDEN, coordinator=NO),
        post=each(CONFLICT, anonymous=SIGN_IN, outsiders=HIDDEN, coordinator=NO),
        data={"phase": "live", "start_from": "blank"},
    ),
    Access(
        "assessments:start_assessment",
        args=lambda w: [w.coventry, w.spare_service],
        get=each(OK, anonymous=SIGN_IN, outsiders=HIDDEN, coordinator=NO),
        post=each(DONE, anonymous=SIGN_IN, outsiders=HIDDEN, coordinator=NO),
        data={"phase": "live", "start_from": "blank"},
        effect=lambda w, user: Assessment.objects.filter(
            service=w.spare_service, status=Status.DRAFT, created_by=user
        ).exists(),
    ),
    Access(
        "assessments:start_assessment",
        case="a service with a draft already",
        args=lambda w: [w.coventry, w.parking],
        get=each(MOVED, anonymous=SIGN_IN, outsiders=HIDDEN, coordinator=NO),
        post=each(MOVED, anonymous=SIGN_IN, outsiders=HIDDEN, coordinator=NO),
        data={"phase": "live"},
    ),
    Access(
        "assessments:start_assessment",
        case="a retired service",
        args=lambda w: [w.coventry, w.trams],
        get=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN),
        post=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN),
        data={"phase": "live"},
    ),
    _coventry_page("assessments:assessment", lambda w: [w.coventry, w.draft]),
    Access(
        "assessments:assessment",
        case="Coventry's draft through Leeds's address",
        args=lambda w: [w.leeds, w.draft],
        get=each(HIDDEN, anonymous=SIGN_IN),
        post=SIGNED_IN_GET_ONLY,
    ),
    Access(
        "assessments:edit_point",
        args=lambda w: [w.coventry, w.draft, 1],
        get=COVENTRY_PAGE,
        post=each(DONE, anonymous=SIGN_IN, outsiders=HIDDEN, coordinator=NO),
        data=POINT,
        effect=lambda w, user: _point(w.draft, 1).updated_by == user,
    ),
    Access(
        "assessments:edit_point",
        case="the submitted assessment",
        args=lambda w: [w.coventry, w.submitted, 1],
        get=COVENTRY_PAGE,
        # What was typed comes back, saying nothing was saved.
        post=COVENTRY_PAGE,
        data=POINT,
    ),
    Access(
        "assessments:edit_point",
        case="Leeds's draft",
        args=lambda w: [w.leeds, w.leeds_draft, 1],
        get=each(HIDDEN, anonymous=SIGN_IN, leeds_members=OK, admins=OK),
        post=each(HIDDEN, anonymous=SIGN_IN, leeds_members=DONE, coordinator=NO, superuser=DONE),
        data=POINT,
        effect=lambda w, user: _point(w.leeds_draft, 1).updated_by == user,
    ),
    Access(
        "assessments:edit_point",
        case="a point the Standard does not have",
        args=lambda w: [w.coventry, w.draft, 16],
        get=each(HIDDEN, anonymous=SIGN_IN),
        post=each(HIDDEN, anonymous=SIGN_IN),
        data=POINT,
    ),
    _coventry_page("assessments:check_answers", lambda w: [w.coventry, w.draft]),
    _coventry_page("assessments:print_assessment", lambda w: [w.coventry, w.submitted]),
    # Everyone signed in has their own work page: each sees their councils' assessments.
    Access(
        "assessments:your_work",
        get=each(OK, anonymous=SIGN_IN),
        post=each(NOT_ALLOWED, anonymous=SIGN_IN),
    ),
    Access(
        "assessments:submit_assessment",
        args=lambda w: [w.coventry, w.draft],
        get=SIGNED_IN_GET_ONLY,
        post=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN, coventry_lead=DONE, superuser=DONE),
        effect=lambda w, user: Assessment.objects.get(pk=w.draft).status == Status.SUBMITTED,
    ),
    Access(
        "assessments:submit_assessment",
        case="Leeds's blank draft",
        args=lambda w: [w.leeds, w.leeds_draft],
        get=SIGNED_IN_GET_ONLY,
        # Its lead is shown the points still to answer.
        post=each(
            HIDDEN, anonymous=SIGN_IN, leeds_members=INVALID, coordinator=NO, superuser=INVALID
        ),
    ),
    Access(
        "assessments:submit_assessment",
        case="the submitted assessment",
        args=lambda w: [w.coventry, w.submitted],
        get=SIGNED_IN_GET_ONLY,
        post=each(MOVED, anonymous=SIGN_IN, outsiders=HIDDEN),  # a double click
    ),
    _coventry_page("assessments:assessment_submitted", lambda w: [w.coventry, w.submitted]),
    Access(
        "assessments:delete_assessment",
        args=lambda w: [w.coventry, w.draft],
        get=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN, coventry_lead=OK, superuser=OK),
        post=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN, coventry_lead=DONE, superuser=DONE),
        effect=lambda w, user: not Assessment.objects.filter(pk=w.draft).exists(),
    ),
    Access(
        "assessments:delete_assessment",
        case="the submitted assessment",  # only withdrawn, never deleted
        args=lambda w: [w.coventry, w.submitted],
        get=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN),
        post=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN),
    ),
    Access(
        "assessments:withdraw_assessment",
        args=lambda w: [w.coventry, w.submitted],
        get=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN, coventry_lead=OK, admins=OK),
        post=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN, coventry_lead=DONE, admins=DONE),
        data={"reason": "Submitted by mistake"},
        effect=lambda w, user: Assessment.objects.get(pk=w.submitted).status == Status.WITHDRAWN,
    ),
    Access(
        "assessments:withdraw_assessment",
        case="a draft",
        args=lambda w: [w.coventry, w.draft],
        get=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN),
        post=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN),
        data={"reason": "Started by mistake"},
    ),
    _coventry_page("assessments:assessment_history", lambda w: [w.coventry, w.draft]),
    # Assigning reviewers (assessments/views/assignments.py): coordinators only. Coventry's
    # members, who may see the assessment, get 403; everyone else 404.
    Access(
        "assessments:review_queue",
        get=each(NO, anonymous=SIGN_IN, admins=OK),
        post=SIGNED_IN_GET_ONLY,
    ),
    Access(
        "assessments:review_assignment",
        args=lambda w: [w.submitted],
        get=ASSIGNING_PAGE,
        post=each(HIDDEN, anonymous=SIGN_IN, coventry_members=NO, admins=DONE),
        data=lambda w: {"action": "add", "reviewer": w.people["peer_reviewer"], "lead": "on"},
        effect=lambda w, user: (
            ReviewerAssignment.objects.current()
            .filter(assessment=w.submitted, reviewer=w.people["peer_reviewer"], is_lead=True)
            .exists()
            and Assessment.objects.get(pk=w.submitted).status == Status.IN_REVIEW
        ),
    ),
    # Nobody reviews their own council's assessment: not offered, and refused when posted
    # (the form again, with its error), whoever asks.
    Access(
        "assessments:review_assignment",
        case="a member of the council as reviewer",
        args=lambda w: [w.submitted],
        get=ASSIGNING_PAGE,
        post=each(HIDDEN, anonymous=SIGN_IN, coventry_members=NO, admins=OK),
        data=lambda w: {"action": "add", "reviewer": w.people["coventry_lead"], "lead": "on"},
    ),
    Access(
        "assessments:review_assignment",
        case="the assessment in review: naming another lead",
        args=lambda w: [w.in_review],
        get=IN_REVIEW_ASSIGNING_PAGE,
        post=each(HIDDEN, anonymous=SIGN_IN, coventry_members=NO, peer_reviewer=NO, admins=DONE),
        data=lambda w: {"action": "lead", "assignment": w.assessor_assignment},
        effect=lambda w, user: ReviewerAssignment.objects.get(pk=w.assessor_assignment).is_lead,
    ),
    Access(
        "assessments:review_assignment",
        case="a draft",
        args=lambda w: [w.draft],
        get=each(HIDDEN, anonymous=SIGN_IN),
        post=each(HIDDEN, anonymous=SIGN_IN),
        data=lambda w: {"action": "add", "reviewer": w.people["peer_reviewer"]},
    ),
    Access(
        "assessments:unassign_reviewer",
        args=lambda w: [w.in_review, w.assessor_assignment],
        get=IN_REVIEW_ASSIGNING_PAGE,
        post=each(HIDDEN, anonymous=SIGN_IN, coventry_members=NO, peer_reviewer=NO, admins=DONE),
        effect=lambda w, user: (
            ReviewerAssignment.objects.get(pk=w.assessor_assignment).end == AssignmentEnd.UNASSIGNED
        ),
    ),
    Access(
        "assessments:change_due_date",
        args=lambda w: [w.in_review],
        get=IN_REVIEW_ASSIGNING_PAGE,
        post=each(HIDDEN, anonymous=SIGN_IN, coventry_members=NO, peer_reviewer=NO, admins=DONE),
        data={"due_on_0": "3", "due_on_1": "3", "due_on_2": "2031"},
        effect=lambda w, user: (
            Review.objects.get(assessment=w.in_review).due_on == date(2031, 3, 3)
        ),
    ),
    # A peer reviewer of the council's peer group offers; a superuser, who is no reviewer,
    # is told so.
    Access(
        "assessments:volunteer_to_review",
        args=lambda w: [w.submitted],
        get=SIGNED_IN_GET_ONLY,
        post=each(
            HIDDEN,
            anonymous=SIGN_IN,
            coventry_members=NO,
            coordinator=NO,
            peer_reviewer=DONE,
            superuser=MOVED,
        ),
        effect=lambda w, user: (
            ReviewerAssignment.objects.offers()
            .filter(assessment=w.submitted, reviewer=user)
            .exists()
        ),
    ),
    Access(
        "assessments:step_aside",
        args=lambda w: [w.coventry, w.in_review],
        get=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, peer_reviewer=OK),
        post=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, peer_reviewer=DONE),
        data={"reason": "I used to work for Coventry's admissions team."},
        effect=lambda w, user: (
            ReviewerAssignment.objects.get(pk=w.lead_assignment).end == AssignmentEnd.CONFLICT
        ),
    ),
    # Peer review: the discussion on each point, between Coventry's members and the
    # current reviewers (the peer reviewer leads both reviews of the world); coordinators
    # read it. A superuser may read it but speaks for neither side.
    Access(
        "assessments:point_discussion",
        args=lambda w: [w.coventry, w.in_review, 2],
        get=each(OK, anonymous=SIGN_IN, leeds_lead=HIDDEN),
        post=each(DONE, anonymous=SIGN_IN, leeds_lead=HIDDEN, coordinator=NO, superuser=NO),
        data={"body": "Here is the research plan."},
        effect=lambda w, user: PointMessage.objects.filter(
            assessment=w.in_review, point__number=2, author=user
        ).exists(),
    ),
    Access(
        "assessments:point_discussion",
        case="a draft",  # no discussion before submission, whoever asks
        args=lambda w: [w.coventry, w.draft, 2],
        get=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN),
        post=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN),
        data={"body": "Too early."},
    ),
    Access(
        "assessments:point_discussion",
        case="a submitted assessment nobody reviews yet",  # read, not written
        args=lambda w: [w.coventry, w.submitted, 2],
        get=COVENTRY_PAGE,
        post=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN),
        data={"body": "Anyone there?"},
    ),
    Access(
        "assessments:point_discussion",
        case="a point the Standard does not have",
        args=lambda w: [w.coventry, w.in_review, 16],
        get=each(HIDDEN, anonymous=SIGN_IN),
        post=each(HIDDEN, anonymous=SIGN_IN),
        data={"body": "Nowhere."},
    ),
    # Asking for clarification: the lead reviewer (and a superuser).
    Access(
        "assessments:request_clarification",
        args=lambda w: [w.coventry, w.in_review],
        get=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, peer_reviewer=OK, superuser=OK),
        post=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, peer_reviewer=DONE, superuser=DONE),
        data={"ask_3": "on", "question_3": "Which users did you test with?"},
        effect=lambda w, user: (
            Assessment.objects.get(pk=w.in_review).status == Status.CLARIFICATION_REQUESTED
        ),
    ),
    Access(
        "assessments:request_clarification",
        case="already asked",  # a double click: nothing more
        args=lambda w: [w.coventry, w.clarifying],
        get=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN),
        post=each(MOVED, anonymous=SIGN_IN, leeds_lead=HIDDEN),
        data={"ask_3": "on", "question_3": "Again?"},
    ),
    # While clarification is requested on point 1, Coventry's members change point 1 only;
    # others who may see it get the page back, saying nothing was saved.
    Access(
        "assessments:edit_point",
        case="a point asked about",
        args=lambda w: [w.coventry, w.clarifying, 1],
        get=each(OK, anonymous=SIGN_IN, leeds_lead=HIDDEN),
        post=each(DONE, anonymous=SIGN_IN, leeds_lead=HIDDEN, peer_reviewer=OK, coordinator=OK),
        data=POINT,
        effect=lambda w, user: _point(w.clarifying, 1).updated_by == user,
    ),
    Access(
        "assessments:edit_point",
        case="a point not asked about",
        args=lambda w: [w.coventry, w.clarifying, 2],
        get=each(OK, anonymous=SIGN_IN, leeds_lead=HIDDEN),
        post=each(OK, anonymous=SIGN_IN, leeds_lead=HIDDEN),
        data=POINT,
    ),
    # Sending the answers back: a lead of Coventry (and a superuser).
    Access(
        "assessments:send_back_clarification",
        args=lambda w: [w.coventry, w.clarifying],
        get=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, coventry_lead=OK, superuser=OK),
        post=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, coventry_lead=DONE, superuser=DONE),
        effect=lambda w, user: Assessment.objects.get(pk=w.clarifying).status == Status.IN_REVIEW,
    ),
    Access(
        "assessments:send_back_clarification",
        case="nothing asked",  # in review: a repeated send is answered by the task list
        args=lambda w: [w.coventry, w.in_review],
        get=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN),
        post=each(MOVED, anonymous=SIGN_IN, leeds_lead=HIDDEN),
    ),
    # Peer review. The reviewers' pages: the current reviewers only (Rita leads the school
    # places review); the council and coordinators may see the assessment, not these.
    Access(
        "assessments:review_task_list",
        args=lambda w: [w.coventry, w.in_review],
        get=REVIEWERS_PAGE,
        post=SIGNED_IN_GET_ONLY,
    ),
    Access(
        "assessments:review_point",
        args=lambda w: [w.coventry, w.in_review, 1],
        get=REVIEWERS_PAGE,
        post=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, peer_reviewer=DONE),
        data=REVIEW_SCORE,
        effect=lambda w, user: ReviewerPoint.objects.filter(
            assessment=w.in_review, reviewer=user, done_well=REVIEW_SCORE["done_well"]
        ).exists(),
    ),
    # Once the review is complete its reviewers are sent to the outcome, nothing saved.
    Access(
        "assessments:review_point",
        case="the reviewed assessment",
        args=lambda w: [w.coventry, w.reviewed, 1],
        get=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, peer_reviewer=MOVED),
        post=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, peer_reviewer=MOVED),
        data=REVIEW_SCORE,
    ),
    Access(
        "assessments:complete_review",
        case="the reviewed assessment",
        args=lambda w: [w.coventry, w.reviewed],
        get=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, peer_reviewer=MOVED),
        post=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, peer_reviewer=MOVED),
        data={"summary": "Again.", "recommendation": "meets", "revision": "1"},
    ),
    Access(
        "assessments:review_check_answers",
        args=lambda w: [w.coventry, w.in_review],
        get=REVIEWERS_PAGE,
        post=SIGNED_IN_GET_ONLY,
    ),
    # The lead reviewer's pages.
    Access(
        "assessments:agreed_point",
        args=lambda w: [w.coventry, w.in_review, 1],
        get=REVIEWERS_PAGE,
        post=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, peer_reviewer=DONE),
        data={**REVIEW_SCORE, "revision": "1"},
        effect=lambda w, user: AgreedPoint.objects.filter(
            assessment=w.in_review, point__number=1, done_well=REVIEW_SCORE["done_well"]
        ).exists(),
    ),
    Access(
        "assessments:complete_review",
        args=lambda w: [w.coventry, w.in_review],
        get=REVIEWERS_PAGE,
        post=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, peer_reviewer=DONE),
        data={
            "summary": "Users come first.",
            "recommendation": "meets",
            "revision": "0",
            "action": "complete",
        },
        effect=lambda w, user: Assessment.objects.get(pk=w.in_review).status == Status.REVIEWED,
    ),
    # The outcome: once complete, the council, coordinators and the reviewers.
    Access(
        "assessments:review_outcome",
        args=lambda w: [w.coventry, w.reviewed],
        get=each(OK, anonymous=SIGN_IN, leeds_lead=HIDDEN),
        post=SIGNED_IN_GET_ONLY,
    ),
    Access(
        "assessments:review_outcome",
        case="a review not complete",
        args=lambda w: [w.coventry, w.in_review],
        get=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, peer_reviewer=HIDDEN, superuser=HIDDEN),
        post=SIGNED_IN_GET_ONLY,
    ),
    Access(
        "assessments:respond_to_review",
        args=lambda w: [w.coventry, w.reviewed],
        get=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, coventry_lead=OK, superuser=OK),
        post=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, coventry_lead=DONE, superuser=DONE),
        data={"response": "We accept the review.", "revision": "1"},
        effect=lambda w, user: Review.objects.filter(
            assessment=w.reviewed, council_response_by=user
        ).exists(),
    ),
    Access(
        "assessments:respond_to_review",
        case="a review not complete",
        args=lambda w: [w.coventry, w.in_review],
        get=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN),
        post=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN),
        data={"response": "Too soon.", "revision": "0"},
    ),
    # Publishing (assessments/views/publishing.py): a lead of the council publishes, after
    # the confirmation page; a lead or a coordinator withdraws it; a coordinator corrects.
    # The reviewed assessment's peer reviewer still sees it, so is refused; Leeds's lead
    # does not.
    Access(
        "assessments:publish_assessment",
        case="a completed review",
        args=lambda w: [w.coventry, w.reviewed],
        get=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, coventry_lead=OK, superuser=OK),
        post=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, coventry_lead=DONE, superuser=DONE),
        data=lambda w: _shown(w.reviewed),
        effect=lambda w, user: Publication.objects.filter(
            pk=w.reviewed, published_by=user, review_type="peer_reviewed"
        ).exists(),
    ),
    Access(
        "assessments:publish_assessment",
        case="published without review",
        args=lambda w: [w.coventry, w.submitted],
        get=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN, coventry_lead=OK, superuser=OK),
        post=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN, coventry_lead=DONE, superuser=DONE),
        data=lambda w: _shown(w.submitted),
        effect=lambda w, user: Publication.objects.filter(
            pk=w.submitted, published_by=user, review_type="self_assessed"
        ).exists(),
    ),
    Access(
        "assessments:publish_assessment",
        case="what it shows has changed since",
        args=lambda w: [w.coventry, w.reviewed],
        get=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, coventry_lead=OK, superuser=OK),
        post=each(
            NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, coventry_lead=CONFLICT, superuser=CONFLICT
        ),
        data={"shown": "an older version"},
    ),
    Access(
        "assessments:publish_assessment",
        case="already published",  # a double click
        args=lambda w: [w.coventry, w.published],
        get=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN),
        post=each(MOVED, anonymous=SIGN_IN, leeds_lead=HIDDEN),
    ),
    Access(
        "assessments:publish_assessment",
        case="a draft",  # its lead is told it cannot be published now
        args=lambda w: [w.coventry, w.draft],
        get=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN),
        post=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN, coventry_lead=MOVED),
    ),
    Access(
        "assessments:withdraw_publication",
        args=lambda w: [w.coventry, w.published],
        get=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, coventry_lead=OK, admins=OK),
        post=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, coventry_lead=DONE, admins=DONE),
        data={"reason": "The scores were published before the team checked them."},
        effect=lambda w, user: Publication.objects.filter(
            pk=w.published, withdrawn_by=user, withdrawn_at__isnull=False
        ).exists(),
    ),
    Access(
        "assessments:withdraw_publication",
        case="a withdrawn publication",  # a double click
        args=lambda w: [w.coventry, w.unpublished],
        get=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN),
        post=each(MOVED, anonymous=SIGN_IN, outsiders=HIDDEN),
        data={"reason": "Again."},
    ),
    Access(
        "assessments:withdraw_publication",
        case="never published",
        args=lambda w: [w.coventry, w.reviewed],
        get=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN),
        post=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN),
        data={"reason": "Not published."},
    ),
    Access(
        "assessments:correct_publication",
        args=lambda w: [w.coventry, w.published],
        get=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, admins=OK),
        post=each(NO, anonymous=SIGN_IN, leeds_lead=HIDDEN, admins=DONE),
        data=CORRECTION,
        effect=lambda w, user: Correction.objects.filter(
            publication=w.published, made_by=user, new_text=CORRECTION["text"]
        ).exists(),
    ),
    Access(
        "assessments:correct_publication",
        case="a withdrawn publication",
        args=lambda w: [w.coventry, w.unpublished],
        get=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN),
        post=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN),
        data=CORRECTION,
    ),
    # A council's members.
    _coventry_page("assessments:member_list", lambda w: [w.coventry]),
    Access(
        "assessments:invite_member",
        args=lambda w: [w.coventry],
        get=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN, coventry_lead=OK, admins=OK),
        post=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN, coventry_lead=DONE, admins=DONE),
        data={"email": "colleague@coventry.example", "role": "contributor"},
        effect=lambda w, user: Invitation.objects.filter(
            email="colleague@coventry.example", council__code="COV", invited_by=user
        ).exists(),
    ),
    Access(
        "assessments:remove_member",
        args=lambda w: [w.coventry, w.contributor_membership],
        get=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN, coventry_lead=OK, admins=OK),
        post=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN, coventry_lead=DONE, admins=DONE),
        effect=lambda w, user: not Membership.objects.filter(pk=w.contributor_membership).exists(),
    ),
    Access(
        "assessments:remove_member",
        case="its sole lead",
        args=lambda w: [w.coventry, w.lead_membership],
        get=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN, coventry_lead=CONFLICT, admins=CONFLICT),
        post=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN, coventry_lead=CONFLICT, admins=CONFLICT),
    ),
    Access(
        "assessments:remove_member",
        case="Coventry's member through Leeds's address",
        args=lambda w: [w.leeds, w.contributor_membership],
        get=each(HIDDEN, anonymous=SIGN_IN),
        post=each(HIDDEN, anonymous=SIGN_IN),
    ),
    # Invitations.
    Access(
        "assessments:invitation_list",
        get=each(NO, anonymous=SIGN_IN, admins=OK),
        post=SIGNED_IN_GET_ONLY,
    ),
    Access(
        "assessments:invite_anyone",
        get=each(NO, anonymous=SIGN_IN, admins=OK),
        post=each(NO, anonymous=SIGN_IN, admins=DONE),
        data={"email": "new.reviewer@dudley.example", "role": "reviewer", "peer_group": "midlands"},
        effect=lambda w, user: Invitation.objects.filter(
            email="new.reviewer@dudley.example", invited_by=user
        ).exists(),
    ),
    Access(
        "assessments:cancel_invitation",
        args=lambda w: [w.invitation],
        get=SIGNED_IN_GET_ONLY,
        post=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN, coventry_lead=DONE, admins=DONE),
        effect=lambda w, user: _invitation(w.invitation).cancelled_at is not None,
    ),
    Access(
        "assessments:cancel_invitation",
        case="to review",
        args=lambda w: [w.review_invitation],
        get=SIGNED_IN_GET_ONLY,
        post=each(HIDDEN, anonymous=SIGN_IN, admins=DONE),
        effect=lambda w, user: _invitation(w.review_invitation).cancelled_at is not None,
    ),
    Access(
        "assessments:cancel_invitation",
        case="cancelled already",
        args=lambda w: [w.cancelled],
        get=SIGNED_IN_GET_ONLY,
        post=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN, coventry_lead=MOVED, admins=MOVED),
    ),
    Access(
        "assessments:resend_invitation",
        args=lambda w: [w.invitation],
        get=SIGNED_IN_GET_ONLY,
        post=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN, coventry_lead=DONE, admins=DONE),
        effect=lambda w, user: (
            _invitation(w.invitation).cancelled_at is not None
            and Invitation.objects.filter(email=NEWCOMER, invited_by=user).pending().exists()
        ),
    ),
    Access(
        "assessments:resend_invitation",
        case="to review",
        args=lambda w: [w.review_invitation],
        get=SIGNED_IN_GET_ONLY,
        post=each(HIDDEN, anonymous=SIGN_IN, admins=DONE),
        effect=lambda w, user: _invitation(w.review_invitation).cancelled_at is not None,
    ),
    Access(
        "assessments:resend_invitation",
        case="cancelled already",  # no new link
        args=lambda w: [w.cancelled],
        get=SIGNED_IN_GET_ONLY,
        post=each(NO, anonymous=SIGN_IN, outsiders=HIDDEN, coventry_lead=MOVED, admins=MOVED),
    ),
    # The emailed link is what lets someone in: whoever follows it to a new account.
    Access(
        "assessments:accept_invitation",
        case="for someone without an account",
        args=lambda w: [w.invitation_token],
        get=PUBLIC,
        post=each(DONE),
        data={"full_name": "Nia Newcomer", **NEW_PASSWORDS},
        effect=lambda w, user: Membership.objects.filter(
            user__email=NEWCOMER, council__code="COV"
        ).exists(),
    ),
    Access(
        "assessments:accept_invitation",
        case="for someone with an account",
        args=lambda w: [w.review_token],
        get=each(NO, anonymous=SIGN_IN, leeds_lead=OK),
        post=each(NO, anonymous=SIGN_IN, leeds_lead=DONE),
        effect=lambda w, user: user.is_peer_reviewer,
    ),
    Access(
        "assessments:accept_invitation",
        case="cancelled",
        args=lambda w: [w.cancelled_token],
        get=each(GONE),
        post=each(GONE),
        data={"full_name": "Changed Mind", **NEW_PASSWORDS},
    ),
    Access(
        "assessments:accept_invitation",
        case="a made-up link",
        args=["not-a-token-anyone-was-sent"],
        get=each(HIDDEN),
        post=each(HIDDEN),
        data={"full_name": "Guess Work", **NEW_PASSWORDS},
    ),
    # Emails that could not be sent.
    Access(
        "assessments:email_list",
        get=each(NO, anonymous=SIGN_IN, admins=OK),
        post=SIGNED_IN_GET_ONLY,
    ),
    Access(
        "assessments:send_email_again",
        args=lambda w: [w.failed_email],
        get=SIGNED_IN_GET_ONLY,
        post=each(NO, anonymous=SIGN_IN, admins=DONE),
        effect=lambda w, user: (
            Notification.objects.get(pk=w.failed_email).status == NotificationStatus.PENDING
        ),
    ),
    Access(
        "assessments:send_email_again",
        case="an email waiting to be sent",  # nothing to send again
        args=lambda w: [w.waiting_email],
        get=SIGNED_IN_GET_ONLY,
        post=each(NO, anonymous=SIGN_IN, admins=MOVED),
    ),
    # Signing in and out, and your account. Signing in or out changes only the session.
    Access(
        "assessments:sign_in",
        get=each(MOVED, anonymous=OK),
        post=each(MOVED),
        data={"email": "lead@coventry.example", "password": PASSWORD},
    ),
    Access(
        "assessments:sign_in",
        case="a wrong password",
        get=each(MOVED, anonymous=OK),
        post=each(OK),
        data={"email": "lead@coventry.example", "password": "not-the-password"},
    ),
    Access(
        "assessments:sign_out",
        get=each(OK, anonymous=MOVED),
        post=each(MOVED),
    ),
    Access("assessments:account", get=each(OK, anonymous=SIGN_IN), post=SIGNED_IN_GET_ONLY),
    Access(
        "assessments:change_password",
        get=each(OK, anonymous=SIGN_IN),
        post=each(DONE, anonymous=SIGN_IN),
        data={"old_password": PASSWORD, **NEW_PASSWORDS},
        effect=lambda w, user: user.check_password(NEW_PASSWORD),
    ),
    # Password reset: the email goes straight out (not through the outbox), and the link is
    # what lets someone choose a password, whoever is signed in.
    Access(
        "assessments:password_reset",
        get=PUBLIC,
        post=each(MOVED),
        data={"email": "forgetful@leeds.example"},
    ),
    Access("assessments:password_reset_sent", get=PUBLIC, post=GET_ONLY),
    Access(
        "assessments:password_reset_confirm",
        case="the emailed link",
        args=lambda w: [w.reset_uid, w.reset_token],
        get=each(MOVED),  # to the same page without the token in the address
        post=each(MOVED),
        data=NEW_PASSWORDS,
    ),
    Access(
        "assessments:password_reset_confirm",
        case="after following the link",
        args=lambda w: [w.reset_uid, "set-password"],
        prepare=lambda client, w: client.get(
            reverse("assessments:password_reset_confirm", args=[w.reset_uid, w.reset_token])
        ),
        get=PUBLIC,
        post=each(DONE),
        data=NEW_PASSWORDS,
        effect=lambda w, user: User.objects.get(pk=w.forgetful).check_password(NEW_PASSWORD),
    ),
    Access("assessments:password_reset_done", get=PUBLIC, post=GET_ONLY),
]


# --- The admin, declared as a group ---------------------------------------------------

# The admin's own pages. Anyone but its own people (coordinators and superusers) is sent
# to its sign-in page, whatever the page and the method.
OUTSIDE_THE_ADMIN = each(ADMIN_SIGN_IN, admins=OK)
ACCESS += [
    Access("admin:index", get=OUTSIDE_THE_ADMIN, post=OUTSIDE_THE_ADMIN),
    Access(
        "admin:app_list",
        case="assessments",
        args=["assessments"],
        get=OUTSIDE_THE_ADMIN,
        post=OUTSIDE_THE_ADMIN,
    ),
    Access(
        "admin:app_list",
        case="standard",
        args=["standard"],
        get=each(ADMIN_SIGN_IN, coordinator=HIDDEN, superuser=OK),
        post=each(ADMIN_SIGN_IN, coordinator=HIDDEN, superuser=OK),
    ),
    Access(
        "admin:login",
        # One sign-in page, the site's (it asks for the code after the password); signed
        # in without the admin: told they may not use it; the admin's people: its index.
        get=each(NO, anonymous=PASSWORD_FIRST, admins=MOVED),
        post=each(NO, anonymous=PASSWORD_FIRST, admins=MOVED),
        data={"username": "coordinator@lgdss.example", "password": PASSWORD},
    ),
    # Signing out leads home (LOGOUT_REDIRECT_URL), as the site's own signing out does.
    Access("admin:logout", get=each(MOVED, admins=NOT_ALLOWED), post=each(MOVED)),
    # The admin's own page sends people to the site's, which counts wrong current
    # passwords towards the sign-in lock-out.
    Access(
        "admin:password_change",
        get=each(ADMIN_SIGN_IN, admins=MOVED),
        post=each(ADMIN_SIGN_IN, admins=MOVED),
        data={"old_password": PASSWORD, **NEW_PASSWORDS},
    ),
    Access(
        "admin:password_change_done",
        get=OUTSIDE_THE_ADMIN,
        post=each(ADMIN_SIGN_IN, admins=NOT_ALLOWED),
    ),
    Access(
        "admin:auth_user_password_change",
        args=lambda w: [w.forgetful],
        get=OUTSIDE_THE_ADMIN,
        post=each(ADMIN_SIGN_IN, admins=DONE),
        data={"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        effect=lambda w, user: User.objects.get(pk=w.forgetful).check_password(NEW_PASSWORD),
    ),
]

# Admin pages declared with the group but not walked, and why.
ADMIN_NOT_WALKED = {
    "history": "read only, behind the same view permission as the change page",
    "autocomplete": "JSON for the admin's own forms, behind the same permissions",
    "jsi18n": "the admin's translations for its scripts",
    "view_on_site": "a redirect to the object's page on the site",
    "config": "django-otp's page of an app's settings, behind the change permission",
    "qrcode": "django-otp's QR code of an app's key, behind the change permission",
}

# Each registered ModelAdmin's changelist, add, change and delete pages. A profile says
# what the coordinator and the superuser get, page by page, as (GET, POST); the changelist
# is only read. The change and delete pages are walked for `obj`; `add` and `change` are
# the fields filled in over what the page's form already holds. Only superusers delete:
# `deletes` says what deleting `obj` does for them.
MANAGES = {"changelist": (OK, None), "add": (OK, DONE), "change": (OK, DONE)}
READS = {"changelist": (OK, None), "add": (NO, NO), "change": (OK, NO)}
# Every field is read only: saving the change page saves nothing.
READS_EVERY_FIELD = {"changelist": (OK, None), "add": (NO, NO), "change": (OK, MOVED)}
KEPT_OUT = {"changelist": (NO, None), "add": (NO, NO), "change": (NO, NO)}
# Deleting something other rows depend on (PROTECT): the page says what, and nothing goes.
PROTECTED = Answer(200, "the page listing what depends on it, with nothing deleted")


@dataclass(frozen=True)
class AdminModel:
    label: str  # "app_label.ModelName"
    obj: Any  # a function of the world: the pk of the object whose change page is walked
    coordinator: dict
    superuser: dict
    deletes: Answer  # DONE, PROTECTED or NO
    add: dict = field(default_factory=dict)
    change: dict = field(default_factory=dict)

    @property
    def model(self):
        return apps.get_model(self.label)

    def url_name(self, page):
        opts = self.model._meta
        return f"admin:{opts.app_label}_{opts.model_name}_{page}"


ADMIN_MODELS = [
    AdminModel(
        "assessments.User",
        obj=lambda w: w.forgetful,
        coordinator=MANAGES,
        superuser=MANAGES,
        deletes=DONE,
        add={
            "email": "added.in.the.admin@coventry.example",
            "full_name": "Adam Admin",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        change={"full_name": "Fay Remembered"},
    ),
    AdminModel(
        "assessments.PeerGroup",
        obj=lambda w: w.spare_group,
        coordinator=MANAGES,
        superuser=MANAGES,
        deletes=DONE,
        add={"name": "North East", "slug": "north-east"},
        change={"description": "Councils of Cornwall, Devon and Somerset"},
    ),
    AdminModel(
        "assessments.Council",
        obj=lambda w: Council.objects.get(code="COV").pk,
        coordinator=MANAGES,
        superuser=MANAGES,
        deletes=PROTECTED,
        add={
            "code": "DUD",
            "official_name": "Dudley Metropolitan Borough Council",
            "short_name": "Dudley",
            "nation": "England",
            "region": "West Midlands",
            "authority_type": "MD",
            "authority_type_name": "Metropolitan district",
            "peer_group": lambda w: PeerGroup.objects.get(slug="midlands").pk,
        },
        change={"population": "345300"},
    ),
    # Invitations are sent from the service, so that the email goes: here they are read.
    AdminModel(
        "assessments.Invitation",
        obj=lambda w: w.invitation,
        coordinator=READS,
        superuser=READS,
        deletes=DONE,
    ),
    AdminModel(
        "assessments.Supplier",
        obj=lambda w: w.supplier,
        coordinator=MANAGES,
        superuser=MANAGES,
        deletes=PROTECTED,
        add={"name": "Civica"},
        change={"website": "https://www.idoxgroup.example"},
    ),
    AdminModel(
        "assessments.Product",
        obj=lambda w: w.product,
        coordinator=MANAGES,
        superuser=MANAGES,
        deletes=DONE,
        add={"supplier": lambda w: w.supplier, "name": "Cloud"},
        change={"description": "Planning and building control"},
    ),
    AdminModel(
        "assessments.Service",
        obj=lambda w: w.parking,
        coordinator=MANAGES,
        superuser=MANAGES,
        deletes=PROTECTED,
        add={
            "council": lambda w: Council.objects.get(code="LDS").pk,
            "name": "Report fly-tipping",
            "phase": "live",
            "sourcing": "in_house",
        },
        change={"owner": "Parking services manager"},
    ),
    # The Standard is changed by superusers only: coordinators have no Django permissions.
    AdminModel(
        "standard.StandardVersion",
        obj=lambda w: w.standard,
        coordinator=KEPT_OUT,
        superuser=MANAGES,
        deletes=PROTECTED,
        add={
            "slug": "lgdss-2-0",
            "name": "Local Government Digital Service Standard",
            "short_name": "LGDSS",
            "version": "2.0",
            "published_on": "2030-01-01",
            "publisher": "LocalGov Digital",
            "source_url": "https://localgovdigital.example/standard",
            "licence_name": "Open Government Licence v3.0",
            "licence_url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/",
        },
        change={"summary": "The Standard, revised"},
    ),
    AdminModel(
        "standard.Point",
        obj=lambda w: w.first_point,
        coordinator=KEPT_OUT,
        superuser=MANAGES,
        deletes=PROTECTED,
        add={
            "version": lambda w: w.standard,
            "number": "16",
            "short_title": "Publish what you learn",
            "statement": "Share what the team learned.",
        },
        change={"purpose": "So that people can trust the service."},
    ),
    # Other apps' admins: superusers only.
    AdminModel(
        "auth.Group",
        obj=lambda w: w.group,
        coordinator=KEPT_OUT,
        superuser=MANAGES,
        deletes=DONE,
        add={"name": "Auditors"},
        change={"name": "Editors and auditors"},
    ),
    AdminModel(
        "axes.AccessAttempt",
        obj=lambda w: w.access_attempt,
        coordinator=KEPT_OUT,
        superuser=READS_EVERY_FIELD,
        deletes=DONE,
    ),
    AdminModel(
        "axes.AccessLog",
        obj=lambda w: w.access_log,
        coordinator=KEPT_OUT,
        superuser=READS_EVERY_FIELD,
        deletes=DONE,
    ),
    AdminModel(
        "axes.AccessFailureLog",
        obj=lambda w: w.access_failure,
        coordinator=KEPT_OUT,
        superuser=READS_EVERY_FIELD,
        deletes=DONE,
    ),
    AdminModel(
        "django_tasks_database.DBTaskResult",
        obj=lambda w: w.task,
        coordinator=KEPT_OUT,
        superuser=READS,
        deletes=NO,
    ),
    # Two-factor devices (django-otp's own admin): only a superuser may see them, and
    # deletes a lost phone's app so its owner can set up a new one. The pages are walked
    # for an app the Coventry lead began to set up and never confirmed.
    AdminModel(
        "otp_totp.TOTPDevice",
        obj=lambda w: w.unconfirmed_app,
        coordinator=KEPT_OUT,
        superuser=MANAGES,
        deletes=DONE,
        add={"user": lambda w: w.people["superuser"], "name": "Spare phone"},
        change={"name": "Old phone"},
    ),
    AdminModel(
        "otp_static.StaticDevice",
        obj=lambda w: w.recovery_codes,
        coordinator=KEPT_OUT,
        superuser=MANAGES,
        deletes=DONE,
        add={"user": lambda w: w.people["superuser"], "name": "More recovery codes"},
        change={"name": "Recovery codes (printed)"},
    ),
]


def admin_access(form_on_page):
    """Each AdminModel's pages as declarations, walked like any other.

    `form_on_page(world, url, form_id)` gives what the page's form holds, as the
    superuser sees it; the declared fields are filled in over it.
    """
    for admin in ADMIN_MODELS:
        model = admin.model
        form_id = f"{model._meta.model_name}_form"
        watch = () if model._meta.app_label in ("assessments", "standard") else (admin.label,)
        answers = {
            page: (admin.coordinator[page], admin.superuser[page])
            for page in ("changelist", "add", "change")
        }
        answers["delete"] = ((NO, NO), (NO if admin.deletes == NO else OK, admin.deletes))
        for page, (
            (coordinator_get, coordinator_post),
            (superuser_get, superuser_post),
        ) in answers.items():
            args = (lambda w, admin=admin: [admin.obj(w)]) if page in ("change", "delete") else ()
            yield Access(
                admin.url_name(page),
                args=args,
                get=each(ADMIN_SIGN_IN, coordinator=coordinator_get, superuser=superuser_get),
                post=None
                if page == "changelist"
                else each(ADMIN_SIGN_IN, coordinator=coordinator_post, superuser=superuser_post),
                data=_admin_data(admin, page, args, form_id, form_on_page),
                effect=_admin_effect(admin, page),
                watch=watch,
            )


def _filled(fields, world):
    return {name: value(world) if callable(value) else value for name, value in fields.items()}


def _admin_data(admin, page, args, form_id, form_on_page):
    if page == "delete":
        return {"post": "yes"}

    def data(world):
        url = reverse(admin.url_name(page), args=args(world) if callable(args) else args)
        return {**form_on_page(world, url, form_id), **_filled(getattr(admin, page, {}), world)}

    return data


def _admin_effect(admin, page):
    """Added: a row with the first plain field filled in. Changed: the fields are as sent.
    Deleted: gone."""
    if page == "add" and admin.add:
        name, value = next((k, v) for k, v in admin.add.items() if not callable(v))
        return lambda w, user: admin.model._base_manager.filter(**{name: value}).exists()
    if page == "change" and admin.change:

        def changed(world, user):
            obj = admin.model._base_manager.get(pk=admin.obj(world))
            return all(str(getattr(obj, k)) == v for k, v in _filled(admin.change, world).items())

        return changed
    if page == "delete":
        return lambda w, user: not admin.model._base_manager.filter(pk=admin.obj(w)).exists()
    return None
