# Capturistas ICSOE — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# SECRET_KEY from the environment, else from instance/secret_key (made once, random, never committed).
CLAVE  := instance/secret_key
CON_CLAVE = SECRET_KEY="$${SECRET_KEY:-$$(cat $(CLAVE))}"
FLASK   = $(CON_CLAVE) $(VENV)/bin/flask --app app
HOST   ?= 127.0.0.1
PORT   ?= 5000
# E-mailed links (activation, reset, confirmation) must point where this server listens: unless
# BASE_URL is set (a proxy, a real domain), it is http://HOST:PORT. Empty counts as not set.
ifeq ($(strip $(BASE_URL)),)
override BASE_URL = http://$(HOST):$(PORT)
endif
CON_BASE = BASE_URL="$(BASE_URL)"
HTMX   := static/vendor/htmx.min.js

.PHONY: run test navegador capturas lint test-sqlite test-postgres install install-dev assets migrate demo clean

## run: create the venv, install, build assets, migrate the SQLite database, load the local padrón
##      and serve on http://127.0.0.1:5000 (`make run DEMO=1` also loads demo data; `PORT=5101`
##      serves elsewhere and e-mailed links follow, unless BASE_URL is set)
run: install assets $(CLAVE) migrate
	$(FLASK) padron cargar
	@if [ -n "$(DEMO)" ]; then $(FLASK) demo cargar --forzar; fi
	@# The Huey worker (large exports, e-mail retries, cleanup) runs beside the web server and stops with it;
	@# both build e-mailed links, so both get BASE_URL.
	$(CON_CLAVE) $(CON_BASE) $(VENV)/bin/huey_consumer tareas.huey --workers 2 --worker-type thread --logfile instance/huey.log & \
	  trabajador=$$!; trap 'kill $$trabajador 2>/dev/null' EXIT INT TERM; \
	  $(CON_BASE) $(FLASK) run --host $(HOST) --port $(PORT)

## test: lint, then the whole suite on SQLite and on PostgreSQL (TEST_DATABASE_URL, or the local cluster)
##       at the same time, one pytest process per core; each suite's output is printed whole when it ends
##       and either one failing fails `make test`
test: install-dev assets navegador lint
	@$(URL_POSTGRES); \
	registros=$$(mktemp -d); trap 'rm -rf "$$registros"' EXIT; \
	echo "== Suites en SQLite y en PostgreSQL a la vez; cada una se imprime al terminar (en curso: $$registros) =="; \
	trap '' INT; color=$$([ -t 1 ] && echo --color=yes); \
	$(EN_EL_FONDO) -u TEST_DATABASE_URL $(PYTEST) $$color > "$$registros/sqlite" 2>&1 & sqlite=$$!; \
	if [ -n "$$url" ]; then \
	  $(EN_EL_FONDO) TEST_DATABASE_URL="$$url" $(PYTEST) --navegador-al-final $$color \
	    > "$$registros/postgres" 2>&1 & postgres=$$!; \
	fi; \
	wait $$sqlite; fallo=$$?; echo "== Suite en SQLite =="; cat "$$registros/sqlite"; \
	if [ -n "$$url" ]; then \
	  wait $$postgres || fallo=1; echo "== Suite en PostgreSQL =="; cat "$$registros/postgres"; \
	else $(SIN_POSTGRES); fi; \
	exit $$fallo

## navegador: the browser tests drive Debian's Chromium, and the Redis tests (shared throttles, Huey's
##            broker, two app instances) start Debian's redis-server (both installed with apt when missing and root)
navegador:
	@faltan=""; \
	  [ -x /usr/lib/chromium/chromium ] || command -v chromium >/dev/null 2>&1 || faltan="$$faltan chromium"; \
	  command -v redis-server >/dev/null 2>&1 || faltan="$$faltan redis-server"; \
	  if [ -n "$$faltan" ]; then \
	    if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$faltan; \
	    else echo "Faltan paquetes para las pruebas:$$faltan (sudo apt-get install$$faltan)" >&2; exit 1; fi; \
	  fi

lint:
	$(VENV)/bin/ruff check .

# The suite on one database is one pytest process. The two share nothing (their own database, temporary
# folders, ports, Redis and Chromium; see tests/conftest.py), so `make test` runs them side by side, the
# PostgreSQL one with its browser tests last: two Chromiums at once would want more than the two cores.
PYTEST = $(PY) -m pytest $(PYTEST_ARGS)
# A script's background jobs ignore Ctrl-C; given back to pytest, Ctrl-C stops both suites through their
# teardowns (servers stopped), while the shell, ignoring it, waits for them and prints what they wrote.
EN_EL_FONDO = env --default-signal=INT
# The PostgreSQL run's database in $$url: TEST_DATABASE_URL, else the local cluster (scripts/postgres-de-pruebas.sh).
# Without either the run is left out with a notice, or fails at once when REQUIRE_POSTGRES is set (CI).
URL_POSTGRES = url="$${TEST_DATABASE_URL:-$$(scripts/postgres-de-pruebas.sh || true)}"; \
	if [ -z "$$url" ] && [ -n "$$REQUIRE_POSTGRES" ]; then \
	  echo "No hay PostgreSQL para las pruebas (TEST_DATABASE_URL)." >&2; exit 1; \
	fi
SIN_POSTGRES = echo "== PostgreSQL no disponible: define TEST_DATABASE_URL para correr la suite en PostgreSQL =="

## test-sqlite / test-postgres: the suite on one database only
test-sqlite:
	@echo "== Suite en SQLite =="
	env -u TEST_DATABASE_URL $(PYTEST)

test-postgres:
	@$(URL_POSTGRES); \
	if [ -z "$$url" ]; then $(SIN_POSTGRES); else \
	  echo "== Suite en PostgreSQL =="; TEST_DATABASE_URL="$$url" $(PYTEST); \
	fi

install: $(VENV)/.instalado

install-dev: $(VENV)/.instalado-dev

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.instalado: requirements.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -r requirements.txt
	touch $@

$(VENV)/.instalado-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.instalado

## assets: htmx from the npm registry (version pinned in package-lock.json), copied into static/vendor
assets: $(HTMX)

$(HTMX): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $@

## capturas: PNGs of the main screens at 1280×800 and 390 px (docs/capturas/), shown in README
capturas: install-dev assets
	$(PY) scripts/capturas.py

## the key that signs sessions and links when SECRET_KEY is not set: created once, readable by its owner only
$(CLAVE):
	@mkdir -p instance
	@umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(48))' > $@.tmp && mv $@.tmp $@
	@echo "Clave de sesión nueva en $@ (no se versiona)."

migrate: install $(CLAVE)
	$(FLASK) db upgrade

demo: install $(CLAVE) migrate
	$(FLASK) demo cargar --forzar

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache
