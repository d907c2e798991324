import pghistory
from django.core.management.base import BaseCommand

from willkommen.overview.privacy.retention import retention_apply, retention_due


class Command(BaseCommand):
    help = (
        "Anonymise or delete what has been kept longer than its retention period (RETENTION_* "
        "settings, see docs/datenschutz.md). Run it daily; --dry-run only lists what is due."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="list what is due; change nothing"
        )

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            for due in retention_due():
                numbers = f" (numbers {', '.join(map(str, due.numbers))})" if due.numbers else ""
                self.stdout.write(f"{due.rule.label}: {due.count} due{numbers}")
            self.stdout.write("Dry run: nothing was changed.")
            return
        with pghistory.context(command="apply_retention"):
            done = retention_apply()
        for rule, count in done:
            self.stdout.write(f"{rule.label}: {count} done")
