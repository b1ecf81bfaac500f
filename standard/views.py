"""Public pages about the Standard. They show the current version."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from standard.models import StandardVersion


def _current_version():
    try:
        return StandardVersion.objects.current()
    except StandardVersion.DoesNotExist:
        raise Http404("The Standard has not been loaded.") from None


@require_safe
def point_list(request):
    version = _current_version()
    return render(
        request,
        "standard/point_list.html",
        {"version": version, "points": version.points.without_guidance()},
    )


@require_safe
def point_detail(request, number):
    version = _current_version()
    point = get_object_or_404(version.points, number=number)
    neighbours = {p.number: p for p in version.points.filter(number__in=[number - 1, number + 1])}
    return render(
        request,
        "standard/point_detail.html",
        {
            "version": version,
            "point": point,
            "crumbs": [("Home", reverse("home")), ("The Standard", reverse("standard:point_list"))],
            "previous_point": neighbours.get(number - 1),
            "next_point": neighbours.get(number + 1),
        },
    )


@require_safe
def about(request):
    version = _current_version()
    return render(request, "standard/about.html", {"version": version})
