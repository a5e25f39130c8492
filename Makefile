# The two commands the README leads with. Each creates .venv itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CONFIG ?= configs/eastern-flank.yaml
OUT    ?= out/eastern-flank
# Catalog draws behind the briefing's uncertainty band (Latin hypercube); docs/analyses.md uses 100.
DRAWS  ?= 16

.PHONY: plan test test-lowest test-wheel venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

venv: $(VENV)/.installed

## make plan: solve the default scenario, the split at half and double the weight, stress the plan, draw the
## catalogs' ranges for its uncertainty band and write the briefing (OUT/brief/briefing.html)
plan: $(VENV)/.installed
	$(BIN)/dronewall validate $(CONFIG)
	$(BIN)/dronewall run $(CONFIG) --out $(OUT)
	$(BIN)/dronewall decision $(OUT)
	$(BIN)/dronewall stress $(OUT)
	$(BIN)/dronewall uncertainty $(OUT) --draws $(DRAWS) --sampling lhs
	$(BIN)/dronewall brief $(OUT)

## make test: lint (ruff), type-check (mypy, strict on planner/lp and the problem) and run the test suite
test: $(VENV)/.installed-test
	$(BIN)/ruff check planner tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

## make test-lowest: the test suite against the lowest versions pyproject.toml allows, so that its floors are
## tested, not guessed: uv resolves every direct dependency to its lowest version with a wheel for this Python
## (lowest-direct; the dependencies' own dependencies at their newest), in a venv of its own
LOWEST := .venv-lowest
# The slow end-to-end tests and those comparing with files made at today's versions run in make test only.
LOWEST_TESTS ?= -m "not slow and not pinned_versions"
test-lowest: $(VENV)/.installed-test
	rm -rf $(LOWEST) $(LOWEST).txt
	$(BIN)/uv pip compile pyproject.toml --extra test --resolution lowest-direct --only-binary :all: \
		--python $(BIN)/python --quiet --output-file $(LOWEST).txt
	$(BIN)/uv venv --quiet --python $(BIN)/python $(LOWEST)
	VIRTUAL_ENV=$(LOWEST) $(BIN)/uv pip install --quiet --requirement $(LOWEST).txt
	VIRTUAL_ENV=$(LOWEST) $(BIN)/uv pip install --quiet --no-deps --editable .
	$(LOWEST)/bin/python -m pytest -q -p no:cacheprovider $(LOWEST_TESTS)

## make test-wheel: the wheel as a user gets it: built from the repository, installed in a fresh venv in an empty
## folder outside it (dependencies from the registry), runs `dronewall run eastern-flank --out x` and
## `dronewall brief x` there and checks their files (.ci/test_wheel.sh; no browser needed)
test-wheel: | $(BIN)/python
	.ci/test_wheel.sh $(abspath $(BIN)/python)

clean:
	rm -rf $(VENV) $(LOWEST) $(LOWEST).txt out .pytest_cache .hypothesis
