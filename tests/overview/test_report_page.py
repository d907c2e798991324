"""The report page: each table beside its chart; "asked / offered" as two bars per name."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from newcomers.models import Referral
from tests.factories import MentorFactory, ReferralFactory
from willkommen.core.vocabularies import Language
from willkommen.overview.reports import Table
from willkommen.overview.views import _chart

ZONE = timezone.get_default_timezone()


def bars(chart):
    return [[(bar["width"], bar["hatched"]) for bar in row["bars"]] for row in chart["rows"]]


def test_chart_draws_asked_and_offered_as_two_bars_on_one_scale():
    table = Table("languages", "Sprachen", [("Tigrinya", (3, 0)), ("Arabic", (2, 1)),
                                            ("English", (0, 6))])  # fmt: skip
    chart = _chart(table)
    assert chart["grouped"]
    assert bars(chart) == [
        [(150, False), (0, True)],
        [(100, False), (50, True)],
        [(0, False), (300, True)],
    ]


def test_chart_draws_one_bar_per_figure_and_none_for_a_missing_median():
    chart = _chart(Table("tandems", "Tandems", [("started", 4), ("median", "–"), ("ended", 8)]))
    assert not chart["grouped"]
    assert bars(chart) == [[(150, False)], [(0, False)], [(300, False)]]


def test_chart_shows_a_small_figure_beside_a_large_one():
    chart = _chart(Table("districts", "Bezirke", [("Mitte", (1, 0)), ("West", (1000, 0))]))
    assert bars(chart)[0] == [(1, False), (0, True)]


def test_report_page_shows_grouped_bars_beside_the_numbers(coordinator_client):
    for _ in range(3):
        referral = ReferralFactory(languages=["ti"])
        Referral.objects.filter(pk=referral.pk).update(
            created_at=datetime(2021, 5, 1, 10, 0, tzinfo=ZONE)
        )
    MentorFactory(status="ready", languages=[("ti", "native")])

    response = coordinator_client.get(reverse("reports") + "?year=2021")

    html = response.content.decode()
    chart = html[html.index('aria-labelledby="chart-languages-title') :]
    chart = chart[: chart.index("</svg>")]
    assert chart.count('class="bar"') == 2  # the legend's swatch and the bar "asked"
    assert chart.count('class="bar-offered" fill="url(#hatch-languages)"') == 2
    assert ">gefragt</text>" in chart and ">angeboten</text>" in chart  # the legend, in words
    assert 'width="300"' in chart and 'width="100"' in chart  # 3 asked, 1 offered
    with translation.override("de"):
        tigrinya = str(Language.TIGRINYA.label)
    row = f'<th scope="row">{tigrinya}</th><td class="text-end">3</td><td class="text-end">1</td>'
    assert row in html
    assert "style=" not in html  # the content security policy allows no inline style


@pytest.mark.parametrize(
    "query", ["start=0001-01-01&end=9999-12-31", "start=9999-12-31&end=9999-12-31", "year=abc"]
)
def test_report_page_answers_for_any_period(coordinator_client, query):
    assert coordinator_client.get(reverse("reports") + "?" + query).status_code == 200
