from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from willkommen.overview.privacy.backup import database_restore


class Command(BaseCommand):
    help = (
        "Replace the database's contents by a backup made with db_backup. Afterwards run "
        "apply_retention, and repeat every erasure made since the backup (docs/datenschutz.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--yes", action="store_true", help="really overwrite the current database"
        )

    def handle(self, *args, file, yes=False, **options):
        if not yes:
            raise CommandError(
                "This overwrites the whole database with the backup. Add --yes to go ahead."
            )
        database_restore(file)
        self.stdout.write(
            f"Restored from {file}. Now run `manage.py apply_retention` and repeat every "
            "erasure made since the backup was taken."
        )
