# `make run` and `make test` set up everything they need on a fresh Debian machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# The development switch for commands run here; production never sets it.
DEV    := DEBUG=true
PORT   ?= 8000
# `make run` serves on PORT, and links in its mails point there (unless SITE_URL is set).
RUN    := $(DEV) SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)}

.PHONY: run test bench lint messages chromium db-stop clean

run: $(VENV)/.installed messages  ## serve the app with demo data and the mail worker (PORT=8000)
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) $(PY) manage.py seed_demo
	@echo "Willkommen: http://127.0.0.1:$(PORT)/  (stop with Ctrl+C)"
	@# Web server and mail worker side by side; Ctrl+C or a TERM to make stops both.
	$(RUN) $(PY) manage.py send_queued_mail --loop & worker=$$!; \
	$(RUN) $(PY) manage.py runserver 127.0.0.1:$(PORT) & web=$$!; \
	trap 'kill $$web $$worker 2>/dev/null' INT TERM HUP; \
	wait $$web; kill $$worker 2>/dev/null; wait

test: $(VENV)/.installed messages chromium  ## run the whole suite, browser tests included
	FUZZ_CASES=$${FUZZ_CASES:-500} $(PY) -m pytest

bench: $(VENV)/.installed messages  ## speed at a city's scale, through gunicorn with wrk (docs/performance.md)
	@command -v wrk >/dev/null || $(call apt_install,wrk) || { echo "!!! wrk is missing and cannot be installed here"; exit 1; }
	$(PY) tests/bench/run.py
	$(PY) tests/bench/two_hosts.py

lint: $(VENV)/.installed  ## ruff, the import layers, the migration check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(DEV) $(PY) manage.py makemigrations --check --dry-run

messages: $(VENV)/.installed  ## compile the translations (needs gettext)
	@command -v msgfmt >/dev/null || $(call apt_install,gettext)
	$(DEV) $(PY) manage.py compilemessages --ignore=.venv -v 0

chromium:  ## the system Chromium for the browser tests
	@command -v chromium >/dev/null || $(call apt_install,chromium) || \
	  echo "!!! chromium is missing and cannot be installed here: browser tests will be skipped"

db-stop:  ## stop the embedded PostgreSQL server
	$(DEV) $(PY) -c "from pathlib import Path; from willkommen.embedded_db import stop; stop(Path('.pgdata').resolve())"

clean:  ## remove the virtualenv (the database in .pgdata/ stays)
	rm -rf $(VENV) staticfiles

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

# Debian packages, installed only where we may (root); elsewhere the caller says what is missing.
apt_install = { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; }; }
