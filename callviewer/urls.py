from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from callviewer import views
from callviewer.projects import views as project_views

handler500 = "callviewer.views.server_error"

admin.site.site_header = "callviewer administration"
admin.site.site_title = "callviewer admin"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("projects/", project_views.project_list, name="project_list"),
    path("preferences/", project_views.preferences, name="preferences"),
    path("calls/", include("callviewer.calls.urls")),
    path("", views.home, name="home"),
]
