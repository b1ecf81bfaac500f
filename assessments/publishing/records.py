"""Writing the public record: a publication from its snapshot, its withdrawal, and a
coordinator's correction. Called inside the transitions' transaction (`publish`,
`withdraw_publication`) or under the publication's lock (`correct`)."""

import django.dispatch
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from assessments.models import (
    AssessmentEvent,
    CorrectableField,
    Correction,
    EventKind,
    Publication,
    PublicRecord,
    PublishedPoint,
    Status,
)
from assessments.publishing.snapshot import load_snapshot

# Sent after the commit of anything that changes what the public sees (a publication, a
# withdrawal, a correction). Cached public pages need not listen: they are named by the
# record's version (assessments/publishing/caching.py).
public_record_changed = django.dispatch.Signal()


def announce_change():
    """Count a change to the public record (in the caller's transaction), and tell the
    listeners once it is committed."""
    now = timezone.now()
    _, created = PublicRecord.objects.select_for_update().get_or_create(
        pk=1, defaults={"version": 1, "changed_at": now}
    )
    if not created:
        PublicRecord.objects.filter(pk=1).update(version=F("version") + 1, changed_at=now)
    transaction.on_commit(lambda: public_record_changed.send(sender=Publication))


def write_publication(assessment, *, by, at, source):
    """The `publish` transition's effect: the frozen publication of the assessment as it
    is, peer reviewed when it comes from a completed review (`source` is the state it was
    published from)."""
    frozen = load_snapshot(assessment, peer_reviewed=source == Status.REVIEWED)
    publication, points = publication_rows(assessment, frozen, by=by, at=at)
    publication.save(force_insert=True)
    PublishedPoint.objects.bulk_create(points)
    announce_change()
    return publication


def publication_rows(assessment, frozen, *, by, at):
    """The `Publication` of `frozen` (a `snapshot` of `assessment`) and its
    `PublishedPoint`s, unsaved: the one mapping from a snapshot to the public record's
    columns, used by `write_publication` and by `generate_scale_data`, which saves them
    in bulk (assessments/scale_data.py)."""
    service = assessment.service
    publication = Publication(
        assessment=assessment,
        council=service.council,
        service=service,
        standard=assessment.standard,
        product=service.product,
        **frozen.council,
        **frozen.service,
        phase=frozen.phase,
        standard_name=frozen.standard_name,
        standard_version=frozen.standard_version,
        review_type=frozen.review_type,
        started_at=frozen.started_at,
        submitted_at=frozen.submitted_at,
        reviewer_councils=list(frozen.reviewer_councils),
        review_completed_at=frozen.review_completed_at,
        recommendation=frozen.recommendation,
        recommendation_label=frozen.recommendation_label,
        review_summary=frozen.review_summary,
        council_response=frozen.council_response,
        **_figures("self_", frozen.self_figures),
        **_figures("agreed_", frozen.agreed_figures),
        **_figures("", frozen.figures),
        published_at=at,
        published_by=by,
    )
    points = [
        PublishedPoint(
            publication=publication,
            number=point.number,
            short_title=point.short_title,
            statement=point.statement,
            self_score=point.self_score,
            self_not_applicable=point.self_not_applicable,
            not_applicable_reason=point.not_applicable_reason,
            evidence=point.evidence,
            links=list(point.links),
            agreed_score=point.agreed_score,
            agreed_not_applicable=point.agreed_not_applicable,
            done_well=point.done_well,
            to_explore=point.to_explore,
            score=point.score,
            not_applicable=point.not_applicable,
            met=point.met,
        )
        for point in frozen.points
    ]
    return publication, points


def _figures(prefix, figures):
    names = ("total", "maximum", "met", "applicable", "average", "rating")
    if figures is None:
        return {f"{prefix}{name}": ("" if name == "rating" else None) for name in names}
    return {f"{prefix}{name}": getattr(figures, name) for name in names}


def withdraw_publication_record(assessment, *, by, at, reason):
    """The `withdraw_publication` transition's effect: the publication stays, with the
    notice and the reason, and leaves every list, figure, download, API response and feed."""
    Publication.objects.filter(pk=assessment.pk).update(
        withdrawn_at=at, withdrawn_by=by, withdrawn_reason=reason
    )
    announce_change()


def correct(publication, *, by, point_number, field, text, reason):
    """A coordinator corrects one published text of one point, with a reason shown on the
    report. The text as published is kept on the correction. Returns the `Correction`."""
    if not by.has_perm("assessments.correct_publication", publication.assessment):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for the correction"})
    field = CorrectableField(field)
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication.pk)
        if publication.is_withdrawn:
            raise ValidationError("A withdrawn publication cannot be corrected")
        point = PublishedPoint.objects.get(publication=publication, number=point_number)
        old = getattr(point, field)
        if old == text:
            raise ValidationError({"text": "The corrected text is the same as the published one"})
        setattr(point, field, text)
        point.save(update_fields=[field])
        now = timezone.now()
        correction = Correction.objects.create(
            publication=publication,
            point_number=point_number,
            field=field,
            old_text=old,
            new_text=text,
            reason=reason,
            made_at=now,
            made_by=by,
        )
        AssessmentEvent.objects.create(
            assessment_id=publication.pk,
            kind=EventKind.PUBLICATION_CORRECTED,
            point_number=point_number,
            actor=by,
            detail=reason,
            created_at=now,
        )
        announce_change()
    return correction
