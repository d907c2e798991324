from django.core.management.base import BaseCommand

from willkommen.overview.engagement import engagement_mail_send


class Command(BaseCommand):
    help = (
        "Send the mentors' engagement mails that are due: the monthly question about hours, "
        "check-ins on tandems, and police certificate renewal reminders (run daily by a timer). "
        "Each mail goes out once, however many runs at the same time."
    )

    def handle(self, *args, **options):
        self.stdout.write(str(engagement_mail_send()))
