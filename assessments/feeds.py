"""The Atom feed of the public record: new publications, and withdrawals with their reasons.

Subscribers hear both: when a council publishes an assessment, and when it withdraws
one. A withdrawn publication's own entry leaves the feed (like every other list), and a
withdrawal entry takes its place, saying it was withdrawn and why, and linking to the
report, which keeps its address and shows the notice. The entries are read from the
publication tables only, in two queries (the latest publications and the latest
withdrawals), whatever the size of the record.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.feedgenerator import Atom1Feed

from assessments.models import Publication, ReviewType

ENTRIES = 50
FIELDS = (
    "pk",
    "service_name",
    "council_name",
    "phase",
    "review_type",
    "reviewer_councils",
    "total",
    "maximum",
    "met",
    "applicable",
    "rating",
    "published_at",
    "withdrawn_at",
    "withdrawn_reason",
)


@dataclass(frozen=True)
class Entry:
    publication: Publication
    withdrawal: bool

    @property
    def when(self) -> datetime:
        return self.publication.withdrawn_at if self.withdrawal else self.publication.published_at


def latest_entries(limit=ENTRIES):
    """The `limit` latest publications and withdrawals, newest first."""
    published = Publication.objects.public().only(*FIELDS).order_by("-published_at", "-pk")
    withdrawn = Publication.objects.withdrawn().only(*FIELDS).order_by("-withdrawn_at", "-pk")
    entries = [Entry(p, withdrawal=False) for p in published[:limit]]
    entries += [Entry(p, withdrawal=True) for p in withdrawn[:limit]]
    entries.sort(key=lambda entry: (entry.when, entry.publication.pk), reverse=True)
    return entries[:limit]


class PublishedFeed(Feed):
    feed_type = Atom1Feed
    title = "Local Government Digital Service Standard: published assessments"
    subtitle = (
        "Assessments councils have published against the Local Government Digital Service "
        "Standard, and publications they have withdrawn."
    )

    def author_name(self):
        return settings.SERVICE_NAME

    def item_author_name(self, entry):
        # Each entry is the council's: it published the assessment, or withdrew it.
        return entry.publication.council_name

    def link(self):
        return reverse("assessments:open_data")

    def feed_url(self):
        return reverse("assessments:published_feed")

    def items(self):
        return latest_entries()

    def item_title(self, entry):
        publication = entry.publication
        name = f"{publication.service_name}, {publication.council_name}"
        return f"Withdrawn: {name}" if entry.withdrawal else name

    def item_description(self, entry):
        publication = entry.publication
        if entry.withdrawal:
            return (
                f"{publication.council_name} withdrew this publication on "
                f"{date_format(publication.withdrawn_at, 'j F Y')}: {publication.withdrawn_reason}"
            )
        if publication.review_type == ReviewType.PEER_REVIEWED:
            how = "Peer reviewed by " + ", ".join(publication.reviewer_councils)
        else:
            how = "Self-assessed: published by the council without a peer review"
        return (
            f"{how}. Phase: {publication.phase}. "
            f"Score {publication.total} of {publication.maximum}; "
            f"{publication.met} of {publication.applicable} points met; "
            f"rating {publication.rating or 'none'}."
        )

    def item_link(self, entry):
        return entry.publication.get_absolute_url()

    def item_guid(self, entry):
        # The report's address is shared by a publication and its withdrawal, so each
        # entry's id says which it is.
        kind = "withdrawn" if entry.withdrawal else "published"
        return f"urn:lgdss:assessment:{entry.publication.pk}:{kind}"

    def item_guid_is_permalink(self, entry):
        return False

    def item_pubdate(self, entry):
        return entry.publication.published_at

    def item_updateddate(self, entry):
        return entry.when

    def item_categories(self, entry):
        if entry.withdrawal:
            return ["Withdrawn"]
        return [entry.publication.get_review_type_display()]
