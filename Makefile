# Jumelage — two commands for a fresh Debian/Ubuntu machine with Python 3.11+:
#   make demo   install into .venv and start the platform on SQLite with the demo data
#   make test   install the test dependencies and run the whole suite (SQLite, PostgreSQL, browser)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint install install-test messages clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Jumelage needs Python 3.11 or newer")'
	@$(PYTHON) -m venv $(VENV) || { echo "Could not create a virtualenv: run 'sudo apt-get install -y python3-venv' and try again." >&2; exit 1; }

$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# The gettext catalogs, compiled again whenever a .po file changes (pure Python: no msgfmt needed).
$(VENV)/.messages: $(VENV)/.installed $(wildcard src/jumelage/locale/*/LC_MESSAGES/django.po)
	$(BIN)/jumelage manage compile_catalogs -v0
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.lock
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-test.lock
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test $(VENV)/.messages

messages: $(VENV)/.installed
	cd src/jumelage && ../../$(BIN)/jumelage manage makemessages -l fr -l nl -l en --ignore='static/*' --ignore='templates/admin/*' --no-obsolete
	$(BIN)/jumelage manage compile_catalogs -v0

demo: $(VENV)/.installed $(VENV)/.messages
	$(BIN)/jumelage demo

test: $(VENV)/.installed-test $(VENV)/.messages
	bash scripts/test.sh

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

clean:
	rm -rf $(VENV) var tests/browser/node_modules test-artifacts
