"""factory_boy factories for suppliers, products and councils' services."""

import factory

from assessments.models import Phase, Product, Service, Sourcing, Supplier
from tests.factories import CouncilFactory


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Supplier {n}")
    website = factory.LazyAttribute(lambda o: f"https://{o.name.lower().replace(' ', '-')}.example")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ["supplier", "name"]

    supplier = factory.SubFactory(SupplierFactory)
    name = factory.Sequence(lambda n: f"Product {n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    """An in-house service in beta. Pass `product=` (and sourcing=Sourcing.BOUGHT) for a bought one."""

    class Meta:
        model = Service

    council = factory.SubFactory(CouncilFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    phase = Phase.BETA
    sourcing = Sourcing.IN_HOUSE

    class Params:
        bought = factory.Trait(sourcing=Sourcing.BOUGHT, product=factory.SubFactory(ProductFactory))
