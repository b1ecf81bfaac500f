"""The figures of the insight pages worked out again, in plain Python, from the open data
as anyone can download it (`/data/assessments.csv` and `/data/point-scores.csv`), so that
tests can check the pages against a computation that shares no code with them."""

import csv
import io
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal


def _read(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def latest_points(client):
    """Each service's latest published assessment (by published_at, then id), with its
    facts, and the point rows of those assessments only."""
    assessments = _read(client, "/data/assessments.csv")
    latest = {}
    for row in assessments:
        key = (row["published_at"], int(row["assessment_id"]))
        if row["service_id"] not in latest or key > latest[row["service_id"]][0]:
            latest[row["service_id"]] = (key, row)
    kept = {row["assessment_id"]: row for _, row in latest.values()}
    points = [
        row for row in _read(client, "/data/point-scores.csv") if row["assessment_id"] in kept
    ]
    return kept, points


def averages(points, keep):
    """{point number: average to one place} over the point rows `keep(row)` accepts,
    points that do not apply left out."""
    sums = defaultdict(lambda: [0, 0])
    for row in points:
        if keep(row) and row["not_applicable"] == "false":
            sums[int(row["point_number"])][0] += int(row["score"])
            sums[int(row["point_number"])][1] += 1
    return {
        number: (Decimal(total) / count).quantize(Decimal("0.1"), ROUND_HALF_UP)
        for number, (total, count) in sums.items()
    }
