"""Parts every page shares: the error summary and the breadcrumbs, one include each."""

import re
from pathlib import Path

from django import forms
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse

from assessments import services
from tests.factories_services import ServiceFactory

ROOT = Path(settings.BASE_DIR)


def rendered(template, **context):
    return Template("{% load site %}" + template).render(Context(context))


def summary_links(html):
    """The (address, message) pairs in the page's error summary."""
    summary = html.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="([^"]*)">([^<]*)</a>', summary)


def breadcrumbs(html):
    """The (label, address) pairs in the page's breadcrumbs."""
    nav = html.split('class="govuk-breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    return [(label, href) for href, label in re.findall(r'href="([^"]*)">([^<]*)</a>', nav)]


def test_error_summary_and_breadcrumbs_markup_is_written_once():
    templates = [
        path
        for folder in ["templates", "assessments/templates", "standard/templates"]
        for path in (ROOT / folder).rglob("*.html")
    ]
    for component, include in [
        ('class="govuk-error-summary"', "templates/includes/error_summary.html"),
        ('class="govuk-breadcrumbs"', "templates/includes/breadcrumbs.html"),
    ]:
        writing_it = [str(p.relative_to(ROOT)) for p in templates if component in p.read_text()]
        assert writing_it == [include]


# --- The error summary -------------------------------------------------------------------


class Answers(forms.Form):
    name = forms.CharField()
    colour = forms.ChoiceField(choices=[("red", "Red"), ("blue", "Blue")], widget=forms.RadioSelect)

    def clean(self):
        raise forms.ValidationError("Something about the whole form")


class Row(forms.Form):
    title = forms.CharField()


class Rows(forms.BaseFormSet):
    item_name = "Row"

    def clean(self):
        raise forms.ValidationError("Something about all the rows")


def test_the_summary_links_each_error_to_the_input_to_correct():
    form = Answers({})
    rows = forms.formset_factory(Row, formset=Rows)(
        {"rows-TOTAL_FORMS": "2", "rows-INITIAL_FORMS": "2", "rows-0-title": "Kept"},
        prefix="rows",
    )

    html = rendered("{% error_summary form rows %}", form=form, rows=rows)

    assert summary_links(html) == [
        ("#id_name", "Something about the whole form"),  # the first field
        ("#id_name", "This field is required."),
        ("#id_colour_1", "This field is required."),  # radios: the first option
        ("#rows", "Something about all the rows"),
        ("#id_rows-1-title", "Row 2: This field is required."),
    ]


def test_a_view_may_link_errors_about_the_whole_form_elsewhere():
    form = Answers({"name": "Ann", "colour": "red"})
    form.non_field_anchor = "#saved-version"

    html = rendered("{% error_summary form %}", form=form)

    assert summary_links(html) == [("#saved-version", "Something about the whole form")]


def test_no_errors_no_summary():
    html = rendered("{% error_summary form %}", form=Row({"title": "Fine"}))

    assert html.strip() == ""


def test_the_summary_can_list_problems_that_are_not_a_forms_with_a_sentence_above():
    html = rendered(
        '{% error_summary errors=problems description="Fix these first." %}',
        problems=[("/points/4/", "Point 4: score this point")],
    )

    assert summary_links(html) == [("/points/4/", "Point 4: score this point")]
    assert '<p class="govuk-body">Fix these first.</p>' in html


# --- The breadcrumbs -------------------------------------------------------------------


def test_council_pages_show_the_way_down_from_home(client_for, coventry_lead, coventry, standard):
    service = ServiceFactory(council=coventry, name="Pay for parking")
    assessment = services.start_assessment(service, by=coventry_lead, phase="beta")
    client = client_for(coventry_lead)
    top = [("Home", "/"), ("Councils", "/councils/")]
    council = [*top, ("Coventry", "/councils/cov/")]
    services_page = [*council, ("Digital services", "/councils/cov/services/")]
    service_page = [*services_page, ("Pay for parking", f"/councils/cov/services/{service.pk}/")]
    assessment_page = reverse("assessments:assessment", args=[coventry, assessment.pk])

    for address, expected in [
        ("/councils/cov/", top),
        ("/councils/cov/members/", council),
        ("/councils/cov/services/", council),
        (service_page[-1][1], services_page),
        (assessment_page, service_page),
        (f"{assessment_page}points/1/", [*service_page, ("Assessment", assessment_page)]),
    ]:
        assert breadcrumbs(client.get(address).content.decode()) == expected, address


def test_a_point_of_the_standard_shows_the_way_down_from_home(client, standard):
    html = client.get(reverse("standard:point_detail", args=[1])).content.decode()

    assert breadcrumbs(html) == [("Home", "/"), ("The Standard", "/standard/")]


# --- Tables --------------------------------------------------------------------------------


def test_every_table_scrolls_in_its_own_region_named_by_its_caption():
    templates = [
        path
        for folder in ["templates", "assessments/templates", "standard/templates"]
        for path in (ROOT / folder).rglob("*.html")
    ]
    with_tables = [p for p in templates if "<table" in p.read_text()]
    assert with_tables
    for path in with_tables:
        text = path.read_text()
        regions = re.findall(
            r"{% table_region (\S+) %}<table[^>]*>\s*<caption id=\"([^\"]+)\"", text
        )
        assert len(regions) == text.count("<table"), path
        for argument, caption_id in regions:
            assert argument.strip('"') == caption_id.strip("{} "), path


def test_a_table_region_is_labelled_by_the_caption_and_can_be_reached_by_keyboard():
    html = rendered(
        '{% table_region name %}<table><caption id="{{ name }}">Councils</caption></table>'
        "{% endtable_region %}",
        name="councils-caption",
    )
    assert html == (
        '<div class="app-table-wrapper" role="region" aria-labelledby="councils-caption" '
        'tabindex="0"><table><caption id="councils-caption">Councils</caption></table></div>'
    )
