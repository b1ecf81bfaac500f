from django.http import Http404


def member_list(request, code):
    raise Http404


def invite_member(request, code):
    raise Http404


def remove_member(request, code, pk):
    raise Http404


def invitation_list(request):
    raise Http404


def invite_anyone(request):
    raise Http404


def accept_invitation(request, token):
    raise Http404
