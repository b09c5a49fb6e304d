# Gongmo: `make run` serves the demo, `make test` runs the whole suite against real services.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
FLASK := FLASK_APP=wsgi $(VENV)/bin/flask
HOST ?= 127.0.0.1
PORT ?= 5000
# wsgi.py serves nothing unless the configuration is named: `make run` is the demo.
run worker beat: export GONGMO_CONFIG ?= development

.PHONY: run test install install-dev system-deps translations messages demo-presentations worker beat audit bench clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

translations: $(VENV)/.installed
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(VENV)/bin/pybabel compile -d translations 2>&1 | grep -v "^compiling" || true; fi

# Re-extract the source strings (Korean) after changing UI text; then `pybabel update` and translate.
# Keywords: _l is lazy_gettext, notice marks an in-app notice (translated when read).
messages: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k notice --sort-by-file -o translations/messages.pot .
	$(VENV)/bin/pybabel update -N -i translations/messages.pot -d translations

run: install translations
	$(FLASK) db upgrade
	$(FLASK) demo load
	$(FLASK) run --host $(HOST) --port $(PORT)

# Debian packages the tests start for real: PostgreSQL, Redis, Chromium (with a Korean font
# so screenshots are legible) and npm for axe-core.
system-deps:
	@missing=""; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	test -d /usr/share/fonts/truetype/nanum || missing="$$missing fonts-nanum"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# axe-core for the accessibility test, from the npm registry, served to the page locally.
tests/browser/node_modules/.package-lock.json: tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error

# pytest runs as three processes side by side (tests/run_passes.sh says which tests each takes).
test: system-deps install-dev translations tests/browser/node_modules/.package-lock.json
	$(VENV)/bin/bandit -c pyproject.toml -r app forms scoring workers config.py wsgi.py -ll -q
	PY=$(PY) tests/run_passes.sh

# The demo's 발표평가 sheets of every demo reviewer but reviewer1 (README, demo step 4).
demo-presentations: install translations
	$(FLASK) demo score-presentations

worker: install
	$(PY) -m celery -A workers.celery_app worker --loglevel=info

beat: install
	$(PY) -m celery -A workers.celery_app beat --loglevel=info

audit: install-dev
	$(PIP) install -q pip-audit && $(VENV)/bin/pip-audit --strict -r requirements.txt

clean:
	rm -rf $(VENV) instance .pytest_cache
