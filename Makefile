# The two commands of the README are the contract: `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The scaled topology (`make topology`): nginx on TOPOLOGY_PORT in front of PROCESSES `katalog serve`
# processes (on the ports after it) over one Oxigraph server on OXIGRAPH_PORT, all on 127.0.0.1.
PROCESSES ?= 2
TOPOLOGY_PORT ?= 8080
OXIGRAPH_PORT ?= 7878
# Debian packages that only the tests need: a Java runtime for the OWL reasoner (HermiT, via owlready2)
# and the HTML checker, chromium for the browser tests, and nginx for the scaled topology (which its test
# starts). `make run` serves without them.
TEST_APT_PACKAGES := default-jre-headless chromium nginx
# nginx is in /usr/sbin, which a user's PATH may lack.
HAVE_NGINX := { command -v nginx || test -x /usr/sbin/nginx; }

.PHONY: setup setup-test run topology test bench lint clean

setup: $(VENV)/.installed

setup-test: setup
	@{ command -v java && command -v chromium && $(HAVE_NGINX); } >/dev/null 2>&1 || { \
	  echo "Installing $(TEST_APT_PACKAGES) with apt-get (Java for the OWL reasoner, chromium for browser tests, nginx)"; \
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

# The Oxigraph server (its store in var/topology/oxigraph), the catalogue loaded into it, the app processes
# and nginx in the foreground; Ctrl-C stops them all. Logs in var/topology/log and var/topology/nginx.
topology: setup
	@$(HAVE_NGINX) >/dev/null 2>&1 || { echo "nginx is not installed: make setup-test (or apt-get install nginx)"; exit 2; }
	$(BIN)/python -m api.deploy.topology --processes $(PROCESSES) --port $(TOPOLOGY_PORT) --oxigraph-port $(OXIGRAPH_PORT)

lint: setup
	$(BIN)/ruff check catalogue api web tests
	$(BIN)/mypy

test: setup-test lint
	$(BIN)/pytest

bench: setup
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) var
