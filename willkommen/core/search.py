"""Substring search and similar names that an index answers: trigram GIN indexes (pg_trgm).

Django's `icontains` compares UPPER(column::text) LIKE UPPER('%text%'); PostgreSQL uses an index
only for that very expression. Models declare their indexes with `trigram_index` and queries
search with `full_name()` and `icontains` (or `trigram_similar` on `upper_text(...)`), so both
sides are written once, here. tests/willkommen/test_search_indexes.py checks that the indexes
are used.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db.models import CharField, Func, TextField, Value
from django.db.models.functions import Cast, Concat, Lower, Replace, Upper


def full_name() -> Concat:
    """ "First Last", as people type a name into a search box."""
    return Concat("first_name", Value(" "), "last_name")


def upper_text(expression) -> Upper:
    """The expression as `icontains` compares it."""
    return Upper(Cast(expression, output_field=TextField()))


def trigram_index(expression, *, name: str) -> GinIndex:
    return GinIndex(OpClass(upper_text(expression), name="gin_trgm_ops"), name=name)


def german_order(field: str) -> Lower:
    """A name as a German phone book sorts it (DIN 5007-1): case ignored, Ä as A, Ö as O, Ü as
    U, ß as ss — "Hänel" before "Hoffmann". An expression, not an ICU collation, because the
    embedded PostgreSQL is built without ICU. Sort indexes use the same expression."""
    return Lower(
        Replace(Translate(field, Value("ÄÖÜäöü"), Value("AOUaou")), Value("ß"), Value("ss"))
    )


class Translate(Func):
    function = "translate"
    output_field = CharField()
