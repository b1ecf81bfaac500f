"""Presenter helpers for council pages: wording and page links, kept out of templates."""

from urllib.parse import urlencode

from django import template
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.filter
def population(value):
    """A population with thousands separators, or "Not known"."""
    return "Not known" if value is None else f"{value:,}"


@register.filter
def council_links(councils):
    """Links to councils' pages, as a list in words: "A, B and C"."""
    links = [
        format_html('<a class="govuk-link" href="{}">{}</a>', c.get_absolute_url(), c.short_name)
        for c in councils
    ]
    if len(links) < 2:
        return links[0] if links else ""
    return format_html(
        "{} and {}", format_html_join(", ", "{}", ((link,) for link in links[:-1])), links[-1]
    )


@register.simple_tag
def results_count(page):
    """'Showing 1 to 50 of 385 councils', or 'Showing 3 councils' when they fit on one page."""
    total = page.paginator.count
    noun = "council" if total == 1 else "councils"
    if page.paginator.num_pages == 1:
        return f"Showing {total} {noun}"
    return f"Showing {page.start_index()} to {page.end_index()} of {total} {noun}"


@register.simple_tag
def page_of(page):
    """ " (page 2 of 5)" for the title of a page of a list that needs more than one, so
    that each page's title is its own; nothing when the list fits on one page."""
    if page.paginator.num_pages == 1:
        return ""
    return f" (page {page.number} of {page.paginator.num_pages})"


@register.inclusion_tag("assessments/councils/_pagination.html")
def pagination(page, params):
    """Links for the GOV.UK pagination component, keeping the search and filters in `params`
    ({name: value}, or {name: [values]} for a filter with several)."""

    def href(number):
        return "?" + urlencode({**params, "page": number}, doseq=True)

    items = [
        {"ellipsis": True}
        if number == Paginator.ELLIPSIS
        else {"number": number, "href": href(number), "current": number == page.number}
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    ]
    return {
        "show": page.paginator.num_pages > 1,
        "items": items,
        "previous": href(page.previous_page_number()) if page.has_previous() else None,
        "next": href(page.next_page_number()) if page.has_next() else None,
    }


@register.inclusion_tag("includes/breadcrumbs.html", takes_context=True)
def council_breadcrumbs(context, council=None, *, services=False, service=None, assessment=None):
    """Breadcrumbs down to the page above this one: Home, Councils, the council, its
    Digital services, the service, the assessment. Give the deepest of them:

    `{% council_breadcrumbs %}`: down to Councils
    `{% council_breadcrumbs council services=True %}`: down to the council's services
    `{% council_breadcrumbs service=assessment.service %}`: down to the service

    The council's services and the service are left out for someone who may not open
    them: a reviewer sees the assessments they review, not the council's other pages.
    """
    if assessment:
        service = assessment.service
    if service:
        council, services = service.council, True
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if council and user is not None and not user.has_perm("assessments.view_services", council):
        services, service = False, None
    crumbs = [("Home", reverse("home")), ("Councils", reverse("assessments:council_directory"))]
    if council:
        crumbs.append((council.short_name, council.get_absolute_url()))
    if services:
        crumbs.append(("Digital services", reverse("assessments:service_list", args=[council])))
    if service:
        crumbs.append((service.name, service.get_absolute_url()))
    if assessment:
        address = reverse("assessments:assessment", args=[council, assessment.pk])
        crumbs.append(("Assessment", address))
    return {"crumbs": crumbs}
