from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "callviewer.projects"
    label = "projects"
    verbose_name = "Projects and provider credentials"
