from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "callviewer.sandbox"
    label = "sandbox"
    verbose_name = "Provider simulator"
