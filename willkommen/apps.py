from django.apps import AppConfig
from django.db.models.signals import post_migrate


class WillkommenConfig(AppConfig):
    name = "willkommen"
    verbose_name = "Willkommen"

    def ready(self):
        from willkommen.reference_data import create_support_areas
        from willkommen.roles import sync_role_groups

        post_migrate.connect(sync_role_groups, dispatch_uid="willkommen.sync_role_groups")
        post_migrate.connect(create_support_areas, dispatch_uid="willkommen.support_areas")
