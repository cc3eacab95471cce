from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "callviewer.calls"
    label = "calls"
    verbose_name = "Calls and audit"
