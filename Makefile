# Two entry points: `make demo` (install, replay the bundled fixtures into SQLite, export
# papers) and `make test` (install, lint, types, tests). Both create .venv on first use.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: install demo test lint

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: install
	$(BIN)/scrapy crawl replay -a path=fixtures/html
	$(BIN)/scrapy export papers -o papers.jsonl
	@echo "papers.jsonl: $$(wc -l < papers.jsonl) papers"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest
