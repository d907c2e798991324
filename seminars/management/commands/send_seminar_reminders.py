from django.core.management.base import BaseCommand

from seminars.services import reminders_send


class Command(BaseCommand):
    help = "Remind registered mentors of upcoming events (run once a day by a timer)."

    def handle(self, *args, **options):
        self.stdout.write(f"{reminders_send()} reminders queued")
