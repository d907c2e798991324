"""The project's settings in development mode, with a fast password hasher for the tests."""

import os

os.environ.setdefault("DEBUG", "true")

from willkommen.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Mails reach the locmem outbox right after commit, so that tests read them at once; the
# worker's own tests switch this off, as production has it.
MAIL_SEND_ON_COMMIT = True

# Several test runs at once on one server (helpers, a second checkout) each need their own
# test database: TEST_DB_SUFFIX=a make test.
if suffix := os.environ.get("TEST_DB_SUFFIX"):
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{suffix}"}  # noqa: F405
