"""The scoring rules: levels, what counts as met, the totals and the rating."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from assessments import scoring
from assessments.scoring import Rating, TaskStatus


def answer(score=None, na=False, reason="", evidence=None, pk=None):
    if evidence is None:  # a scored point has evidence unless the test says otherwise
        evidence = "Done." if score is not None else ""
    return SimpleNamespace(
        pk=pk, score=score, not_applicable=na, not_applicable_reason=reason, evidence=evidence
    )


def test_six_levels_from_0_to_5_each_with_a_descriptor():
    assert [level.score for level in scoring.LEVELS] == [0, 1, 2, 3, 4, 5]
    assert all(level.name and level.description for level in scoring.LEVELS)
    assert scoring.LEVEL_BY_SCORE[3].name == "Meets the point"


def test_a_score_of_0_does_not_read_as_a_task_not_started():
    """A point scored 0 is completed on the task list: its level must not say "not started"."""
    zero = scoring.LEVEL_BY_SCORE[0].name
    assert zero == "Nothing in place"
    assert "start" not in zero.lower()
    assert {status.value for status in TaskStatus} == {"Completed", "Incomplete", "Not yet started"}


@pytest.mark.parametrize(
    ("score", "met"), [(None, False), (0, False), (2, False), (3, True), (5, True)]
)
def test_three_or_more_means_met(score, met):
    assert scoring.is_met(score) is met


@pytest.mark.parametrize(
    ("scores", "rating"),
    [
        ([3] * 15, Rating.GREEN),
        ([5, 4, 3], Rating.GREEN),
        ([3] * 14 + [2], Rating.AMBER),
        ([3, 3, 2, 2], Rating.AMBER),  # exactly half met, none below 2
        ([3, 2, 2], Rating.RED),  # fewer than half met
        ([5] * 14 + [1], Rating.RED),  # one point at 1
        ([5] * 14 + [0], Rating.RED),
        ([], None),
    ],
)
def test_rating_rule(scores, rating):
    assert scoring.rate(scores) == rating


def test_totals_leave_out_points_that_do_not_apply():
    answers = [answer(score=4, pk=n) for n in range(13)] + [
        answer(na=True, reason="No data is stored at discovery", pk=13),
        answer(na=True, reason="Not yet", pk=14),
    ]
    summary = scoring.summarise(answers)
    assert (summary.points, summary.applicable, summary.completed) == (15, 13, 15)
    assert (summary.total, summary.maximum, summary.met) == (52, 65, 13)
    assert summary.rating == Rating.GREEN
    assert summary.is_complete


def test_full_marks_are_75_when_every_point_applies():
    summary = scoring.summarise([answer(score=5, pk=n) for n in range(15)])
    assert (summary.total, summary.maximum) == (75, 75)


def test_no_rating_until_every_point_is_completed():
    answers = [answer(score=5, pk=n) for n in range(14)] + [answer(evidence="Half done", pk=14)]
    summary = scoring.summarise(answers)
    assert summary.completed == 14
    assert summary.rating is None
    assert not summary.is_complete


def test_not_applicable_without_a_reason_is_not_complete():
    answers = [answer(score=5, pk=n) for n in range(14)] + [answer(na=True, pk=14)]
    assert scoring.summarise(answers).completed == 14


@pytest.mark.parametrize(
    ("kwargs", "links", "status"),
    [
        ({}, 0, TaskStatus.NOT_STARTED),
        ({"evidence": "  "}, 0, TaskStatus.NOT_STARTED),
        ({"evidence": "We interviewed 12 residents"}, 0, TaskStatus.INCOMPLETE),
        ({}, 1, TaskStatus.INCOMPLETE),
        ({"na": True}, 0, TaskStatus.INCOMPLETE),
        ({"na": True, "reason": "Nothing to test yet"}, 0, TaskStatus.COMPLETED),
        ({"score": 0, "evidence": "Nothing yet"}, 0, TaskStatus.COMPLETED),
        ({"score": 5, "evidence": ""}, 0, TaskStatus.INCOMPLETE),  # a score needs evidence
        ({"score": 5, "evidence": "  "}, 0, TaskStatus.INCOMPLETE),
        ({"score": 3}, 1, TaskStatus.COMPLETED),  # a link is evidence
        ({"score": 4, "evidence": "Lots"}, 2, TaskStatus.COMPLETED),
    ],
)
def test_task_list_status(kwargs, links, status):
    assert scoring.task_status(answer(**kwargs), links) == status


# --- Figures that compare across services -------------------------------------------


def test_average_and_share_met_leave_out_points_that_do_not_apply():
    answers = [answer(score=s, pk=n) for n, s in enumerate([5, 3, 2, 1])] + [
        answer(na=True, reason="No data stored at discovery", pk=4)
    ]
    summary = scoring.summarise(answers)
    assert (summary.total, summary.maximum, summary.scored) == (11, 20, 4)
    assert summary.average == Decimal("2.8")  # 11 / 4 = 2.75, rounded half up
    assert (summary.met, summary.applicable, summary.met_share) == (2, 4, 50)


def test_services_with_different_points_applicable_compare_by_average_and_share():
    every_point = scoring.summarise([answer(score=3, pk=n) for n in range(15)])
    ten_apply = scoring.summarise(
        [answer(score=3, pk=n) for n in range(10)]
        + [answer(na=True, reason="Not at discovery", pk=n) for n in range(10, 15)]
    )
    assert (every_point.total, ten_apply.total) == (45, 30)  # not comparable
    assert every_point.average == ten_apply.average == Decimal("3.0")
    assert every_point.met_share == ten_apply.met_share == 100


def test_average_is_of_the_points_scored_so_far_and_share_of_all_applicable():
    answers = [answer(score=4, pk=0), answer(score=5, pk=1)] + [answer(pk=n) for n in range(2, 15)]
    summary = scoring.summarise(answers)
    assert summary.average == Decimal("4.5")
    assert summary.met_share == 13  # 2 of 15 applicable points, rounded


def test_no_average_or_share_without_scores_or_applicable_points():
    nothing_scored = scoring.summarise([answer(pk=n) for n in range(15)])
    assert nothing_scored.average is None
    assert nothing_scored.met_share == 0
    none_apply = scoring.summarise([answer(na=True, reason="r", pk=n) for n in range(15)])
    assert (none_apply.average, none_apply.met_share) == (None, None)
