from django.apps import AppConfig


class OverviewConfig(AppConfig):
    """The composition on top of every app: dashboard, reports, demo data."""

    name = "willkommen.overview"
    label = "overview"
    verbose_name = "Willkommen – Übersicht"
