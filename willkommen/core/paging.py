"""Pages of long lists that cost as little on the last page as on the first."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


def page_of(queryset: QuerySet, number, *, per_page: int) -> Page:
    """Page `number` of `queryset`, paginated first and read second: the database sorts and skips
    primary keys alone (from an index), then reads the page's rows with their annotations and
    prefetched relations. Costly columns, such as a mentor's derived status, are computed for the
    page's rows only, not for every row skipped on the way to page 400."""
    page = Paginator(queryset.values_list("pk", flat=True), per_page).get_page(number)
    rows = queryset.in_bulk(list(page.object_list))
    page.object_list = [rows[pk] for pk in page.object_list]
    return page
