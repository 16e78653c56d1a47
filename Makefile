# twenty-gql developer targets. Every target creates .venv when missing and installs the
# project (editable, with test and dev extras) into it, so a fresh clone needs no other step.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo service test test-lowest lint bench regen check-generated soak fuzz format clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/demo.py

# examples/service.py (a typed CRM sync service) against the emulator, both stages, mypy --strict
service: $(STAMP)
	$(BIN)/python examples/run_service.py

test: $(STAMP)
	$(BIN)/python -m pytest -q

# The core tests against the lowest versions pyproject.toml allows (.ci/lowest.py pins each
# `name>=X` to `name==X`), in their own venv under .venv/.
LOWEST := $(VENV)/lowest
CORE_TESTS := tests/unit/runtime tests/unit/bulk tests/unit/test_public_api.py \
	tests/behaviour/runtime tests/behaviour/bulk
test-lowest: $(STAMP)
	@test -x $(LOWEST)/bin/python || $(PYTHON) -m venv $(LOWEST)
	$(BIN)/python .ci/lowest.py emulator import test > $(LOWEST)/requirements.txt
	$(LOWEST)/bin/python -m pip install --quiet -r $(LOWEST)/requirements.txt
	$(LOWEST)/bin/python -m pip install --quiet --no-deps -e .
	$(LOWEST)/bin/python -m pip list --format=freeze | grep -iE '^(aiohttp|msgspec|typing.extensions|graphql.core)=='
	$(LOWEST)/bin/python -m pytest -q -m "not slow" -p no:cacheprovider $(CORE_TESTS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy codegen twenty_gql
	@if ls generated/*/__init__.py >/dev/null 2>&1; then \
	  echo 'mypy --strict generated/'; cd generated && ../$(BIN)/mypy --strict --config-file ../pyproject.toml $$(ls -d */ | tr -d /); \
	fi

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python -m bench

soak: $(STAMP)
	$(BIN)/python -m bench.soak

fuzz: $(STAMP)
	$(BIN)/python -m bench.fuzz_codegen --examples 100

regen: $(STAMP)
	$(BIN)/python -m codegen.regen

check-generated: $(STAMP)
	$(BIN)/python -m codegen.regen --check

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .pytest_cache .ruff_cache
