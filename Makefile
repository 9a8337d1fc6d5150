# The two commands of the README: `make run` (main job, embedded demo) and `make test` (the test suite).
SHELL := /bin/bash
VENV := .venv
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false

.PHONY: setup run test bench clean
setup:
	@./scripts/setup.sh

run: setup
	SNEAKER_CHROMIUM=$$(cat $(VENV)/chromium-path) $(VENV)/bin/sneaker run $(ARGS)

test: setup
	SNEAKER_CHROMIUM=$$(cat $(VENV)/chromium-path) $(VENV)/bin/python -m pytest --checkout-guard $(ARGS)

bench: setup
	SNEAKER_CHROMIUM=$$(cat $(VENV)/chromium-path) $(VENV)/bin/python bench/run_all.py

clean:
	rm -rf $(VENV) data/_demo
