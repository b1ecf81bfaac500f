"""The coordinator's council picker: about 400 councils, in the order a person reads them,
and a select that JavaScript turns into a type-ahead (accessible-autocomplete)."""

import re
from pathlib import Path

from django.urls import reverse

from assessments.forms.members import InviteAnyoneForm
from tests.factories import CouncilFactory

ROOT = Path(__file__).resolve().parent.parent
INVITE = reverse("assessments:invite_anyone")


def test_councils_are_sorted_by_the_name_the_picker_shows(db):
    for short, official in [
        ("Greenwich", "Royal Borough of Greenwich"),
        ("Bristol", "Bristol City Council"),
        ("Chorley", "Chorley Council"),
        ("Leeds", "Leeds City Council"),
    ]:
        CouncilFactory(short_name=short, official_name=official)
    CouncilFactory(short_name="Gone", official_name="Abolished District Council", is_current=False)
    field = InviteAnyoneForm().fields["council"]
    shown = [label for value, label in field.choices if value]
    assert shown == [
        "Bristol City Council",
        "Chorley Council",
        "Leeds City Council",
        "Royal Borough of Greenwich",
    ]


def test_the_picker_is_a_select_that_scripts_may_enhance(client_for, coordinator, coventry):
    html = client_for(coordinator).get(INVITE).content.decode()
    select = re.search(r"<select[^>]*name=\"council\"[^>]*>", html).group()
    assert "data-app-autocomplete" in select
    assert '<option value="COV">Coventry City Council</option>' in html
    for asset in [
        r'<link rel="stylesheet" href="/static/accessible-autocomplete\.min(\.[0-9a-f]+)?\.css">',
        r'<script defer src="/static/accessible-autocomplete\.min(\.[0-9a-f]+)?\.js"></script>',
        r'<script type="module" src="/static/autocomplete(\.[0-9a-f]+)?\.js"></script>',
    ]:
        assert re.search(asset, html), asset


def test_accessible_autocomplete_is_pinned_and_built_by_the_makefile():
    import json

    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert package["devDependencies"]["accessible-autocomplete"] == "3.0.1"
    assert lock["packages"]["node_modules/accessible-autocomplete"]["version"] == "3.0.1"
    makefile = (ROOT / "Makefile").read_text()
    assert "assets: static/build/app.css static/build/accessible-autocomplete.min.js" in makefile
