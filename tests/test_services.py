"""A council's digital services: listing, adding, changing and retiring them, and the admin."""

import re
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.forms.services import CHOOSE_A_PRODUCT, CONFLICT, NOT_LISTED
from assessments.models import Assessment, Phase, Service, Sourcing, Status
from assessments.services import digital_services
from tests.conftest import DONE, HIDDEN, NO, OK, PERSONAS, SIGN_IN
from tests.factories_services import ProductFactory, ServiceFactory, SupplierFactory
from tests.html import outline

BINS = "Report a missed bin collection"


def url(name, *args):
    return reverse(f"assessments:{name}", args=args)


@pytest.fixture
def product(db):
    return ProductFactory(supplier=SupplierFactory(name="Bartec"), name="Collective")


@pytest.fixture
def bins(coventry):
    return ServiceFactory(council=coventry, name=BINS, phase=Phase.BETA, owner="Head of Waste")


@pytest.fixture
def leeds_service(leeds):
    return ServiceFactory(council=leeds, name="Pay council tax")


def answers(**changes):
    """A complete, valid form: an in-house service in alpha."""
    data = {
        "name": "Apply for a parking permit",
        "description": "Residents apply for and renew permits.",
        "url": "https://www.coventry.gov.uk/parking",
        "phase": "alpha",
        "owner": "Head of Parking",
        "sourcing": "in_house",
        "product": "",
        "suggested_supplier": "",
        "suggested_product": "",
    }
    return {**data, **changes}


def edit_answers(service, **changes):
    """The edit form as opened now, with `changes` typed in."""
    opened = {
        "name": service.name,
        "phase": service.phase,
        "sourcing": service.sourcing,
        "product": str(service.product_id or ""),
        "revision": str(service.revision),
    }
    return answers(**{**opened, **changes})


def make_assessment(service, standard, status=Status.DRAFT, **fields):
    if status != Status.DRAFT:
        fields.setdefault("submitted_at", timezone.now())
    return Assessment.objects.create(
        service=service, standard=standard, phase=service.phase, status=status, **fields
    )


# --- Who may do what ------------------------------------------------------------

# (description, method, url-maker, data-maker, expected per persona in PERSONAS order)
MATRIX = [
    ("list Coventry's services", "get", lambda s: url("service_list", "cov"), None,
     [SIGN_IN, OK, OK, HIDDEN, OK, HIDDEN, OK]),
    ("open the form to add a service", "get", lambda s: url("add_service", "cov"), None,
     [SIGN_IN, OK, OK, HIDDEN, OK, HIDDEN, NO]),
    ("add a service", "post", lambda s: url("add_service", "cov"), lambda s: answers(),
     [SIGN_IN, DONE, DONE, HIDDEN, DONE, HIDDEN, NO]),
    ("see a service", "get", lambda s: url("service_detail", "cov", s.pk), None,
     [SIGN_IN, OK, OK, HIDDEN, OK, HIDDEN, OK]),
    ("open the form to change a service", "get", lambda s: url("edit_service", "cov", s.pk),
     None, [SIGN_IN, OK, OK, HIDDEN, OK, HIDDEN, NO]),
    ("change a service", "post", lambda s: url("edit_service", "cov", s.pk),
     lambda s: edit_answers(s, name="Report a missed bin"),
     [SIGN_IN, DONE, DONE, HIDDEN, DONE, HIDDEN, NO]),
    ("open retiring a service", "get", lambda s: url("retire_service", "cov", s.pk), None,
     [SIGN_IN, OK, OK, HIDDEN, OK, HIDDEN, NO]),
    ("retire a service", "post", lambda s: url("retire_service", "cov", s.pk),
     lambda s: {"action": "retire"}, [SIGN_IN, DONE, DONE, HIDDEN, DONE, HIDDEN, NO]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("action", "method", "make_url", "make_data", "expected"),
    MATRIX,
    ids=[row[0] for row in MATRIX],
)
@pytest.mark.parametrize("persona_index", range(len(PERSONAS)), ids=PERSONAS)
def test_permission_matrix(
    request, client_for, bins, action, method, make_url, make_data, expected, persona_index
):
    for name in PERSONAS[1:]:
        request.getfixturevalue(name)  # everyone exists, whoever is looking
    persona = PERSONAS[persona_index]
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    address = make_url(bins)
    client = client_for(user)
    response = client.get(address) if method == "get" else client.post(address, make_data(bins))

    outcome = expected[persona_index]
    if outcome == SIGN_IN:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('assessments:sign_in')}?next={address}"
    elif outcome == DONE:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert not response["Location"].startswith(reverse("assessments:sign_in"))
    else:
        assert response.status_code == outcome


def test_refused_changes_change_nothing(client_for, bins, coordinator, leeds_lead):
    before = Service.objects.values().get(pk=bins.pk)
    for user in [coordinator, leeds_lead]:
        client = client_for(user)
        client.post(url("edit_service", "cov", bins.pk), edit_answers(bins, name="Changed"))
        client.post(url("retire_service", "cov", bins.pk), {"action": "retire"})
        client.post(url("add_service", "cov"), answers())
    assert Service.objects.values().get(pk=bins.pk) == before
    assert Service.objects.count() == 1


@pytest.mark.parametrize("name", ["service_detail", "edit_service", "retire_service"])
def test_a_leeds_service_through_a_coventry_address_is_not_found(
    client_for, coventry_lead, leeds_service, name
):
    client = client_for(coventry_lead)
    assert client.get(url(name, "cov", leeds_service.pk)).status_code == 404
    if name != "service_detail":
        response = client.post(url(name, "cov", leeds_service.pk), {"action": "retire"})
        assert response.status_code == 404
    leeds_service.refresh_from_db()
    assert not leeds_service.is_retired


def test_a_service_of_an_unknown_council_or_number_is_not_found(client_for, coventry_lead, bins):
    client = client_for(coventry_lead)
    assert client.get(url("service_list", "zzz")).status_code == 404
    assert client.get(url("service_detail", "cov", bins.pk + 100)).status_code == 404


def test_pages_that_only_show_refuse_posting(client_for, coventry_lead, bins):
    client = client_for(coventry_lead)
    assert client.post(url("service_list", "cov")).status_code == 405
    assert client.post(url("service_detail", "cov", bins.pk)).status_code == 405


def test_retire_page_changes_nothing_until_confirmed(client_for, coventry_lead, bins):
    response = client_for(coventry_lead).get(url("retire_service", "cov", bins.pk))
    assert f"Are you sure you want to retire {BINS}?" in response.content.decode()
    bins.refresh_from_db()
    assert not bins.is_retired


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("coventry_lead", True),
        ("coventry_contributor", True),
        ("coordinator", True),
        ("leeds_lead", False),
        ("peer_reviewer", False),
        (None, False),
    ],
)
def test_council_page_links_to_its_services_for_members_and_coordinators(
    request, client_for, coventry, persona, shown
):
    user = request.getfixturevalue(persona) if persona else None
    html = client_for(user).get(reverse("assessments:council_detail", args=["cov"])).content
    assert (b'href="/councils/cov/services/">Digital services</a>' in html) is shown


# --- The list of services ---------------------------------------------------------


def test_list_says_when_there_are_no_services(client_for, coventry_lead):
    html = client_for(coventry_lead).get(url("service_list", "cov")).content.decode()
    assert "Coventry has not added any digital services yet." in html
    assert "Add a service" in html
    assert "Retired services" not in html


def test_list_shows_each_service_in_use_with_its_phase_product_and_assessments(
    client_for, coventry_contributor, bins, product, standard
):
    ServiceFactory(council=bins.council, name="Pay for parking", bought=True, product=product)
    make_assessment(bins, standard, Status.SUBMITTED, created_at=timezone.now().replace(year=2024))
    make_assessment(bins, standard)
    response = client_for(coventry_contributor).get(url("service_list", "cov"))
    html = response.content.decode()
    assert outline(response) == (
        1,
        "Coventry's digital services – Council digital service assessments",
    )
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', html, re.S)[1:]
    assert "Pay for parking" in rows[0], "sorted by name"
    assert BINS in rows[1]
    assert f'href="{url("service_detail", "cov", bins.pk)}"' in rows[1]
    assert '<strong class="govuk-tag">Beta</strong>' in rows[1]
    assert "Built in house" in rows[1]
    assert "Submitted for peer review" in rows[1], "the latest submitted"
    assert "Draft started" in rows[1], "and the one in progress, apart"
    assert "Bartec – Collective" in rows[0]
    assert "None yet" in rows[0]


def test_list_shows_retired_services_separately(client_for, coventry_lead, bins):
    ServiceFactory(council=bins.council, name="Old bins", retired_at=timezone.now())
    html = client_for(coventry_lead).get(url("service_list", "cov")).content.decode()
    in_use, retired = html.split('id="retired"')
    assert BINS in in_use
    assert "Old bins" not in in_use
    assert "Old bins" in retired
    assert BINS not in retired


def test_coordinators_see_the_list_without_an_add_button(client_for, coordinator, bins):
    html = client_for(coordinator).get(url("service_list", "cov")).content.decode()
    assert BINS in html
    assert "Add a service" not in html


@pytest.mark.parametrize("count", [1, 20])
def test_list_query_count_does_not_grow_with_services(
    client_for, coventry_lead, product, standard, count, django_assert_max_num_queries
):
    council = coventry_lead.memberships.get().council
    for number in range(count):
        bought = number % 2 == 1
        service = ServiceFactory(
            council=council,
            name=f"Service {number:02d}",
            sourcing=Sourcing.BOUGHT if bought else Sourcing.IN_HOUSE,
            product=ProductFactory(supplier=product.supplier) if bought else None,
        )
        if number % 3 == 0:
            make_assessment(service, standard, Status.SUBMITTED)
            make_assessment(service, standard)
    ServiceFactory(council=council, name="Retired one", retired_at=timezone.now())
    client = client_for(coventry_lead)
    # Session, user, whether they have set up two-factor authentication, council, the
    # user's memberships, the services; saving the session.
    with django_assert_max_num_queries(9):
        response = client.get(url("service_list", "cov"))
    assert response.content.decode().count("Service ") >= count


# --- Adding and changing a service ------------------------------------------------


def test_member_adds_an_in_house_service(client_for, coventry_contributor):
    client = client_for(coventry_contributor)
    response = client.post(url("add_service", "cov"), answers())
    service = Service.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("service_detail", "cov", service.pk)
    assert service.council.code == "COV"
    assert service.created_by == coventry_contributor
    assert (service.name, service.phase, service.sourcing) == (
        "Apply for a parking permit",
        Phase.ALPHA,
        Sourcing.IN_HOUSE,
    )
    assert service.url == "https://www.coventry.gov.uk/parking"
    page = client.get(response["Location"]).content.decode()
    assert "Apply for a parking permit has been added" in page


def test_new_lines_in_the_description_are_stored_plainly(client_for, coventry_lead):
    data = answers(description="First line\r\nSecond line")
    client_for(coventry_lead).post(url("add_service", "cov"), data)
    assert Service.objects.get().description == "First line\nSecond line"


def test_web_address_without_https_is_completed(client_for, coventry_lead):
    client_for(coventry_lead).post(url("add_service", "cov"), answers(url="www.coventry.gov.uk/a"))
    assert Service.objects.get().url == "https://www.coventry.gov.uk/a"


def test_form_shows_the_phase_hints_and_the_products(client_for, coventry_lead, product):
    response = client_for(coventry_lead).get(url("add_service", "cov"))
    html = response.content.decode()
    assert outline(response)[0] == 1
    for hint in [
        "Finding out what users need and whether to build anything",
        "Trying out different solutions with users",
        "Running the service with real users while it is improved",
        "The service is running and being improved",
        "For example, Report a missed bin collection",
        "The person responsible for the service day to day, for example Head of Waste Services",
    ]:
        assert hint in html
    assert f'<option value="{product.pk}">Bartec – Collective</option>' in html
    assert f'<option value="{NOT_LISTED}">Not listed</option>' in html
    assert "checked" not in html, "no radio chosen in advance, as GOV.UK advises"


def error_count(html, message):
    """How often `message` appears: once in the summary and once by the field, when shown."""
    return html.count(message)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "id_name", "Enter the service name"),
        ({"name": "x" * 151}, "id_name", "Service name must be 150 characters or fewer"),
        (
            {"url": "not a web address"},
            "id_url",
            "Enter a web address in the correct format, like https://www.coventry.gov.uk/bins",
        ),
        ({"phase": ""}, "id_phase_1", "Select the phase the service is in"),
        ({"phase": "gamma"}, "id_phase_1", "Select the phase the service is in"),
        (
            {"sourcing": ""},
            "id_sourcing_1",
            "Select whether the service was built in house or bought from a supplier",
        ),
        ({"sourcing": "bought"}, "id_product", CHOOSE_A_PRODUCT),
        (
            {"sourcing": "bought", "product": "999999"},
            "id_product",
            "Choose a product from the list",
        ),
        (
            {"sourcing": "bought", "product": NOT_LISTED, "suggested_product": "Bins Pro"},
            "id_suggested_supplier",
            "Enter the name of the supplier",
        ),
        (
            {"sourcing": "bought", "product": NOT_LISTED, "suggested_supplier": "Acme"},
            "id_suggested_product",
            "Enter the name of the product",
        ),
    ],
)
def test_each_mistake_is_shown_in_the_summary_and_by_the_field_keeping_what_was_typed(
    client_for, coventry_lead, changes, field, message
):
    data = answers(owner="Head of Parking Services", **changes)
    response = client_for(coventry_lead).post(url("add_service", "cov"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert outline(response)[1].startswith("Error: ")
    summary = html.split("govuk-error-summary__list")[1].split("</ul>")[0]
    assert f'<a href="#{field}">{message}' in summary
    assert f'id="{field}"' in html, "the summary links to something that exists"
    assert error_count(html, message) == 2
    assert 'value="Head of Parking Services"' in html
    assert "Residents apply for and renew permits." in html
    assert not Service.objects.exists()


def test_an_empty_form_explains_every_required_answer(client_for, coventry_lead):
    html = client_for(coventry_lead).post(url("add_service", "cov"), {}).content.decode()
    for message in [
        "Enter the service name",
        "Select the phase the service is in",
        "Select whether the service was built in house or bought from a supplier",
    ]:
        assert error_count(html, message) == 2, message


def test_a_council_cannot_have_two_services_in_use_with_the_same_name(
    client_for, coventry_lead, bins
):
    response = client_for(coventry_lead).post(url("add_service", "cov"), answers(name=BINS.upper()))
    html = response.content.decode()
    assert error_count(html, f"Coventry already has a service called {BINS}") == 2
    assert Service.objects.count() == 1


def test_another_councils_service_name_is_no_obstacle(client_for, coventry_lead, leeds_service):
    client_for(coventry_lead).post(url("add_service", "cov"), answers(name="Pay council tax"))
    assert Service.objects.filter(name="Pay council tax").count() == 2


def test_a_retired_services_name_can_be_used_again(client_for, coventry_lead, bins):
    Service.objects.filter(pk=bins.pk).update(retired_at=timezone.now())
    response = client_for(coventry_lead).post(url("add_service", "cov"), answers(name=BINS))
    assert response.status_code == 302
    assert Service.objects.filter(name=BINS).count() == 2


def test_a_service_keeps_its_own_name_when_changed(client_for, coventry_lead, bins):
    response = client_for(coventry_lead).post(
        url("edit_service", "cov", bins.pk), edit_answers(bins, owner="Someone new")
    )
    assert response.status_code == 302
    bins.refresh_from_db()
    assert bins.owner == "Someone new"


def test_member_changes_a_service(client_for, coventry_lead, bins):
    client = client_for(coventry_lead)
    form = client.get(url("edit_service", "cov", bins.pk)).content.decode()
    assert f'value="{BINS}"' in form
    assert 'value="Head of Waste"' in form
    response = client.post(
        url("edit_service", "cov", bins.pk), edit_answers(bins, name="Missed bins", phase="live")
    )
    assert response["Location"] == url("service_detail", "cov", bins.pk)
    bins.refresh_from_db()
    assert (bins.name, bins.phase) == ("Missed bins", Phase.LIVE)
    assert "Missed bins has been updated" in client.get(response["Location"]).content.decode()


def test_a_refused_change_keeps_what_was_typed_and_the_saved_name_in_the_heading(
    client_for, coventry_lead, bins
):
    response = client_for(coventry_lead).post(
        url("edit_service", "cov", bins.pk), edit_answers(bins, name="Missed bins", url="not one")
    )
    assert outline(response) == (1, f"Error: Change {BINS} – Council digital service assessments")
    html = response.content.decode()
    assert f'<h1 class="govuk-heading-l">Change {BINS}</h1>' in html
    assert 'value="Missed bins"' in html
    assert 'value="not one"' in html
    bins.refresh_from_db()
    assert bins.name == BINS


def test_a_retired_service_cannot_be_changed(client_for, coventry_lead, bins):
    Service.objects.filter(pk=bins.pk).update(retired_at=timezone.now())
    client = client_for(coventry_lead)
    assert client.get(url("edit_service", "cov", bins.pk)).status_code == 404
    response = client.post(url("edit_service", "cov", bins.pk), edit_answers(bins, name="New"))
    assert response.status_code == 404
    bins.refresh_from_db()
    assert bins.name == BINS


# --- Built in house or bought -----------------------------------------------------


def test_bought_service_with_a_listed_product(client_for, coventry_lead, product):
    data = answers(
        sourcing="bought",
        product=str(product.pk),
        suggested_supplier="Ignored",
        suggested_product="X",
    )
    client_for(coventry_lead).post(url("add_service", "cov"), data)
    service = Service.objects.get()
    assert (service.sourcing, service.product) == (Sourcing.BOUGHT, product)
    assert (service.suggested_supplier, service.suggested_product) == ("", "")


def test_bought_service_with_a_product_not_listed_keeps_the_suggestion(client_for, coventry_lead):
    data = answers(
        sourcing="bought",
        product=NOT_LISTED,
        suggested_supplier="Acme Software",
        suggested_product="Bins Pro",
    )
    response = client_for(coventry_lead).post(url("add_service", "cov"), data)
    service = Service.objects.get()
    assert service.product is None
    assert (service.suggested_supplier, service.suggested_product) == ("Acme Software", "Bins Pro")
    page = client_for(coventry_lead).get(response["Location"]).content.decode()
    assert "Acme Software – Bins Pro (not listed)" in page


def test_in_house_service_has_no_product_whatever_was_chosen(client_for, coventry_lead, product):
    data = answers(
        sourcing="in_house", product=str(product.pk), suggested_supplier="A", suggested_product="B"
    )
    client_for(coventry_lead).post(url("add_service", "cov"), data)
    service = Service.objects.get()
    assert service.product is None
    assert (service.suggested_supplier, service.suggested_product) == ("", "")


def test_changing_a_bought_service_to_in_house_clears_its_product(
    client_for, coventry_lead, product
):
    service = ServiceFactory(council__code="COV", name=BINS, bought=True, product=product)
    client = client_for(coventry_lead)
    form = client.get(url("edit_service", "cov", service.pk)).content.decode()
    assert f'<option value="{product.pk}" selected>' in form
    client.post(url("edit_service", "cov", service.pk), edit_answers(service, sourcing="in_house"))
    service.refresh_from_db()
    assert (service.sourcing, service.product) == (Sourcing.IN_HOUSE, None)


def success_banner(client, response):
    """The success banner's words on the page a save redirected to."""
    page = client.get(response["Location"]).content.decode()
    return re.search(r'govuk-notification-banner__heading">([^<]*)<', page).group(1)


def test_a_product_removed_by_built_in_house_is_named_in_the_banner(
    client_for, coventry_lead, product
):
    service = ServiceFactory(council__code="COV", name=BINS, bought=True, product=product)
    client = client_for(coventry_lead)
    response = client.post(
        url("edit_service", "cov", service.pk), edit_answers(service, sourcing="in_house")
    )
    service.refresh_from_db()
    assert (service.sourcing, service.product) == (Sourcing.IN_HOUSE, None)
    assert success_banner(client, response) == (
        f"{BINS} has been updated. Its product, Bartec – Collective, was removed, "
        "as it was built in house"
    )


def test_a_saved_suggestion_cleared_before_built_in_house_is_still_named(client_for, coventry_lead):
    service = ServiceFactory(
        council__code="COV",
        name=BINS,
        sourcing=Sourcing.BOUGHT,
        suggested_supplier="Acme Software",
        suggested_product="Bins Pro",
    )
    client = client_for(coventry_lead)
    response = client.post(
        url("edit_service", "cov", service.pk), edit_answers(service, sourcing="in_house")
    )
    service.refresh_from_db()
    assert (service.suggested_supplier, service.suggested_product) == ("", "")
    assert "Its product, Acme Software – Bins Pro (not listed), was removed" in success_banner(
        client, response
    )


def test_a_product_typed_for_a_new_in_house_service_is_named_as_not_saved(
    client_for, coventry_lead
):
    client = client_for(coventry_lead)
    data = answers(product=NOT_LISTED, suggested_supplier="Acme Software", suggested_product="")
    response = client.post(url("add_service", "cov"), data)
    assert Service.objects.get().suggested_supplier == ""
    assert success_banner(client, response) == (
        "Apply for a parking permit has been added. The product you entered, "
        "Acme Software (not listed), was not saved, as it was built in house"
    )


def test_an_in_house_save_with_no_product_says_only_that_it_was_saved(
    client_for, coventry_lead, bins
):
    client = client_for(coventry_lead)
    response = client.post(url("edit_service", "cov", bins.pk), edit_answers(bins))
    assert success_banner(client, response) == f"{BINS} has been updated"


def test_the_product_questions_are_revealed_under_bought(client_for, coventry_lead, product):
    """GOV.UK's conditional reveal: hidden (once JavaScript runs) until "bought" is chosen."""
    client = client_for(coventry_lead)
    html = client.get(url("add_service", "cov")).content.decode()
    radios = re.search(r'<div class="govuk-radios" data-module="app-conditional-reveal">', html)
    assert radios, "the sourcing radios are not marked for conditional-reveal.js"
    bought = re.search(r'<input[^>]*value="bought"[^>]*>', html).group(0)
    assert 'data-aria-controls="conditional-sourcing-bought"' in bought
    block = re.search(
        r'<div class="(govuk-radios__conditional[^"]*)" id="conditional-sourcing-bought">(.*?)</fieldset>',
        html,
        re.S,
    )
    assert block.group(1) == "govuk-radios__conditional govuk-radios__conditional--hidden"
    assert 'id="id_product"' in block.group(2)
    assert 'id="id_suggested_product"' in block.group(2)
    html = client.post(url("add_service", "cov"), answers(sourcing="bought")).content.decode()
    assert 'class="govuk-radios__conditional" id="conditional-sourcing-bought"' in html


def test_product_questions_with_an_error_are_never_hidden(client_for, coventry_lead):
    data = answers(suggested_product="x" * 151)  # in house, yet the field is wrong
    html = client_for(coventry_lead).post(url("add_service", "cov"), data).content.decode()
    assert "Product name must be 150 characters or fewer" in html
    assert 'class="govuk-radios__conditional" id="conditional-sourcing-bought"' in html


def test_the_form_reopens_with_not_listed_chosen_for_a_suggestion(client_for, coventry_lead):
    service = ServiceFactory(
        council__code="COV",
        sourcing=Sourcing.BOUGHT,
        suggested_supplier="Acme Software",
        suggested_product="Bins Pro",
    )
    form = client_for(coventry_lead).get(url("edit_service", "cov", service.pk)).content.decode()
    assert f'<option value="{NOT_LISTED}" selected>Not listed</option>' in form
    assert 'value="Acme Software"' in form


def test_the_database_refuses_an_in_house_service_with_a_product(coventry, product):
    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.create(
            council=coventry, name="Odd", phase=Phase.BETA, sourcing="in_house", product=product
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.create(
            council=coventry, name="Odd", phase=Phase.BETA, suggested_product="Bins Pro"
        )


def test_the_database_refuses_two_services_in_use_with_one_name(coventry, bins):
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceFactory(council=coventry, name=BINS)
    ServiceFactory(council=coventry, name=BINS, retired_at=timezone.now())


# --- Two people changing a service at once ----------------------------------------


def hidden_revision(html):
    return re.search(r'name="revision" value="([^"]*)"', html).group(1)


def test_the_second_of_two_edits_from_the_same_revision_is_refused_and_keeps_its_text(
    client_for, coventry_lead, coventry_contributor, bins
):
    lead, contributor = client_for(coventry_lead), client_for(coventry_contributor)
    address = url("edit_service", "cov", bins.pk)
    opened = hidden_revision(lead.get(address).content.decode())
    assert hidden_revision(contributor.get(address).content.decode()) == opened == "0"

    first = lead.post(address, edit_answers(bins, owner="Lead's owner", revision=opened))
    assert first.status_code == 302
    after_first = Service.objects.values().get(pk=bins.pk)
    assert (after_first["owner"], after_first["revision"]) == ("Lead's owner", 1)

    second = contributor.post(
        address,
        edit_answers(bins, owner="Contributor's owner", description="Mine", revision=opened),
    )
    html = second.content.decode()
    assert second.status_code == 200, "as a point's page answers the same refusal"
    assert error_count(html, CONFLICT) == 1
    assert "What is saved now" in html
    assert "Lead&#x27;s owner" in html, "the saved version is shown"
    assert 'value="Contributor&#x27;s owner"' in html, "what they typed is kept"
    assert "Mine</textarea>" in html
    assert html.count(">Changed</strong>") == 2, "their owner and description differ"
    assert Service.objects.values().get(pk=bins.pk) == after_first, "nothing of it saved"

    # Having checked, they save again, now from the saved version: theirs replaces it.
    assert hidden_revision(html) == "1"
    again = contributor.post(
        address, edit_answers(bins, owner="Contributor's owner", revision=hidden_revision(html))
    )
    assert again.status_code == 302
    bins.refresh_from_db()
    assert (bins.owner, bins.revision) == ("Contributor's owner", 2)


@pytest.mark.parametrize("revision", [None, "", "not a number"])
def test_an_edit_without_the_revision_it_was_opened_at_is_checked_first(
    client_for, coventry_lead, bins, revision
):
    data = edit_answers(bins, owner="New owner")
    if revision is None:
        del data["revision"]
    else:
        data["revision"] = revision
    response = client_for(coventry_lead).post(url("edit_service", "cov", bins.pk), data)
    assert CONFLICT in response.content.decode()
    assert hidden_revision(response.content.decode()) == "0"
    bins.refresh_from_db()
    assert (bins.owner, bins.revision) == ("Head of Waste", 0)


def test_an_edit_from_before_the_service_was_retired_and_brought_back_is_refused(
    client_for, coventry_lead, coventry_contributor, bins
):
    opened = edit_answers(bins, owner="Stale owner")
    lead = client_for(coventry_lead)
    lead.post(url("retire_service", "cov", bins.pk), {"action": "retire"})
    lead.post(url("retire_service", "cov", bins.pk), {"action": "restore"})
    bins.refresh_from_db()
    assert (bins.is_retired, bins.revision) == (False, 2)

    response = client_for(coventry_contributor).post(url("edit_service", "cov", bins.pk), opened)
    assert CONFLICT in response.content.decode()
    bins.refresh_from_db()
    assert (bins.owner, bins.revision) == ("Head of Waste", 2)


def test_update_service_refuses_a_stale_revision_with_the_current_version(
    coventry_lead, coventry_contributor, bins
):
    services.update_service(bins, by=coventry_lead, revision=0, owner="Lead's owner")
    before = Service.objects.values().get(pk=bins.pk)
    with pytest.raises(services.EditConflict) as refused:
        services.update_service(bins, by=coventry_contributor, revision=0, owner="Mine")
    assert (refused.value.current.owner, refused.value.current.revision) == ("Lead's owner", 1)
    assert Service.objects.values().get(pk=bins.pk) == before


@pytest.mark.parametrize("persona", ["coordinator", "leeds_lead", "peer_reviewer"])
def test_update_service_by_someone_not_in_the_council_changes_nothing(request, bins, persona):
    before = Service.objects.values().get(pk=bins.pk)
    with pytest.raises(PermissionDenied):
        services.update_service(
            bins, by=request.getfixturevalue(persona), revision=0, owner="Not theirs"
        )
    with pytest.raises(PermissionDenied):
        services.retire_service(bins, by=request.getfixturevalue(persona))
    assert Service.objects.values().get(pk=bins.pk) == before


def test_update_service_refuses_a_retired_service(coventry_lead, bins):
    retired = services.retire_service(bins, by=coventry_lead)
    with pytest.raises(PermissionDenied):
        services.update_service(bins, by=coventry_lead, revision=retired.revision, owner="New")
    bins.refresh_from_db()
    assert (bins.owner, bins.revision) == ("Head of Waste", 1)


@pytest.mark.django_db(transaction=True)
@pytest.mark.needs_postgresql
def test_two_simultaneous_edits_from_the_same_revision_cannot_both_win(
    monkeypatch, coventry_lead, coventry_contributor, coventry
):
    """The first edit pauses inside its transaction, just after reading the service; the
    second starts then. The row lock makes the second wait, so it reads the first's save
    and is refused. Without the lock both would read revision 0 and both would save."""
    bins = Service.objects.create(council=coventry, name=BINS, phase=Phase.BETA)
    first_has_read, second_has_read = threading.Event(), threading.Event()
    read_and_lock = digital_services._locked

    def read_and_lock_then_pause(service):
        current = read_and_lock(service)
        if threading.current_thread().name == "first":
            first_has_read.set()
            second_has_read.wait(timeout=1)  # it cannot, while the row is locked
        else:
            second_has_read.set()
        return current

    monkeypatch.setattr(digital_services, "_locked", read_and_lock_then_pause)
    results = {}

    def edit(person, owner):
        try:
            services.update_service(bins, by=person, revision=0, owner=owner)
            results[owner] = "saved"
        except services.EditConflict:
            results[owner] = "refused"
        finally:
            connection.close()

    first = threading.Thread(target=edit, args=(coventry_lead, "first"), name="first")
    second = threading.Thread(target=edit, args=(coventry_contributor, "second"), name="second")
    first.start()
    assert first_has_read.wait(timeout=5)
    second.start()
    first.join()
    second.join()
    assert results == {"first": "saved", "second": "refused"}
    bins.refresh_from_db()
    assert (bins.owner, bins.revision) == ("first", 1)


# --- A service's page ------------------------------------------------------------


def test_service_page_shows_details_with_change_links_for_members(client_for, coventry_lead, bins):
    response = client_for(coventry_lead).get(url("service_detail", "cov", bins.pk))
    html = response.content.decode()
    assert outline(response) == (1, f"{BINS} – Coventry – Council digital service assessments")
    assert "Head of Waste" in html
    assert f'href="{url("edit_service", "cov", bins.pk)}#id_name"' in html
    assert "No one has assessed this service yet." in html
    assert f'href="{url("start_assessment", "cov", bins.pk)}"' in html
    assert "Retire this service" in html


def test_coordinators_see_a_service_without_change_or_start_links(client_for, coordinator, bins):
    html = client_for(coordinator).get(url("service_detail", "cov", bins.pk)).content.decode()
    assert BINS in html
    assert "/edit/" not in html
    assert "Start an assessment" not in html
    assert "Retire this service" not in html


def test_service_page_lists_assessments_newest_first_and_continues_a_draft(
    client_for, coventry_lead, bins, standard
):
    old = make_assessment(
        bins, standard, Status.SUBMITTED, created_at=timezone.now().replace(year=2024)
    )
    draft = make_assessment(bins, standard)
    html = client_for(coventry_lead).get(url("service_detail", "cov", bins.pk)).content.decode()
    assert html.index(url("assessment", "cov", draft.pk)) < html.index(
        url("assessment", "cov", old.pk)
    )
    assert (
        f'<a class="govuk-link" href="{url("assessment", "cov", draft.pk)}">Continue the assessment</a>'
        in html
    )
    assert "Start an assessment" not in html
    assert "Submitted for peer review" in html
    assert "No one has assessed this service yet." not in html


def test_a_retired_service_page_offers_to_bring_it_back(client_for, coventry_lead, bins):
    Service.objects.filter(pk=bins.pk).update(retired_at=timezone.now())
    html = client_for(coventry_lead).get(url("service_detail", "cov", bins.pk)).content.decode()
    assert "Coventry retired this service on" in html
    assert "Bring this service back" in html
    assert "/edit/" not in html
    assert "Start an assessment" not in html


# --- Retiring and bringing back ---------------------------------------------------


def test_member_retires_a_service_and_brings_it_back(client_for, coventry_contributor, bins):
    client = client_for(coventry_contributor)
    address = url("retire_service", "cov", bins.pk)
    response = client.post(address, {"action": "retire"})
    assert response["Location"] == url("service_detail", "cov", bins.pk)
    bins.refresh_from_db()
    retired_at = bins.retired_at
    assert retired_at is not None
    assert f"{BINS} has been retired" in client.get(response["Location"]).content.decode()

    client.post(address, {"action": "retire"})  # sent twice
    bins.refresh_from_db()
    assert bins.retired_at == retired_at

    page = client.get(address).content.decode()
    assert f"Are you sure you want to bring {BINS} back?" in page
    response = client.post(address, {"action": "restore"})
    bins.refresh_from_db()
    assert bins.retired_at is None
    assert f"{BINS} has been brought back" in client.get(response["Location"]).content.decode()


def test_a_service_cannot_come_back_while_another_uses_its_name(client_for, coventry_lead, bins):
    Service.objects.filter(pk=bins.pk).update(retired_at=timezone.now())
    ServiceFactory(council=bins.council, name=BINS.lower())
    client = client_for(coventry_lead)
    address = url("retire_service", "cov", bins.pk)
    page = client.get(address)
    assert page.status_code == 409
    assert f"You cannot bring {BINS} back yet" in page.content.decode()
    assert client.post(address, {"action": "restore"}).status_code == 409
    bins.refresh_from_db()
    assert bins.is_retired


def test_retiring_needs_to_say_what_to_do(client_for, coventry_lead, bins):
    response = client_for(coventry_lead).post(url("retire_service", "cov", bins.pk), {})
    assert response.status_code == 400
    bins.refresh_from_db()
    assert not bins.is_retired


def test_every_services_page_has_one_h1_and_its_own_title(client_for, coventry_lead, bins):
    client = client_for(coventry_lead)
    retired = ServiceFactory(council=bins.council, name="Old", retired_at=timezone.now())
    titles = set()
    for address in [
        url("service_list", "cov"),
        url("add_service", "cov"),
        url("service_detail", "cov", bins.pk),
        url("edit_service", "cov", bins.pk),
        url("retire_service", "cov", bins.pk),
        url("retire_service", "cov", retired.pk),
    ]:
        h1_count, title = outline(client.get(address))
        assert h1_count == 1, address
        assert title not in titles, address
        titles.add(title)


# --- The admin --------------------------------------------------------------------


def test_coordinator_curates_suppliers_products_and_services_in_the_admin(
    client_for, coordinator, bins, product
):
    suggested = ServiceFactory(
        council=bins.council,
        name="Garden waste",
        sourcing=Sourcing.BOUGHT,
        suggested_supplier="Acme Software",
        suggested_product="Bins Pro",
    )
    client = client_for(coordinator)
    for name in ["supplier", "product", "service"]:
        assert client.get(reverse(f"admin:assessments_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:assessments_{name}_add")).status_code == 200
    for name, obj in [("supplier", product.supplier), ("product", product), ("service", bins)]:
        assert (
            client.get(reverse(f"admin:assessments_{name}_change", args=[obj.pk])).status_code
            == 200
        )
        assert (
            client.get(reverse(f"admin:assessments_{name}_delete", args=[obj.pk])).status_code
            == 403
        )

    changelist = reverse("admin:assessments_service_changelist")
    html = client.get(changelist, {"suggested": "yes"}).content.decode()
    assert "Bins Pro" in html
    assert suggested.name in html
    assert BINS not in html
    for filters in [{"retired": "yes"}, {"retired": "no"}, {"q": "Coventry"}, {"phase": "beta"}]:
        assert client.get(changelist, filters).status_code == 200
    products = client.get(reverse("admin:assessments_product_changelist"), {"q": "Bartec"})
    assert "Collective" in products.content.decode()


def test_council_members_cannot_use_the_services_admin(client_for, coventry_lead):
    response = client_for(coventry_lead).get(reverse("admin:assessments_service_changelist"))
    assert response.status_code == 302


def test_a_coordinators_change_in_the_admin_is_not_saved_over_by_an_older_form(
    client_for, coordinator, coventry_lead, bins, product
):
    opened = edit_answers(bins, owner="Stale owner")
    response = client_for(coordinator).post(
        reverse("admin:assessments_service_change", args=[bins.pk]),
        {
            "council": bins.council.pk,
            "name": bins.name,
            "phase": bins.phase,
            "sourcing": Sourcing.BOUGHT,
            "product": product.pk,
            "owner": "Head of Waste",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    bins.refresh_from_db()
    assert (bins.product, bins.revision) == (product, 1)

    refused = client_for(coventry_lead).post(url("edit_service", "cov", bins.pk), opened)
    assert CONFLICT in refused.content.decode()
    bins.refresh_from_db()
    assert (bins.product, bins.owner) == (product, "Head of Waste")
