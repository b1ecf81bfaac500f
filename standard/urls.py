from django.urls import path

from standard import views

app_name = "standard"

urlpatterns = [
    path("", views.point_list, name="point_list"),
    path("about/", views.about, name="about"),
    path("<int:number>/", views.point_detail, name="point_detail"),
]
