# The two commands a newcomer needs are `make run` and `make test`; both build
# .venv from the lock files first, so a fresh clone needs nothing installed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= config/demo.yaml

.PHONY: run test check lint typecheck pytest bench eval lock schema clean

# The stamp files make the install step re-run only when a lock file changes.
$(BIN)/.installed-runtime: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(BIN)/.installed-dev: requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@ $(BIN)/.installed-runtime

run: $(BIN)/.installed-runtime
	$(BIN)/sitrep --config $(CONFIG) run

test: $(BIN)/.installed-dev
	$(BIN)/ruff check bot adapters tests
	$(BIN)/mypy
	$(BIN)/pytest

# The fast lane while working: the same lint and type checks as `make test`, and every test not
# marked slow (subprocesses, crash and soak runs, corpus sweeps are left to `make test` and CI),
# on both cores.
check: $(BIN)/.installed-dev
	$(BIN)/ruff check bot adapters tests
	$(BIN)/mypy
	$(BIN)/pytest -m "not slow" -n 2 -q

# Style is ruff's rule set (pyproject.toml), not its formatter: the tree is not formatter-clean and a
# check nobody runs green would only teach people to ignore it.
lint: $(BIN)/.installed-dev
	$(BIN)/ruff check bot adapters tests

typecheck: $(BIN)/.installed-dev
	$(BIN)/mypy

pytest: $(BIN)/.installed-dev
	$(BIN)/pytest

bench: $(BIN)/.installed-dev
	$(BIN)/python -m tests.bench

# Every knowledge evaluation (attribution on PolNeAR dev, score.py on every labelled set, clusters,
# roles) as one table; sets absent from ../shared are rows that say so. TEXTACY=DIR adds textacy's
# attribution figures from a throwaway `pip install --target DIR textacy`.
eval: $(BIN)/.installed-dev
	$(BIN)/python -m tests.eval.table $(if $(TEXTACY),--textacy-path $(TEXTACY))

# Regenerate the pinned dependency sets after editing pyproject.toml.
lock: $(BIN)/.installed-dev
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url -o requirements-dev.lock pyproject.toml

schema: $(BIN)/.installed-runtime
	$(BIN)/sitrep config schema > config/schema.json

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache bench-results.json
