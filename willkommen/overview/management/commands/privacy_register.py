from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import translation

from willkommen.overview.privacy.register import register_markdown


class Command(BaseCommand):
    help = (
        "Write the record of processing activities (Art. 30 GDPR), generated from the registry "
        "of personal data, as Markdown: to standard output or --output FILE."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="file to write (default: standard output)")
        parser.add_argument("--language", default="de", help="de (default) or en")

    def handle(self, *args, output=None, language="de", **options):
        with translation.override(language):
            text = register_markdown()
        if output:
            Path(output).write_text(text)
            self.stdout.write(f"Written to {output}")
        else:
            self.stdout.write(text, ending="")
