from django.http import Http404


def sign_in(request):
    raise Http404


def sign_out(request):
    raise Http404


def account(request):
    raise Http404


def change_password(request):
    raise Http404


def password_reset(request):
    raise Http404


def password_reset_sent(request):
    raise Http404


def password_reset_confirm(request, uidb64, token):
    raise Http404


def password_reset_done(request):
    raise Http404
