"""Emails the service could not send (yet), for coordinators, who can send them again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from assessments.models import Notification, NotificationStatus
from assessments.notifications import send_again

SHOWN = 200  # the newest of each list; more than this means the email server needs a look


def _check(request):
    if not request.user.has_perm("assessments.manage_emails"):
        raise PermissionDenied


@login_required
@require_safe
def email_list(request):
    _check(request)
    unsent = Notification.objects.unsent().order_by("-created_at", "-pk")
    return render(
        request,
        "assessments/outbox/email_list.html",
        {
            "failed": unsent.filter(status=NotificationStatus.FAILED)[:SHOWN],
            "pending": unsent.filter(status=NotificationStatus.PENDING)[:SHOWN],
        },
    )


@login_required
@require_POST
def send_email_again(request, pk):
    _check(request)
    notification = get_object_or_404(Notification, pk=pk)
    if send_again(notification, by=request.user):
        messages.success(request, f"The email to {notification.email} will be sent again")
    else:
        messages.info(request, f"The email to {notification.email} is already being sent")
    return redirect("assessments:email_list")
