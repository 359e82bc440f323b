# The two commands of the README are the contract: `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages that only the tests need: a Java runtime for the OWL reasoner (HermiT, via owlready2)
# and the HTML checker, and chromium for the browser tests. `make run` serves without them.
TEST_APT_PACKAGES := default-jre-headless chromium

.PHONY: setup setup-test run test bench lint clean

setup: $(VENV)/.installed

setup-test: setup
	@{ command -v java && command -v chromium; } >/dev/null 2>&1 || { \
	  echo "Installing $(TEST_APT_PACKAGES) with apt-get (Java for the OWL reasoner, chromium for browser tests)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(TEST_APT_PACKAGES); }

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: setup
	$(BIN)/katalog load
	$(BIN)/katalog serve --host $(HOST) --port $(PORT)

lint: setup
	$(BIN)/ruff check catalogue api web tests
	$(BIN)/mypy

test: setup-test lint
	$(BIN)/pytest

bench: setup
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) var
