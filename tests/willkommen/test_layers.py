"""Templates keep the layers too: a lower layer's page never names a higher layer's URL.

import-linter (`lint-imports`, contracts in pyproject.toml) checks the Python imports.
"""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
URL_TAG = re.compile(r"{%\s*url\s+['\"]([\w:]+)['\"]")
OVERVIEW_NAMES = {
    "home",
    "dashboard",
    "reports",
    "report_export",
    "report_workbook",
    "search",
    "mail_failed",
}
# base.html, the start pages and Django's account pages (registration/) are the project's
# frame around every app and may link anywhere.
FORBIDDEN = {
    # template folder: the URL namespaces and names its pages must not use
    "mentors": {"newcomers", "seminars", *OVERVIEW_NAMES},
    "newcomers": {"seminars", *OVERVIEW_NAMES},
    "seminars": {"newcomers", *OVERVIEW_NAMES},
    "includes": {"mentors", "newcomers", "seminars", *OVERVIEW_NAMES},
}


def _named_urls(folder: str) -> list[tuple[str, str]]:
    return [
        (path.name, name)
        for path in (TEMPLATES / folder).rglob("*")
        if path.is_file()
        for name in URL_TAG.findall(path.read_text())
    ]


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_templates_name_no_higher_layer(folder):
    wrong = [
        (template, name)
        for template, name in _named_urls(folder)
        if name.split(":")[0] in FORBIDDEN[folder]
    ]
    assert wrong == []


def test_layer_check_sees_url_tags():
    assert ("mentor_list.html", "mentors:export") in _named_urls("mentors")
