import pghistory
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from willkommen.core.roles import Role
from willkommen.core.services import AccountExists, user_create

ROLES = {"koordination": Role.COORDINATOR, "welcome-center": Role.ADVISOR}


class Command(BaseCommand):
    help = "Create an account with a role and e-mail the person a link to set their password."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--role", required=True, choices=sorted(ROLES))
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args, email, role, first_name, last_name, **options):
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"Not a valid e-mail address: {email}") from error
        try:
            with pghistory.context(command="create_user"):
                user = user_create(
                    email=email, role=ROLES[role], first_name=first_name, last_name=last_name
                )
        except AccountExists as error:
            raise CommandError(f"An account for {email} exists already.") from error
        self.stdout.write(
            self.style.SUCCESS(f"Created {user.email} ({ROLES[role].label}); password link sent.")
        )
