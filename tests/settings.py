"""The project's settings in development mode, with a fast password hasher for the tests."""

import os

os.environ.setdefault("DEBUG", "true")

from willkommen.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
