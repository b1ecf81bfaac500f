"""Every form, sent anything at all by the person who may use it (Hypothesis).

Whatever is sent, the answer is never a server error. A form that takes what was sent
saves it and moves on (a redirect); a form that refuses it says why, in an error summary
whose links lead to each field's error, shows back what was typed (never a password),
and writes nothing. The strategies, and how a refusal is judged, are in tests/properties.py.
Named tests beside each property keep the failures it found.
"""

import pytest
from django.urls import reverse

from assessments import services
from tests.factories_services import ServiceFactory


def url(name, *args):
    return reverse(f"assessments:{name}", args=args)


@pytest.fixture
def bins(coventry, standard):
    return ServiceFactory(council=coventry, name="Report a missed bin collection")


@pytest.fixture
def draft(bins, coventry_lead):
    return services.start_assessment(bins, by=coventry_lead, phase="beta")


@pytest.mark.parametrize("rows", ["²", "9" * 5_000, "٣"])
def test_adding_a_link_row_to_a_tampered_count_is_refused_not_a_server_error(
    client_for, coventry_lead, draft, rows
):
    """Found by the point form's property: "²" is a digit to str.isdigit() but not to int(), and
    int() refuses more than 4,300 digits; both were a 500 on "Add another link"."""
    data = {
        "answer": "3",
        "evidence": "",
        "not_applicable_reason": "",
        "revision": "0",
        "action": "add_link",
        "links-TOTAL_FORMS": rows,
        "links-INITIAL_FORMS": "0",
    }
    response = client_for(coventry_lead).post(url("edit_point", "cov", draft.pk, 1), data)
    assert response.status_code == 200
