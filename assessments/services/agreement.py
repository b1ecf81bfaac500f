"""What a review needs before it can be completed: the `complete_review` transition's
check (docs/decisions/0016-agreed-scores.md).

Kept apart from `reviewing`, which makes the transition, so that `transitions` can name
the check without the two importing each other.
"""

from assessments.models import AgreedPoint, Review


class ReviewIncomplete(Exception):
    """Completing refused: these points have no agreed score (or the summary or the
    recommendation is missing). Nothing changed."""

    def __init__(self, problems):
        super().__init__("The review is not complete.")
        # [(point number or None, short title, what is missing)]
        self.problems = problems


def points_without_agreed_score(assessment):
    """What stops completion: [(number, short title, what is missing)] in point order."""
    agreed = {row.point_id: row for row in AgreedPoint.objects.filter(assessment_id=assessment.pk)}
    return [
        (point.number, point.short_title, "agree a score")
        for point in assessment.standard.points.order_by("number")
        if not (point.pk in agreed and agreed[point.pk].is_set)
    ]


def must_be_agreed(assessment):
    """The `complete_review` transition's check: every point has an agreed score (or is
    agreed not applicable), and the review has its summary and recommendation."""
    problems = points_without_agreed_score(assessment)
    review = Review.objects.filter(assessment_id=assessment.pk).first()
    if review is None:
        problems.append((None, "", "the review has not started"))
    else:
        if not review.summary.strip():
            problems.append((None, "", "write an overall summary"))
        if not review.recommendation:
            problems.append((None, "", "choose a recommendation"))
    if problems:
        raise ReviewIncomplete(problems)
