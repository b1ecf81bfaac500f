"""The site's addresses and two pages with faults on purpose, for proving that the checks
on every page (tests/browser/conftest.py) find them wherever the browser meets them."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

# An image without alternative text: axe's image-alt, and an error to the Nu HTML Checker.
FAULTY = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>A page with a fault</title></head>
<body><main><h1>A page with a fault</h1><img src="/static/images/favicon.svg">
<form method="post" action="/faulty/send/"><button>Send</button></form></main></body></html>"""


def faulty(request):
    return HttpResponse(FAULTY)


@csrf_exempt
def send(request):
    return redirect("/faulty/after-sending/")


urlpatterns = [
    path("faulty/", faulty),
    path("faulty/after-sending/", faulty),
    path("faulty/send/", send),
    path("", include("lgdss.urls")),
]
