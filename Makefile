# Two entry points that a fresh machine needs: `make run` and `make test`.
# Both create the virtual environment and install the project on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint typecheck unit soak bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/veille run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy bot handlers storage tests bench

unit: $(STAMP)
	$(BIN)/pytest

test: lint typecheck unit

# The soak test (tests/soak): veille run under mixed traffic, killed and restarted. Opt-in;
# VEILLE_SOAK_SECONDS sets its length (CI runs a short one).
soak: $(STAMP)
	VEILLE_SOAK_SECONDS=$${VEILLE_SOAK_SECONDS:-60} $(BIN)/pytest -m soak -q

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache
