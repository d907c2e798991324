from django.apps import AppConfig
from django.db.models.signals import post_migrate


class WillkommenConfig(AppConfig):
    """The shared kernel: accounts and roles, vocabularies, mail, exports.

    Its label stays "willkommen", the name its tables and migrations have always had.
    """

    name = "willkommen.core"
    label = "willkommen"
    verbose_name = "Willkommen"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from willkommen.core.middleware import stamp_session_at_login
        from willkommen.core.reference_data import create_support_areas
        from willkommen.core.roles import sync_role_groups

        post_migrate.connect(sync_role_groups, dispatch_uid="willkommen.sync_role_groups")
        post_migrate.connect(create_support_areas, dispatch_uid="willkommen.support_areas")
        user_logged_in.connect(stamp_session_at_login, dispatch_uid="willkommen.session_stamps")
