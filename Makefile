# Two commands do all set-up on a fresh machine that has python3 and make:
#   make run    build the environment, ingest the bundled corpus, build the warehouse, check it
#   make test   build the environment and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-slow env lock bench clean docs lint

run: $(STAMP)
	$(BIN)/juesuan run

test: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

# The slow suites (crash tests that kill and repair whole runs); CI runs them after `make test`.
test-slow: $(STAMP)
	$(BIN)/python -m pytest -m slow

env: $(STAMP)

# The environment is rebuilt whenever the pinned lock or the project metadata changes.
$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

# Re-resolve every dependency (direct and transitive) to exact versions.
lock:
	rm -rf /tmp/juesuan-lock && $(PYTHON) -m venv /tmp/juesuan-lock
	/tmp/juesuan-lock/bin/python -m pip install --quiet --upgrade pip
	/tmp/juesuan-lock/bin/python -m pip install --quiet ".[notebooks,test,lint]"
	/tmp/juesuan-lock/bin/python -m pip freeze --exclude juesuan | sort > requirements.lock

# End-to-end benchmark on a generated corpus of SIZE reports (targets and results in bench/README.md).
SIZE ?= 200
bench: $(STAMP)
	$(BIN)/python bench/bench_e2e.py --size $(SIZE)

# SQL (sqlfluff, dbt templater, DuckDB dialect: .sqlfluff) and Python (ruff: pyproject.toml).
# The dbt templater compiles every model: it runs against an in-memory DuckDB, never the warehouse.
lint: $(STAMP)
	$(BIN)/ruff check .
	JUESUAN_DB=:memory: $(BIN)/sqlfluff lint models --processes 2

docs: $(STAMP)
	$(BIN)/juesuan build --docs

clean:
	rm -rf $(VENV) warehouse target dbt_packages logs
