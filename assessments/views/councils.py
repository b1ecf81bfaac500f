from django.http import Http404


def directory(request):
    raise Http404


def detail(request, code):
    raise Http404


def record_adoption(request, code):
    raise Http404
