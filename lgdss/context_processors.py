from django.conf import settings


def service(request):
    """What every page needs to know about the service itself."""
    return {
        "service_name": settings.SERVICE_NAME,
        "feedback_email": settings.FEEDBACK_EMAIL,
        "invitation_days": settings.INVITATION_DAYS,
        "read_only": settings.READ_ONLY,
    }
