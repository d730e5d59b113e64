# The README's two commands, `make run` and `make test`, work on a fresh clone: they create the
# virtual environments and install what they need first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
TOOLS := .venv-tools
PY := $(VENV)/bin/python
export AWS_DEFAULT_REGION ?= eu-central-1
export SAM_CLI_TELEMETRY := 0

.PHONY: run test lint typecheck template-lint unit e2e bench openapi deploy clean customer

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet '.[dev]'
	touch $@

# aws-sam-cli pins older Powertools/moto releases: a separate environment keeps the product's pins clean.
$(TOOLS)/.installed: tools-requirements.txt
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet -r tools-requirements.txt
	touch $@

run: $(VENV)/.installed
	$(PY) -m infra.local

test: lint typecheck template-lint unit e2e

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

template-lint: $(TOOLS)/.installed
	$(TOOLS)/bin/cfn-lint template.yaml
	$(TOOLS)/bin/sam validate --lint --template-file template.yaml

unit: $(VENV)/.installed
	$(PY) -m pytest tests/unit -q

e2e: $(VENV)/.installed
	$(PY) -m pytest tests/e2e -q

openapi: $(VENV)/.installed
	$(PY) -m infra.openapi --write

bench: $(VENV)/.installed
	$(PY) bench/cold_start.py
	$(PY) bench/webhook.py
	$(PY) bench/template_sync.py
	$(PY) bench/send.py

# Needs AWS credentials and internet; not runnable on the development machine.
deploy: $(TOOLS)/.installed
	$(TOOLS)/bin/sam build --template-file template.yaml
	$(TOOLS)/bin/sam deploy --guided

clean:
	rm -rf $(VENV) $(TOOLS) .local .local-test .aws-sam

# Plays the customer against the running stack, e.g. make customer ARGS='text "Hi there"'.
customer: $(VENV)/.installed
	$(PY) -m infra.local.customer $(ARGS)
