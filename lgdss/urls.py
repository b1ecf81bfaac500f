from django.contrib import admin
from django.urls import include, path

from assessments.api import api, not_found
from assessments.views import insight
from lgdss import session_views, views

urlpatterns = [
    path("", views.home, name="home"),
    # Beside the Standard's pages, but about assessments, which `standard` knows nothing of.
    path("standard/scoring/", views.scoring, name="scoring"),
    # Each point's national picture, linked from the point's page (assessments.views.insight).
    path("standard/<int:number>/national-picture/", insight.point_picture, name="point_picture"),
    path(
        "standard/<int:number>/national-picture.csv",
        insight.point_picture_csv,
        name="point_picture_csv",
    ),
    path("standard/", include("standard.urls")),
    path("", include("assessments.urls")),
    # The read-only JSON API of the public record, described at /api/v1/openapi.json.
    path("api/v1/", api.urls),
    path("api/<path:unknown>", not_found, name="api_not_found"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("cookies/", views.cookies, name="cookies"),
    path("csp-reports/", views.csp_report, name="csp_report"),
    path("admin/", admin.site.urls),
    path("session/extend/", session_views.extend_session, name="session_extend"),
    path("session/end/", session_views.end_session, name="session_end"),
]

handler400 = "lgdss.views.bad_request"
handler403 = "lgdss.views.permission_denied"
handler404 = "lgdss.views.page_not_found"
handler500 = "lgdss.views.server_error"
