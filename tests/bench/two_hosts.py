"""Two hosts, one database (issue 13, point 6): two gunicorn instances and two mail workers on
loopback against one PostgreSQL, driven across both. Shows that nothing a request needs lives in
one host: sessions, login lockouts and form throttles, the places of an event, and the mail queue
(each mail delivered once). Run by `make bench` after the speed table; prints what held.

    python tests/bench/two_hosts.py
"""

import hashlib
import hmac
import http.cookiejar
import json
import os
import re
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.run import (  # noqa: E402
    LOGS,
    PYTHON,
    SCALE_DB,
    database_create,
    free_port,
    manage,
    say,
    settings_env,
    write_doc,
)
from tests.willkommen.smtp_sink import smtp_sink  # noqa: E402

HOSTS_DB = SCALE_DB + "_hosts"
PASSWORD = "bench-two-hosts-password"  # noqa: S105 - a throwaway account in a throwaway database
CAPACITY, ANSWERS, APPLICATIONS = 5, 40, 12
START, END = "<!-- two-hosts:start -->", "<!-- two-hosts:end -->"


# --- Django's side (run with --inside, in the hosts' database) --------------------------------


def inside(task: str) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "willkommen.settings")
    django.setup()
    from django.utils import timezone

    from mentors.models import Mentor
    from seminars.models import Invitation, InvitationStatus
    from seminars.services import answer_token, event_create, invitations_send
    from willkommen.core.models import QueuedMail, User
    from willkommen.core.roles import Role
    from willkommen.core.services import user_set_role

    if task == "state":
        invitations = Invitation.objects.filter(event__title="Zwei Hosts")
        return {
            "registered": invitations.filter(status=InvitationStatus.REGISTERED).count(),
            "waiting": invitations.filter(status=InvitationStatus.WAITING).count(),
            "applications": Mentor.objects.filter(email__endswith="@hosts.example.org").count(),
            "mails": QueuedMail.objects.count(),
            "unsent": QueuedMail.objects.filter(sent_at=None).count(),
        }
    from django_otp.plugins.otp_totp.models import TOTPDevice

    accounts = {}
    for name in ("first", "second"):
        user = User.objects.create_user(f"{name}@hosts.example.org", password=PASSWORD)
        user_set_role(user=user, role=Role.COORDINATOR)
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        accounts[name] = {"email": user.email, "key": device.key}
    starts = timezone.now() + timezone.timedelta(days=10)
    event = event_create(
        data={"title": "Zwei Hosts", "type": "intro", "starts_at": starts,
              "ends_at": starts + timezone.timedelta(hours=2), "place": "Rathaus",
              "capacity": CAPACITY},
    )[0]  # fmt: skip
    mentors = Mentor.objects.confirmed().exclude(stage="left").order_by("pk")[:ANSWERS]
    invitations_send(event=event, mentors=list(mentors))
    tokens = [answer_token(i) for i in Invitation.objects.filter(event=event)]
    from tests.bench.pages import post_body

    return {"accounts": accounts, "answers": tokens, "post": post_body()}


# --- the hosts' side --------------------------------------------------------------------------


def totp(key_hex: str, at: float | None = None) -> str:
    """The authenticator app's code now (RFC 6238: 30 s steps, 6 digits)."""
    counter = struct.pack(">Q", int((at or time.time()) // 30))
    digest = hmac.new(bytes.fromhex(key_hex), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


class Browser:
    """Cookies and CSRF like a browser; X-Forwarded-For names the client behind our proxy."""

    def __init__(self, client: str = "10.9.0.1"):
        self.jar = http.cookiejar.CookieJar(LoopbackPolicy())
        self.client = client
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def request(self, url: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        headers = {"X-Forwarded-For": self.client}
        try:
            with self.opener.open(urllib.request.Request(url, body, headers), timeout=60) as r:  # noqa: S310
                return r.status, r.headers.get("Location", ""), r.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode()

    def form(self, url: str, data: dict) -> tuple[int, str, str]:
        """GET the page (for the CSRF cookie and token), then POST the form to it."""
        _status, _location, page = self.request(url)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        return self.request(url, {**data, "csrfmiddlewaretoken": token.group(1) if token else ""})


class LoopbackPolicy(http.cookiejar.DefaultCookiePolicy):
    """The app's cookies are Secure (HTTPS only); plain HTTP on loopback stands in for the TLS
    proxy in front of the hosts."""

    def return_ok_secure(self, cookie, request):
        return True


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def login(browser: Browser, host: str, account: dict, password: str = PASSWORD) -> int:
    """The password, then (the app sends there next) the authenticator app's code."""
    status, location, _page = browser.form(
        f"{host}/konto/anmelden/", {"username": account["email"], "password": password}
    )
    if status == 302:
        status, location, _page = browser.request(urllib.parse.urljoin(host, location))
    if status == 302 and "/konto/anmelden/code/" in location:
        code_step = urllib.parse.urljoin(host, location)
        status, location, _page = browser.form(code_step, {"code": totp(account["key"])})
    return status


def check(results: list, ok: bool, text: str) -> None:
    results.append((ok, text))
    say(("held: " if ok else "FAILED: ") + text)


def drive(a: str, b: str, setup: dict, sink) -> list:
    results = []
    first, second = setup["accounts"]["first"], setup["accounts"]["second"]

    # Sessions: logged in on A, the same cookie works on B; logged out on B, gone on A.
    browser = Browser()
    login(browser, a, first)
    on_b, _location, page = browser.request(f"{b}/koordination/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)  # the logout button's
    browser.request(
        f"{b}/konto/abmelden/", {"csrfmiddlewaretoken": token.group(1) if token else ""}
    )
    after = browser.request(f"{a}/koordination/")[0]
    check(results, on_b == 200 and after == 302,
          f"session: signed in on A, page on B answered {on_b}; signed out on B, A answered "
          f"{after} (the login)")  # fmt: skip

    # Login lockout: wrong passwords alternately on A and B count together.
    attacker = Browser(client="10.9.0.2")
    answers = [login(attacker, (a, b)[n % 2], second, password="wrong-password") for n in range(6)]
    honest = login(attacker, b, second)
    check(results, 429 in answers and honest == 429,
          f"lockout: 6 wrong passwords across A and B answered {answers}; the right one on B "
          f"then {honest} (locked, 429)")  # fmt: skip

    # Public form: one client, alternately on A and B; the throttle counts across both.
    body = urllib.parse.parse_qsl(setup["post"]["body"])
    applicant = Browser(client="10.9.0.3")
    answers = []
    for number in range(APPLICATIONS):
        data = [(k, v.replace("__EMAIL__", f"person{number}@hosts.example.org")) for k, v in body]
        answers.append(applicant.form(f"{(a, b)[number % 2]}/mitmachen/", dict(data))[0])
    accepted = answers.count(302)
    stored = run_inside("state")["applications"]
    check(results, 429 in answers and stored == accepted,
          f"form throttle: {APPLICATIONS} applications of one client across A and B answered "
          f"{answers}; {stored} stored = {accepted} accepted")  # fmt: skip

    # Places: 40 invited mentors say yes at the same moment, half on A, half on B.
    barrier = threading.Barrier(len(setup["answers"]))

    def answer(number: int, token: str) -> None:
        mentor = Browser(client=f"10.9.1.{number}")
        url = f"{(a, b)[number % 2]}/seminare/antwort/{token}/"
        page = mentor.request(url)[2]
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        barrier.wait()
        mentor.request(url, {"accept": "yes", "csrfmiddlewaretoken": csrf.group(1)})

    threads = [threading.Thread(target=answer, args=pair) for pair in enumerate(setup["answers"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    state = run_inside("state")
    check(results, state["registered"] == CAPACITY and state["waiting"] == ANSWERS - CAPACITY,
          f"places: {ANSWERS} yes at once across A and B: {state['registered']} registered "
          f"(of {CAPACITY} places), {state['waiting']} on the waiting list")  # fmt: skip

    # Mail: two workers share one queue; every mail reaches the server once.
    for _ in range(120):
        state = run_inside("state")
        if state["unsent"] == 0:
            break
        time.sleep(1)
    # A mail sent twice would arrive twice (each send has its own Message-ID): count them.
    delivered = len(sink.messages)
    check(results, state["unsent"] == 0 and delivered == state["mails"],
          f"mail: {state['mails']} queued, {delivered} delivered by two workers (each once), "
          f"{state['unsent']} left")  # fmt: skip
    return results


def run_inside(task: str) -> dict:
    done = subprocess.run(
        [PYTHON, __file__, "--inside", task], cwd=ROOT, env=settings_env(HOSTS_DB),
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def start(command: list, name: str, env: dict) -> subprocess.Popen:
    log = open(LOGS / f"{name}.log", "w")  # noqa: SIM115 - open while the process runs
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def main() -> None:
    say("two hosts: a fresh database")
    database_create(HOSTS_DB, fresh=True)
    manage(HOSTS_DB, "migrate", "--noinput", "-v", "0")
    manage(HOSTS_DB, "seed_scale", "--scale", "0.01")
    setup = run_inside("setup")
    LOGS.mkdir(parents=True, exist_ok=True)
    processes = []
    with smtp_sink() as sink:
        env = {**settings_env(HOSTS_DB), "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
               "SITE_URL": "http://127.0.0.1"}  # fmt: skip
        hosts = []
        try:
            for name in ("a", "b"):
                port = free_port()
                gunicorn = str(Path(PYTHON).parent / "gunicorn")
                processes.append(start([gunicorn, "willkommen.wsgi", "--bind",
                                        f"127.0.0.1:{port}", "--workers", "2"],
                                       f"host-{name}", env))  # fmt: skip
                processes.append(start([PYTHON, "manage.py", "send_queued_mail", "--loop"],
                                       f"mail-worker-{name}", env))  # fmt: skip
                hosts.append(f"http://127.0.0.1:{port}")
            for host in hosts:
                for _ in range(100):
                    try:
                        urllib.request.urlopen(f"{host}/healthz", timeout=2)  # noqa: S310
                        break
                    except OSError:
                        time.sleep(0.2)
            results = drive(*hosts, setup, sink)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)
    lines = [f"- {'held' if ok else '**failed**'}: {text}" for ok, text in results]
    write_doc(lines, start=START, end=END)
    print("\n".join(lines))
    if not all(ok for ok, _text in results):
        raise SystemExit("two hosts: something did not hold (see above)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--inside"]:
        print(json.dumps(inside(sys.argv[2])))
    else:
        main()
