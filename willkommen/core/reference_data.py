"""Reference data every installation starts with, created after every `migrate`.

Like Django's permissions, this runs on post_migrate rather than in a data migration, so a
database flushed by a test gets it back. Existing rows are left as coordinators edited them:
an area is found by its slug, which never changes, so a renamed or retired area stays renamed
or retired. An area is not created when one of its names is taken by another area (one a
coordinator added, or renamed to it): the names are unique, and the coordinators' list wins.
"""

from django.db.models import Q
from django.db.models.signals import post_migrate

# The programme's four areas first, then those coordinators said they need (PRODUCT.md).
SUPPORT_AREAS = [
    ("authorities", "Begleitung zu Ämtern", "Accompanying to authorities"),
    ("german", "Deutsch sprechen und üben", "Speaking and practising German"),
    ("jobs", "Jobsuche und Bewerbungen", "Job search and applications"),
    (
        "first-steps",
        "Erste Schritte in Stuttgart (Alltag, Orientierung)",
        "First steps in Stuttgart (everyday life, orientation)",
    ),
    ("housing", "Wohnungssuche", "Finding a home"),
    ("school", "Schule und Kita", "School and daycare"),
    ("leisure", "Freizeit und Kontakte", "Leisure and making contacts"),
]


def create_support_areas(sender=None, *, apps=None, using="default", **kwargs):
    from django.apps import apps as current_apps

    try:
        SupportArea = (apps or current_apps).get_model("willkommen", "SupportArea")
    except LookupError:  # migrating to a state before the table exists
        return
    areas = SupportArea.objects.using(using)
    for position, (slug, name, name_en) in enumerate(SUPPORT_AREAS):
        if areas.filter(Q(slug=slug) | Q(name__iexact=name) | Q(name_en__iexact=name_en)).exists():
            continue
        areas.create(slug=slug, name=name, name_en=name_en, position=position)


# The organisation every installation starts with; new advisors belong to it unless a
# coordinator chooses a partner organisation. Found by its slug, which never changes.
WELCOME_CENTER = "welcome-center"
ORGANISATIONS = [(WELCOME_CENTER, "Welcome Center Stuttgart")]


def create_organisations(sender=None, *, apps=None, using="default", **kwargs):
    """Create the Welcome Center Stuttgart unless it exists (found by its slug), or another
    organisation has its name; like the areas, a renamed or deactivated one stays so."""
    from django.apps import apps as current_apps

    try:
        Organisation = (apps or current_apps).get_model("willkommen", "Organisation")
    except LookupError:  # migrating to a state before the table exists
        return
    organisations = Organisation.objects.using(using)
    for slug, name in ORGANISATIONS:
        if organisations.filter(Q(slug=slug) | Q(name__iexact=name)).exists():
            continue
        organisations.create(slug=slug, name=name)


# Connected here, when WillkommenConfig.ready() imports this module (the same signal and the
# same moment as create_support_areas); the dispatch_uid keeps it to one connection.
post_migrate.connect(create_organisations, dispatch_uid="willkommen.organisations")
