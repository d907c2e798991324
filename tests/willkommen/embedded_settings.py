"""Settings for a manage.py run on a throwaway embedded server in $WILLKOMMEN_TEST_PGDATA
(tests/willkommen/test_embedded_db.py), so that no test touches the shared .pgdata/."""

import os
from pathlib import Path

os.environ["DATABASE_URL"] = "postgres://localhost/unused"  # keeps the shared server out

from willkommen.embedded_db import database_url  # noqa: E402
from willkommen.settings import *  # noqa: E402, F403

DATABASES = {
    "default": env.db_url_config(database_url(Path(os.environ["WILLKOMMEN_TEST_PGDATA"])))  # noqa: F405
}
