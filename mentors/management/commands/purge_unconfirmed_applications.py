from django.core.management.base import BaseCommand

from mentors.services import mentors_purge_unconfirmed


class Command(BaseCommand):
    help = (
        "Delete applications whose confirmation link has expired "
        "(run once a day by a timer, e.g. a systemd timer or cron)."
    )

    def handle(self, *args, **options):
        deleted = mentors_purge_unconfirmed()
        self.stdout.write(f"{deleted} unconfirmed applications deleted")
