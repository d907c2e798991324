"""Log records as the server's log collector reads them, and error mails without personal data."""

import json
import logging
from datetime import UTC, datetime

from django.utils.log import AdminEmailHandler


class JsonLineFormatter(logging.Formatter):
    """One JSON object per line: a traceback stays inside its record instead of spilling over
    dozens of lines that the collector would take for records of their own."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # Django's request loggers say which request failed and how.
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "method"):
            line["method"] = request.method
            line["path"] = request.path
        if hasattr(record, "status_code"):
            line["status"] = record.status_code
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class AdminMailHandler(AdminEmailHandler):
    """Mails ADMINS the error and its traceback. Django's own handler adds the request's data and
    every frame's local variables, which here would be migrants' and volunteers' personal data."""

    def emit(self, record: logging.LogRecord) -> None:
        subject = self.format_subject(f"{record.levelname}: {record.getMessage()}")
        body = logging.Formatter("%(levelname)s %(name)s: %(message)s").format(record)
        self.send_mail(subject, body, fail_silently=True)
