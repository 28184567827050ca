# The two commands a newcomer needs (README):
#   make run            launch Pli's window (the demo mailbox when there is no account yet)
#   make run ARGS="…"   the command line `pli …` (sets up .venv on first use)
#   make test           install everything the tests need, then lint, types, contracts, tests
# Everything else here is what those two call.

PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements/constraints.txt 2>/dev/null | cksum | cut -d' ' -f1)

.PHONY: run window-deps test test-quick system-deps oidc-deps venv lint types contracts pytest bench clean package test-frozen

# With no ARGS: the window, on the demo mailbox when the profile has no account yet.
ARGS ?= --demo
run: window-deps $(STAMP)
	@$(BIN)/pli $(ARGS)

window-deps:
	@tools/install-system-deps window

test: system-deps $(STAMP) oidc-deps lint types contracts pytest

system-deps:
	@tools/install-system-deps

oidc-deps:
	@tools/install-oidc-provider

$(STAMP):
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -c requirements/constraints.txt -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check app tests bench tools
	$(BIN)/ruff format --check app tests bench tools

types: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

# A quicker local run: everything but the slow crash/resume loops (make test runs them too).
test-quick: $(STAMP)
	$(BIN)/pytest -m "not slow and not frozen" $(PYTEST_ARGS)

# The frozen bundle dist/pli (wheel -> clean venv -> PyInstaller, 1-3 minutes) and the tests run
# against it and on the installer script (README, "Packaging"); not part of `make test`.
package: $(STAMP)
	$(BIN)/python packaging/build.py

test-frozen: package
	$(BIN)/pytest -m frozen tests/frozen $(PYTEST_ARGS)

bench: $(STAMP) system-deps
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
