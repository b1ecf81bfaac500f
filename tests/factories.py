"""factory_boy factories for the test suite's data."""

import factory
from django.utils import timezone

from assessments.models import Council, Membership, PeerGroup, Role, User

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


class PeerGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeerGroup
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Peer group {n}")
    slug = factory.Sequence(lambda n: f"peer-group-{n}")


class CouncilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Council
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: "Z" + _ALPHABET[n // 36 % 36] + _ALPHABET[n % 36])
    official_name = factory.LazyAttribute(lambda o: f"{o.short_name} City Council")
    short_name = factory.Sequence(lambda n: f"Testshire {n}")
    gss_code = factory.Sequence(lambda n: f"E08{n:06d}")
    nation = "England"
    region = "West Midlands"
    authority_type = "MD"
    authority_type_name = "Metropolitan district"
    population = 300_000
    is_current = True
    peer_group = factory.SubFactory(PeerGroupFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@council.example")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")
    date_joined = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    @factory.post_generation
    def reviewer_peer_groups(obj, create, extracted, **kwargs):
        """`UserFactory(reviewer_peer_groups=[midlands])`: the groups a reviewer reviews in."""
        if create and extracted:
            obj.reviewer_peer_groups.add(*extracted)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    council = factory.SubFactory(CouncilFactory)
    role = Role.CONTRIBUTOR
