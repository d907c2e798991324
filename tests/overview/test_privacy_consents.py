"""Every consent text people agreed to is kept, word for word, under its version."""

import base64
import json

import pytest
from django.conf import settings

from mentors.services import confirmation_token
from newcomers.services import CONSENT_FORM_VERSION
from tests.factories import MentorFactory
from willkommen.overview.privacy.consents import ConsentText, consent_text_files

TEMPLATES = settings.BASE_DIR / "templates" / "willkommen"


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_privacy_notice_shown_is_the_archived_text_of_its_version(language):
    archived = consent_text_files(ConsentText.PRIVACY_NOTICE, settings.PRIVACY_NOTICE_VERSION)
    assert language in archived, "archive the notice of this version (consent_texts/README.md)"
    assert (TEMPLATES / f"privacy_{language}.html").read_text() == archived[language].read_text(), (
        "The privacy notice changed: raise PRIVACY_NOTICE_VERSION and archive the new text "
        "in willkommen/overview/privacy/consent_texts/privacy-notice/<version>/"
    )


def test_the_referral_consent_of_the_current_version_is_archived():
    assert consent_text_files(ConsentText.REFERRAL_CONSENT, CONSENT_FORM_VERSION)


def test_an_unknown_kind_or_version_has_no_text():
    assert consent_text_files("privacy-notice", "../../registry.py") == {}
    assert consent_text_files("something", "2026-11") == {}


def _readable(token: str) -> str:
    """What anyone can read from a signed value without the key."""
    payload = token.split(":")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return json.dumps(json.loads(raw))


@pytest.mark.django_db
def test_confirmation_link_carries_no_email_address():
    mentor = MentorFactory(email="leserlich@example.org", email_confirmed_at=None)
    assert "leserlich" not in _readable(confirmation_token(mentor))
