import pytest
from django.core.management import call_command

from standard.models import StandardVersion


@pytest.fixture
def standard(db):
    """The Standard as shipped (LGDSS 1.0 and its 15 points), loaded from the fixture."""
    if not StandardVersion.objects.exists():
        call_command("loaddata", "standard_lgdss_1_0", verbosity=0)
    return StandardVersion.objects.current()
