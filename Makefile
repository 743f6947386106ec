# The two commands a newcomer needs (see README): `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: demo test install migrate lint messages check-translations clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet '.[test]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

## Set everything up and serve the demo site at http://127.0.0.1:8000 (SQLite).
demo: migrate
	$(PY) manage.py seed_demo
	@echo "Texts (codes, reminders) are printed here by the console SMS backend."
	MOBILE_VERIFICATION=1 $(PY) manage.py runserver 127.0.0.1:8000

## Set everything up and run the whole test suite (browser tests skip without Chromium).
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## Refresh every catalogue after changing strings (needs gettext), then translate and compile.
messages: install
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete -i .venv -i tests -i bench -i staticfiles -i media

check-translations: install
	bin/check-translations

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
