# Jishi — `make run` serves the demo marketplace, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_WORKERS ?= 2

.PHONY: run test lint migrate demo messages bench bench-flash bench-search bench-pages bench-outbox bench-faults clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/jishi manage migrate --noinput
	$(BIN)/jishi demo --if-empty
	$(BIN)/jishi serve

migrate: $(STAMP)
	$(BIN)/jishi manage migrate --noinput

demo: $(STAMP)
	$(BIN)/jishi demo

test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS)

lint: $(STAMP)
	$(BIN)/ruff check jishi tests bench

# Refresh the translation catalogues after changing UI text (needs GNU gettext).
messages: $(STAMP)
	cd jishi && ../$(BIN)/jishi manage makemessages -l zh_Hans --no-obsolete --ignore '*/migrations/*'
	$(BIN)/python -m jishi.core.compile_messages

bench: $(STAMP)
	$(BIN)/python bench/catalog.py

# Flash sale on PostgreSQL and Redis (both on 127.0.0.1): checkout throughput against the raw ceiling.
bench-flash: $(STAMP)
	$(BIN)/python bench/flash_sale.py

# Search over 1,000,000 products on SQLite and PostgreSQL (127.0.0.1): index build time, p50/p95 latency.
bench-search: $(STAMP)
	$(BIN)/python bench/search.py

# Storefront pages over HTTP beside the Django Oscar peer (PostgreSQL, Redis, 10,000 products, gunicorn with
# 4 workers each, 127.0.0.1): req/s and p50/p99, page cache warm and cold, and the ratios Jishi/Oscar.
bench-pages: $(STAMP)
	$(BIN)/python bench/pages.py

# The jobs' outbox: rows written per second, and the backlog the relay clears in a minute.
bench-outbox: $(STAMP)
	$(BIN)/python bench/outbox.py

# Checkout and payment while a web worker, the Celery worker and Redis fail: nothing may be lost.
bench-faults: $(STAMP)
	$(BIN)/python bench/faults.py

clean:
	rm -rf $(VENV) var build *.egg-info
