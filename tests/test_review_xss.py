"""The cross-site scripting sweep (tests/test_xss.py) over what peer review shows back:
each reviewer's comments, the agreed comments, the lead reviewer's summary and the
council's response, typed through the real views and read on every page (and the email)
that shows them, before and after the review is complete."""

from django.urls import reverse

from assessments.models import AgreedPoint, Review, ReviewerPoint
from tests.factories_reviews import agree_every_point
from tests.test_xss import Report, each_payload, email


def url(name, assessment, *args):
    return reverse(f"assessments:{name}", args=["cov", assessment.pk, *args])


def comments(payload, revision=0):
    return {"answer": "3", "done_well": payload, "to_explore": payload, "revision": revision}


def test_no_payload_runs_from_a_review(
    in_review, client_for, peer_reviewer, independent_assessor, coventry_lead
):
    report = Report("A peer review")
    lead, other, council = (
        client_for(peer_reviewer),
        client_for(independent_assessor),
        client_for(coventry_lead),
    )

    def scenario(payload):
        # A reviewer's own comments, on their pages and on the lead's.
        response = other.post(url("review_point", in_review, 1), comments(payload), follow=True)
        row = ReviewerPoint.objects.filter(reviewer=independent_assessor).first()
        mine = report.save(
            "reviewer's comment", row and row.done_well, "Review point", response, payload
        )
        if mine is not None:
            fields = {"reviewer's comment": mine}
            report.page("Review point", other.get(url("review_point", in_review, 1)), fields)
            report.page(
                "Check your scores", other.get(url("review_check_answers", in_review)), fields
            )
            report.page("Agreed score", lead.get(url("agreed_point", in_review, 1)), fields)

        # The agreed comments, and the summary.
        response = lead.post(url("agreed_point", in_review, 1), comments(payload), follow=True)
        row = AgreedPoint.objects.filter(assessment=in_review).first()
        agreed = report.save(
            "agreed comment", row and row.to_explore, "Agreed score", response, payload
        )
        agree_every_point(in_review, peer_reviewer, skip=[1] if agreed is not None else [])
        data = {
            "summary": payload,
            "recommendation": "meets",
            "revision": "0",
            "action": "complete",
        }
        response = lead.post(url("complete_review", in_review), data, follow=True)
        review = Review.objects.get(assessment=in_review)
        summary = report.save(
            "summary", review.summary if review.is_complete else None, "Complete", response, payload
        )
        if summary is None:
            return

        # The outcome the council reads, with its response.
        fields = {"summary": summary, "reviewer's comment": mine, "agreed comment": agreed}
        response = council.post(
            url("respond_to_review", in_review),
            {"response": payload, "revision": review.revision},
            follow=True,
        )
        review.refresh_from_db()
        answer = report.save(
            "response", review.council_response or None, "Respond", response, payload
        )
        if answer is not None:
            report.page("Outcome", response, {**fields, "response": answer})
        else:
            report.page("Outcome", council.get(url("review_outcome", in_review)), fields)
        report.email(
            "Review completed", email("review_completed", in_review, recipient=coventry_lead)
        )

    each_payload(report, scenario)
