from pathlib import Path

from django.core.management.base import BaseCommand

from willkommen.overview.privacy.backup import database_backup


class Command(BaseCommand):
    help = (
        "Back up the whole database to FILE (pg_dump's custom format). The file holds personal "
        "data: keep it encrypted and access-restricted (docs/datenschutz.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        database_backup(file)
        self.stdout.write(f"Backup written to {file}")
