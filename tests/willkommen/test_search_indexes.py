"""The searches and the duplicate check are answered by their trigram indexes: the query must
compare the very expression the index holds (willkommen.core.search), or PostgreSQL reads every
row."""

import pytest
from django.db import connection

from mentors.models import Mentor
from mentors.selectors import mentors_searched
from newcomers.selectors import possible_duplicates, referrals_for_queue
from tests.factories import ReferralFactory


@pytest.fixture
def many_referrals(db):
    """5,000 open referrals with names that share few trigrams: reading them all would cost
    more than the index, as it does at a city's scale."""
    first = ReferralFactory(first_name="Olena", last_name="Kovalenko")
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO newcomers_referral (advisor_id, first_name, last_name, phone, email,
                 languages, german_level, country_of_origin, arrived_on, district, postal_code,
                 adults, children_ages, to_accompany, description, urgency, weekdays,
                 times_of_day, interpreter_language, preferences, notes_for_mentor, consent_on,
                 consent_form_version, consent_form_kept, status, decline_reason, created_at,
                 updated_at)
               SELECT advisor_id, md5(n::text), md5((n + 1)::text), phone, email, languages,
                 german_level, country_of_origin, arrived_on, district, postal_code, adults,
                 children_ages, to_accompany, description, urgency, weekdays, times_of_day,
                 interpreter_language, preferences, notes_for_mentor, consent_on,
                 consent_form_version, consent_form_kept, status, decline_reason, created_at,
                 updated_at
               FROM newcomers_referral, generate_series(1, 5000) AS n WHERE id = %s""",
            [first.pk],
        )
        # what autovacuum does in production: new rows move from GIN's pending list into the index
        cursor.execute("SELECT gin_clean_pending_list('referral_name_trgm')")
        cursor.execute("ANALYZE newcomers_referral")
    return first


@pytest.mark.django_db
def test_mentor_search_uses_the_trigram_indexes():
    with connection.cursor() as cursor:
        for index in ("mentor_name_trgm", "mentor_email_trgm", "mentor_phone_trgm"):
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        # A table this small is cheaper to read whole, or along the name index: forbid both, so
        # that only an index that answers the search itself remains.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = mentors_searched(Mentor.objects.all(), "mül").explain()
    assert {"mentor_name_trgm", "mentor_email_trgm", "mentor_phone_trgm"} <= set(plan.split())


def test_referral_search_uses_the_trigram_index(many_referrals):
    assert "referral_name_trgm" in referrals_for_queue(filters={"q": "kovalen"}).explain()


def test_duplicate_check_uses_the_trigram_index(many_referrals):
    similar = ReferralFactory(first_name="Olena", last_name="Kowalenko")
    assert "referral_name_trgm" in possible_duplicates(many_referrals).explain()
    assert list(possible_duplicates(many_referrals)) == [similar]
