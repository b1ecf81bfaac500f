"""The scoring rules: levels, what counts as met, the totals and the rating."""

from types import SimpleNamespace

import pytest

from assessments import scoring
from assessments.scoring import Rating, TaskStatus


def answer(score=None, na=False, reason="", evidence="", pk=None):
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
        ({"score": 0}, 0, TaskStatus.COMPLETED),
        ({"score": 4, "evidence": "Lots"}, 2, TaskStatus.COMPLETED),
    ],
)
def test_task_list_status(kwargs, links, status):
    assert scoring.task_status(answer(**kwargs), links) == status
