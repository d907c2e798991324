from django.core.management.base import BaseCommand

from willkommen.core.mail import mails_send_queued


class Command(BaseCommand):
    help = "Send queued e-mails that could not be sent yet (run every few minutes by a timer)."

    def handle(self, *args, **options):
        sent, failed = mails_send_queued()
        self.stdout.write(f"{sent} sent, {failed} still waiting")
