"""Reference data every installation starts with, created after every `migrate`.

Like Django's permissions, this runs on post_migrate rather than in a data migration, so a
database flushed by a test gets it back. Existing rows are left as coordinators edited them.
"""

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
    for position, (slug, name, name_en) in enumerate(SUPPORT_AREAS):
        SupportArea.objects.using(using).get_or_create(
            slug=slug, defaults={"name": name, "name_en": name_en, "position": position}
        )
