from typing import Any

from django.apps import AppConfig
from django.http import HttpRequest


class ProjectsConfig(AppConfig):
    name = "callviewer.projects"
    label = "projects"
    verbose_name = "Projects and provider credentials"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(browser_zone_on_sign_in, dispatch_uid="callviewer-browser-zone")


def browser_zone_on_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kw: Any) -> None:
    """On an agent's first sign-in, their time zone becomes the browser's (sent by the sign-in
    form: static/js/time_zone.js), and the page they land on says so."""
    from django.contrib import messages

    from .models import adopt_browser_zone

    if request is None or request.method != "POST":
        return
    if zone := adopt_browser_zone(user, str(request.POST.get("time_zone", ""))):
        request.session["tz"] = zone
        messages.info(
            request,
            f"Times are shown in {zone}, your browser's time zone. You can change it in "
            "Preferences.",
        )
