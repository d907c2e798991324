"""Local mail servers for tests: one that accepts and keeps every mail, one that never answers.

Raw sockets and the standard library only (smtpd is gone from Python 3.12), just enough SMTP
for Django's SMTP backend: greeting, EHLO, MAIL, RCPT, DATA, QUIT.
"""

import email
import socket
import socketserver
import threading
import time
from contextlib import contextmanager


class _Session(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self):
        sink = self.server
        with sink.lock:
            sink.open_sessions += 1
            sink.most_sessions_at_once = max(sink.most_sessions_at_once, sink.open_sessions)
        try:
            self.reply("220 sink ready")
            while line := self.rfile.readline():
                command = line.decode().strip().upper()
                if command == "DATA":
                    self.reply("354 end with a dot")
                    lines = []
                    while (data := self.rfile.readline()) not in (b".\r\n", b""):
                        lines.append(data)
                    time.sleep(sink.delay)  # a real server takes a moment too
                    with sink.lock:
                        sink.messages.append(email.message_from_bytes(b"".join(lines)))
                    self.reply("250 queued")
                elif command == "QUIT":
                    self.reply("221 bye")
                    return
                else:  # EHLO, MAIL FROM, RCPT TO, RSET, NOOP
                    self.reply("250 ok")
        finally:
            with sink.lock:
                sink.open_sessions -= 1


class SmtpSink(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self, *, delay: float = 0.0):
        super().__init__(("127.0.0.1", 0), _Session)
        self.delay = delay
        self.lock = threading.Lock()
        self.messages = []
        self.open_sessions = 0
        self.most_sessions_at_once = 0

    @property
    def port(self) -> int:
        return self.server_address[1]


@contextmanager
def smtp_sink(*, delay: float = 0.0):
    """A mail server on a free local port that keeps every message in `.messages`."""
    sink = SmtpSink(delay=delay)
    thread = threading.Thread(target=sink.serve_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        sink.shutdown()
        sink.server_close()


@contextmanager
def silent_smtp_server():
    """A mail server that accepts connections and never says a word: yields its port."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.listen(16)  # the kernel completes the handshakes; nobody ever answers
        yield server.getsockname()[1]


def smtp_settings(settings, port: int, *, timeout: int = 10) -> None:
    """Point Django's SMTP backend at a local test server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = timeout
