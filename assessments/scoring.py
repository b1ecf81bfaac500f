"""How points are scored and what the scores add up to. The one place for these rules.

The scale and the rating rule are explained to users on the assessment pages
(from `LEVELS` and `RATING_RULE` below) and recorded in
docs/decisions/0005-scoring.md.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

MET_FROM = 3  # a score of 3 or more means the point is met
MAX_SCORE = 5


@dataclass(frozen=True)
class Level:
    score: int
    name: str
    description: str


LEVELS = [
    # Not "not started": a point scored 0 is a completed task on the task list.
    Level(
        0,
        "Nothing in place",
        "Nothing the point asks for is in place yet, or nothing a reviewer could see.",
    ),
    Level(
        1,
        "Initial",
        "The team knows the point matters and has taken first, informal steps. "
        "There is little to show a reviewer.",
    ),
    Level(
        2,
        "Developing",
        "Some practice is in place, but it is partial, inconsistent or depends on one person. "
        "There is some evidence.",
    ),
    Level(
        3,
        "Meets the point",
        "The team does what the point asks, consistently, and can show a reviewer evidence of it.",
    ),
    Level(
        4,
        "Strong",
        "The point is met and the practice is embedded: it is measured, reviewed and improved.",
    ),
    Level(
        5,
        "Exemplary",
        "Among the best in local government: other councils could learn from it, "
        "and the team shares what it does openly.",
    ),
]
LEVEL_BY_SCORE = {level.score: level for level in LEVELS}


class Rating(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


RATING_RULE = [
    (Rating.GREEN, "Green: every applicable point is met (scores 3 or more)."),
    (
        Rating.AMBER,
        "Amber: at least half of the applicable points are met, and no point scores below 2.",
    ),
    (
        Rating.RED,
        "Red: any applicable point scores 0 or 1, or fewer than half of the applicable points are met.",
    ),
]


class TaskStatus(StrEnum):
    """GOV.UK's task list statuses (the "complete multiple tasks" pattern)."""

    NOT_STARTED = "Not yet started"
    INCOMPLETE = "Incomplete"
    COMPLETED = "Completed"


def is_met(score):
    return score is not None and score >= MET_FROM


def missing(answer, link_count=0):
    """What one point still needs before it counts as completed, in words for the
    team ("score this point"), or "" when it needs nothing.

    A completed point is scored with evidence (text or at least one link), or not
    applicable with a reason. Submission is refused while any point misses something.
    """
    if answer.not_applicable:
        return "" if answer.not_applicable_reason.strip() else "give a reason it is not applicable"
    if answer.score is None:
        return "score this point"
    if not (answer.evidence.strip() or link_count):
        return "give evidence for the score"
    return ""


def task_status(answer, link_count=0):
    """Where the team has got to with one point, for the task list.

    Completed: nothing `missing`. Incomplete: anything entered short of that.
    Not yet started: nothing entered.
    """
    if not missing(answer, link_count):
        return TaskStatus.COMPLETED
    if answer.score is not None or answer.not_applicable or answer.evidence.strip() or link_count:
        return TaskStatus.INCOMPLETE
    return TaskStatus.NOT_STARTED


@dataclass(frozen=True)
class Summary:
    points: int  # points in the Standard
    completed: int  # points scored with evidence, or not applicable with a reason
    applicable: int  # points not marked not applicable
    total: int  # sum of the scores given
    maximum: int  # 5 for each applicable point
    met: int  # applicable points scoring 3 or more
    scored: int  # applicable points with a score so far
    rating: Rating | None  # None until every point is completed

    @property
    def is_complete(self):
        return self.completed == self.points

    # Totals are out of different maximums when different points apply, so they
    # cannot be compared between services or phases. These two can.

    @property
    def average(self):
        """The average score of the points scored so far (every applicable point, once
        complete), to one decimal place: Decimal("3.5"). None until a point is scored."""
        if not self.scored:
            return None
        return (Decimal(self.total) / self.scored).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def met_share(self):
        """The percentage of applicable points met, as a whole number. None when no
        point applies."""
        if not self.applicable:
            return None
        return int((Decimal(100 * self.met) / self.applicable).quantize(1, ROUND_HALF_UP))


def rate(scores):
    """The overall rating for the scores of every applicable point (see RATING_RULE)."""
    if not scores:
        return None
    met = sum(1 for score in scores if is_met(score))
    if met == len(scores):
        return Rating.GREEN
    if min(scores) < 2 or met * 2 < len(scores):
        return Rating.RED
    return Rating.AMBER


def summarise(answers, link_counts=None):
    """The derived figures for an assessment's answers (one per point)."""
    link_counts = link_counts or {}
    answers = list(answers)
    statuses = [task_status(a, link_counts.get(a.pk, 0)) for a in answers]
    applicable = [a for a in answers if not a.not_applicable]
    scores = [a.score for a in applicable if a.score is not None]
    completed = sum(1 for status in statuses if status == TaskStatus.COMPLETED)
    return Summary(
        points=len(answers),
        completed=completed,
        applicable=len(applicable),
        total=sum(scores),
        maximum=MAX_SCORE * len(applicable),
        met=sum(1 for score in scores if is_met(score)),
        scored=len(scores),
        rating=rate(scores) if completed == len(answers) and applicable else None,
    )
