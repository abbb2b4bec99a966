# Two commands: `make run` (the demo city on http://127.0.0.1:8000) and `make test`.
# Both install everything they need first: Pipenv, the locked packages, Debian's Chromium.

PYTHON ?= 3.13
export PIPENV_VENV_IN_PROJECT := 1
export PIPENV_VERBOSITY := -1
export PIPENV_NOSPIN := 1
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := .tools
PIPENV := $(TOOLS)/bin/pipenv

.PHONY: install run test lint messages chromium clean

install: $(VENV)/.synced chromium

# Pipenv itself lives in a small venv of its own, so no system Python is modified.
$(PIPENV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check pipenv

$(VENV)/.synced: Pipfile.lock | $(PIPENV)
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != tuple(map(int, "$(PYTHON)".split("."))))'; then rm -rf $(VENV); fi
	$(PIPENV) --python $(PYTHON) sync --dev
	touch $@

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get install -y --no-install-recommends chromium || { $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends chromium; }; \
	  else echo "Chromium is not installed and apt-get is unavailable: browser tests will be skipped."; fi; }

# After changing interface strings: refresh both catalogues (English is filled from the
# source strings), translate the new Chinese entries, then compile.
CATALOGUE_IGNORE := --ignore=.venv --ignore=.tools --ignore=tests --ignore=fixtures --ignore=benchmarks
messages: install
	$(PY) manage.py makemessages -l zh_Hans -l en $(CATALOGUE_IGNORE) --no-obsolete
	msgattrib --clear-fuzzy --empty locale/en/LC_MESSAGES/django.po -o locale/en/LC_MESSAGES/django.po
	msgen locale/en/LC_MESSAGES/django.po -o locale/en/LC_MESSAGES/django.po
	sed -i -e '0,/^#, fuzzy$$/{/^#, fuzzy$$/d}' -e 's/^"Language: \\n"$$/"Language: en\\n"/' locale/en/LC_MESSAGES/django.po
	$(PY) manage.py compilemessages --ignore=.venv --ignore=.tools

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo_city --if-empty
	bin/serve

# PYTEST_ARGS passes options through, e.g. make test PYTEST_ARGS='-m "not browser" --reuse-db'.
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) $(TOOLS) db.sqlite3 staticfiles .test-media
