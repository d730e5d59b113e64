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

run: $(VENV)/.installed console
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

e2e: $(VENV)/.installed console chromium
	$(PY) -m pytest tests/e2e -q

openapi: $(VENV)/.installed
	$(PY) -m infra.openapi --write

# Runs every bench/ script, prints one table of figures and targets, writes bench/report.md;
# e.g. make bench ARGS='--webhook-seconds 10' for a shorter webhook load.
bench: $(VENV)/.installed
	$(PY) bench/report.py $(ARGS)

# Needs AWS credentials and internet; not runnable on the development machine.
deploy: $(TOOLS)/.installed
	$(TOOLS)/bin/sam build --template-file template.yaml
	$(TOOLS)/bin/sam deploy --guided

clean:
	rm -rf $(VENV) $(TOOLS) .local .local-test .aws-sam console/node_modules console/dist

# Plays the customer against the running stack, e.g. make customer ARGS='text "Hi there"'.
customer: $(VENV)/.installed
	$(PY) -m infra.local.customer $(ARGS)

# ---------------------------------------------------------------- console (console/README.md)
.PHONY: console chromium console-screenshots
CHROMIUM := /usr/bin/chromium
CONSOLE_SOURCES := $(shell find console/src console/public -type f ! -name '*.gen.ts' 2>/dev/null) \
	console/index.html console/vite.config.ts console/tsconfig.json functions/docs/openapi.json

# The static app in console/dist, which the local stack serves at /console.
console: console/dist/index.html

console/node_modules/.installed: console/package.json console/package-lock.json
	@command -v npm >/dev/null || { echo "the console needs Node.js (20.19+) and npm" >&2; exit 1; }
	cd console && npm ci --no-audit --no-fund --loglevel=error
	touch $@

console/dist/index.html: console/node_modules/.installed $(CONSOLE_SOURCES)
	cd console && npm run --silent build

# The browser for the console's tests: Debian's chromium (browser downloads are not possible here), and
# an emoji font so that reactions and the clock tick show in screenshots instead of empty boxes.
BROWSER_PACKAGES := chromium fonts-noto-color-emoji
EMOJI_FONT := /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
chromium:
	@if [ ! -x $(CHROMIUM) ] || [ ! -f $(EMOJI_FONT) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's $(BROWSER_PACKAGES) for the console's browser tests"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null || \
	      { apt-get update -qq && apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; }; \
	  elif [ ! -x $(CHROMIUM) ]; then \
	    echo "the console's browser tests need Debian's chromium at $(CHROMIUM): sudo apt-get install -y $(BROWSER_PACKAGES)" >&2; \
	    exit 1; \
	  else \
	    echo "no emoji font: screenshots show emoji as boxes (sudo apt-get install -y fonts-noto-color-emoji)"; \
	  fi; \
	fi

# Runs the browser tests and keeps their screenshots in console/screenshots (the README shows them).
console-screenshots: $(VENV)/.installed console chromium
	CONSOLE_SCREENSHOT_DIR=$(CURDIR)/console/screenshots $(PY) -m pytest tests/e2e/test_console.py -q
