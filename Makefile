# The project's commands. Each bootstraps what it needs (a virtualenv, node_modules) and is a no-op to re-run.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Node 22 from the npm registry (package.json), so jsii runs on a supported Node whatever the machine has.
NODE_ARCH := $(if $(filter aarch64 arm64,$(shell uname -m)),arm64,x64)
export PATH := $(CURDIR)/node_modules/node-linux-$(NODE_ARCH)/bin:$(CURDIR)/node_modules/.bin:$(PATH)
CDK := $(CURDIR)/node_modules/.bin/cdk
SOURCES := app.py cdk.json $(shell find stacks lambdas statemachines -type f \( -name '*.py' -o -name '*.json' \) -not -path '*/__pycache__/*' 2>/dev/null)

.PHONY: help deps demo serve test lint synth diff deploy destroy bench chaos docs clean

help:
	@echo "make demo    run the order system end to end on the local cloud (offline), report in reports/demo.json"
	@echo "make serve   the local cloud as an endpoint on http://127.0.0.1:4566 (PORT=...) for orders-cli --local, boto3, aws"
	@echo "make test    every check CI runs: lint, synth, cdk-nag, cfn-lint, assertions, handlers, local cloud, end to end"
	@echo "make lint    ruff (lint and format check) and mypy, as pyproject.toml sets them; make test runs it first"
	@echo "make synth   write the CloudFormation templates to cdk.out/"
	@echo "make deps    install the pinned Python packages in .venv/ and the CDK CLI and Node in node_modules/ (first step)"
	@echo "make diff    cdk diff --all: what a deploy would change in the AWS account in your environment"
	@echo "make deploy  cdk deploy --all to the AWS account in your environment"
	@echo "make destroy cdk destroy --all, after asking (FORCE=1 does not ask); tables, keys and the audit log are retained"
	@echo "make bench   cold starts against a bare Powertools handler, orders/s and p50/p95 against a moto floor; reports/bench.json, docs/benchmarks.md"
	@echo "make chaos   N orders (N=10000) with seeded faults at every hop (SEED=7), reconciled; reports/chaos.json"
	@echo "make docs    regenerate the architecture, state machine and event catalog pages from cdk.out, and docs/openapi.json"

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The project itself, editable, for its console script orders-cli (pyproject.toml); "compat" puts the repository root
# on the venv's path, so the CLI imports localcloud/ and scenarios/ from anywhere.
$(VENV)/.project: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e . --config-settings editable_mode=compat
	@touch $@

deps: $(VENV)/.installed $(VENV)/.project node_modules/.installed

cdk.out/manifest.json: $(SOURCES) | deps
	$(CDK) synth --quiet > /dev/null
	@touch $@

synth: deps
	$(CDK) synth --quiet

demo: cdk.out/manifest.json
	$(PY) -m scenarios.demo --cdk-out cdk.out --report reports/demo.json

PORT ?= 4566
serve: cdk.out/manifest.json
	$(VENV)/bin/orders-cli local serve --cdk-out cdk.out --port $(PORT)

# Lint first: a type or lint error fails in seconds, before the suite's minutes.
test: lint
	$(PY) -m pytest -n 2 --dist loadgroup

# The same checks as .pre-commit-config.yaml; pyproject.toml configures them.
lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: cdk.out/manifest.json
	$(PY) -m bench --cdk-out cdk.out --samples 15 --orders 50 --json reports/bench.json --docs docs/benchmarks.md

N ?= 10000
SEED ?= 7
chaos: cdk.out/manifest.json
	$(PY) -m chaos --orders $(N) --seed $(SEED) --report reports/chaos.json

# Diagrams and the event catalog, from the synthesized templates and the event models (tests/docs checks they are fresh).
docs: cdk.out/manifest.json
	$(PY) -m docgen --cdk-out cdk.out --docs docs
	$(PY) -m docgen.openapi docs/openapi.json

diff: deps
	$(CDK) diff --all

deploy: deps
	$(CDK) deploy --all

# cdk asks before deleting each stage's stacks; resources with a Retain policy (the tables, the keys, the audit log)
# stay in the account, so a destroyed stage keeps its data.
destroy: deps
	$(CDK) destroy --all $(if $(FORCE),--force)

clean:
	rm -rf cdk.out reports .pytest_cache
