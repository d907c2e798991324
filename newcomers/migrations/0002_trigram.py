from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    # Similar names point coordinators to possible duplicate referrals.
    dependencies = [("newcomers", "0001_initial")]
    operations = [TrigramExtension()]
