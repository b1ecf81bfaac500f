from django.urls import path, register_converter
from django.views.decorators.http import require_safe

from assessments.converters import CouncilCodeConverter
from assessments.feeds import PublishedFeed
from assessments.publishing.caching import public_record_page
from assessments.views import (
    accounts,
    assessments,
    assignments,
    compare,
    councils,
    discussion,
    emails,
    history,
    insight,
    members,
    open_data,
    printout,
    products,
    public,
    publishing,
    results,
    reviews,
    services,
    trends,
    two_factor,
    work,
)

app_name = "assessments"

register_converter(CouncilCodeConverter, "council")

urlpatterns = [
    # The published record, which anyone may read (docs/decisions/0020-publishing.md).
    path("assessments/<int:pk>/", public.published_assessment, name="published_assessment"),
    # Open data: the downloads, described on /data/, and the feed (the API is at /api/v1/).
    path("data/", open_data.open_data, name="open_data"),
    path(
        "data/<slug:slug>.<slug:file_format>",
        open_data.download,
        name="open_data_download",
    ),
    path(
        "feeds/published/",
        require_safe(public_record_page(PublishedFeed())),
        name="published_feed",
    ),
    # Every published assessment, filtered and sorted.
    path("results/", results.results, name="results"),
    # Insight: suppliers' products, a service's trend and the national one.
    path("products/", products.product_list, name="product_list"),
    path("products/<slug:slug>/", products.product_detail, name="product_detail"),
    path("products/<slug:slug>/points.csv", products.product_points_csv, name="product_points_csv"),
    path("services/<int:pk>/", trends.service_record, name="service_record"),
    path("insight/trends/", trends.trends, name="trends"),
    path("insight/trends.csv", trends.trends_csv, name="trends_csv"),
    # Insight into the published record: the hub, and self-assessed against agreed scores.
    path("insight/", insight.insight, name="insight"),
    path("insight/self-and-agreed/", insight.self_and_agreed, name="self_and_agreed"),
    path("insight/self-and-agreed.csv", insight.self_and_agreed_csv, name="self_and_agreed_csv"),
    # The public directory of councils and each council's page.
    path("councils/", councils.directory, name="council_directory"),
    path("councils/<council:code>/", councils.detail, name="council_detail"),
    path(
        "councils/<council:code>/points.csv",
        compare.council_points_csv,
        name="council_points_csv",
    ),
    # Councils side by side (the figures of a council against its peers are on its page).
    path("compare/", compare.compare, name="compare"),
    path("compare/points.csv", compare.compare_csv, name="compare_csv"),
    path("councils/<council:code>/sign-up/", councils.record_adoption, name="record_adoption"),
    # A council's digital services.
    path("councils/<council:code>/services/", services.service_list, name="service_list"),
    path("councils/<council:code>/services/new/", services.add_service, name="add_service"),
    path(
        "councils/<council:code>/services/<int:pk>/", services.service_detail, name="service_detail"
    ),
    path(
        "councils/<council:code>/services/<int:pk>/edit/",
        services.edit_service,
        name="edit_service",
    ),
    path(
        "councils/<council:code>/services/<int:pk>/retire/",
        services.retire_service,
        name="retire_service",
    ),
    # Assessing a service, point by point.
    path(
        "councils/<council:code>/services/<int:pk>/assess/",
        assessments.start_assessment,
        name="start_assessment",
    ),
    path("councils/<council:code>/assessments/<int:pk>/", assessments.task_list, name="assessment"),
    path(
        "councils/<council:code>/assessments/<int:pk>/points/<int:number>/",
        assessments.edit_point,
        name="edit_point",
    ),
    path(
        "councils/<council:code>/assessments/<int:pk>/check/",
        assessments.check_answers,
        name="check_answers",
    ),
    path(
        "councils/<council:code>/assessments/<int:pk>/submit/",
        assessments.submit,
        name="submit_assessment",
    ),
    path(
        "councils/<council:code>/assessments/<int:pk>/submitted/",
        assessments.submitted,
        name="assessment_submitted",
    ),
    path(
        "councils/<council:code>/assessments/<int:pk>/delete/",
        assessments.delete,
        name="delete_assessment",
    ),
    path(
        "councils/<council:code>/assessments/<int:pk>/withdraw/",
        assessments.withdraw,
        name="withdraw_assessment",
    ),
    path(
        "councils/<council:code>/assessments/<int:pk>/print/",
        printout.print_assessment,
        name="print_assessment",
    ),
    path(
        "councils/<council:code>/assessments/<int:pk>/history/",
        history.assessment_history,
        name="assessment_history",
    ),
    path(
        "councils/<council:code>/assessments/<int:pk>/step-aside/",
        assignments.step_aside,
        name="step_aside",
    ),
    # Assigning reviewers: the coordinators' queue, one assessment's reviewers, offers.
    path("reviews/", assignments.review_queue, name="review_queue"),
    path("reviews/<int:pk>/", assignments.review_assignment, name="review_assignment"),
    path(
        "reviews/<int:pk>/reviewers/<int:assignment>/unassign/",
        assignments.unassign_reviewer,
        name="unassign_reviewer",
    ),
    path("reviews/<int:pk>/due-date/", assignments.change_due_date, name="change_due_date"),
    path("reviews/<int:pk>/volunteer/", assignments.volunteer, name="volunteer_to_review"),
    # Peer review: the discussion on each point, and rounds of clarification.
    path(
        "councils/<council:code>/assessments/<int:pk>/points/<int:number>/discussion/",
        discussion.point_discussion,
        name="point_discussion",
    ),
    path(
        "councils/<council:code>/assessments/<int:pk>/clarification/new/",
        discussion.request_clarification,
        name="request_clarification",
    ),
    path(
        "councils/<council:code>/assessments/<int:pk>/clarification/send-back/",
        discussion.send_back_clarification,
        name="send_back_clarification",
    ),
    # Peer review: the reviewers' own scores, the lead reviewer's agreed scores and
    # completing, and the outcome the council sees and responds to.
    path(
        "councils/<council:code>/assessments/<int:pk>/review/",
        reviews.review_task_list,
        name="review_task_list",
    ),
    path(
        "councils/<council:code>/assessments/<int:pk>/review/points/<int:number>/",
        reviews.review_point,
        name="review_point",
    ),
    path(
        "councils/<council:code>/assessments/<int:pk>/review/check/",
        reviews.review_check_answers,
        name="review_check_answers",
    ),
    path(
        "councils/<council:code>/assessments/<int:pk>/review/agreed/<int:number>/",
        reviews.agreed_point,
        name="agreed_point",
    ),
    path(
        "councils/<council:code>/assessments/<int:pk>/review/complete/",
        reviews.complete_review,
        name="complete_review",
    ),
    path(
        "councils/<council:code>/assessments/<int:pk>/review/outcome/",
        reviews.review_outcome,
        name="review_outcome",
    ),
    path(
        "councils/<council:code>/assessments/<int:pk>/review/response/",
        reviews.respond_to_review,
        name="respond_to_review",
    ),
    # Publishing (docs/decisions/0020-publishing.md): the council's lead publishes after a
    # confirmation; the lead or a coordinator withdraws; a coordinator corrects.
    path(
        "councils/<council:code>/assessments/<int:pk>/publish/",
        publishing.publish,
        name="publish_assessment",
    ),
    path(
        "councils/<council:code>/assessments/<int:pk>/withdraw-publication/",
        publishing.withdraw_publication,
        name="withdraw_publication",
    ),
    path(
        "councils/<council:code>/assessments/<int:pk>/correct-publication/",
        publishing.correct_publication,
        name="correct_publication",
    ),
    # A council's members.
    path("councils/<council:code>/members/", members.member_list, name="member_list"),
    path("councils/<council:code>/members/invite/", members.invite_member, name="invite_member"),
    path(
        "councils/<council:code>/members/<int:pk>/remove/",
        members.remove_member,
        name="remove_member",
    ),
    # Invitations: sent by coordinators to anyone, accepted by following the emailed link.
    path("invitations/", members.invitation_list, name="invitation_list"),
    path("invitations/new/", members.invite_anyone, name="invite_anyone"),
    path("invitations/<int:pk>/cancel/", members.cancel_invitation, name="cancel_invitation"),
    path("invitations/<int:pk>/resend/", members.resend_invitation, name="resend_invitation"),
    path("invitations/accept/<str:token>/", members.accept_invitation, name="accept_invitation"),
    # Emails that could not be sent, for coordinators.
    path("emails/", emails.email_list, name="email_list"),
    path("emails/<int:pk>/send-again/", emails.send_email_again, name="send_email_again"),
    # Where signed-in people land: their drafts and submitted assessments.
    path("your-work/", work.your_work, name="your_work"),
    # Signing in and your account.
    path("sign-in/", accounts.sign_in, name="sign_in"),
    path("sign-in/code/", two_factor.sign_in_code, name="sign_in_code"),
    path("sign-in/recovery-code/", two_factor.sign_in_recovery_code, name="sign_in_recovery_code"),
    path("sign-out/", accounts.sign_out, name="sign_out"),
    path("account/", accounts.account, name="account"),
    path("account/password/", accounts.change_password, name="change_password"),
    # Two-factor authentication.
    path("account/two-factor/", two_factor.status, name="two_factor"),
    path("account/two-factor/set-up/", two_factor.set_up, name="two_factor_set_up"),
    path("account/two-factor/turn-off/", two_factor.turn_off, name="two_factor_turn_off"),
    path("account/two-factor/recovery-codes/", two_factor.recovery_codes, name="recovery_codes"),
    path(
        "account/two-factor/recovery-codes/new/",
        two_factor.new_recovery_codes,
        name="new_recovery_codes",
    ),
    path("password-reset/", accounts.password_reset, name="password_reset"),
    path("password-reset/sent/", accounts.password_reset_sent, name="password_reset_sent"),
    path(
        "password-reset/<uidb64>/<token>/",
        accounts.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password-reset/done/", accounts.password_reset_done, name="password_reset_done"),
]
