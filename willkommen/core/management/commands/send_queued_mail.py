import signal
import threading

from django.core.management.base import BaseCommand

from willkommen.core.mail import mail_worker_run, mails_send_due


class Command(BaseCommand):
    help = (
        "Deliver queued e-mails. With --loop it keeps running as the mail worker; run as many "
        "workers on as many hosts as you like, each mail goes out once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="keep delivering until stopped (SIGTERM, Ctrl+C)"
        )

    def handle(self, *args, loop=False, **options):
        if not loop:
            sent, failed = mails_send_due()
            self.stdout.write(f"{sent} sent, {failed} failed and will be tried again later")
            return
        stop = threading.Event()
        # A stop request lets the mail in hand finish, so it is not sent twice after a restart.
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        self.stdout.write("Mail worker running (stop with Ctrl+C)")
        mail_worker_run(stop=stop)
        self.stdout.write("Mail worker stopped")
