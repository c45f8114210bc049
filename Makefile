# Standby: `make run` starts the local stack, `make test` runs the whole suite.
# Both set up what they need first: a virtual environment with the pinned packages.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
export AWS_DEFAULT_REGION ?= eu-west-1

.PHONY: run test lint unit package bench clean

$(INSTALLED): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Standby needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

run: $(INSTALLED)
	$(BIN)/python -m local.stack

test: lint
	@scripts/ensure-chromium
	$(BIN)/python -m pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

unit: $(INSTALLED)
	$(BIN)/python -m pytest tests/unit

package: $(INSTALLED)
	rm -rf build/package
	$(BIN)/chalice package --stage prod --merge-template infra/template.json build/package
	$(BIN)/python -m ops.slim_package build/package
	@echo "Wrote build/package/sam.json and build/package/deployment.zip"

bench: $(INSTALLED)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
