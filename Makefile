# The two commands: `make run` (the local region) and `make test` (every test layer).
# Both install what they need: Python packages into .venv, the local OpenID provider's npm packages
# into local/idp/node_modules and the Nu HTML Checker into tools/html-checker/node_modules (Node.js and
# npm from the machine), Debian's Chromium for browser tests and a Java runtime for the checker.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
IDP := local/idp
HTML_CHECKER := tools/html-checker

.PHONY: catalogs routes run test install chromium java bench asset unit integration e2e infra synth deploy fuzz

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# The local OpenID provider (panva's oidc-provider), exactly as package-lock.json pins it.
$(IDP)/node_modules/.installed: $(IDP)/package.json $(IDP)/package-lock.json
	npm ci --prefix $(IDP) --no-audit --no-fund
	touch $@

# The Nu HTML Checker (vnu.jar, in the npm package vnu-jar), exactly as package-lock.json pins it. Its
# install script would fetch a Java runtime from outside when none is on PATH: the `java` target
# installs Debian's instead, so the script is not run.
$(HTML_CHECKER)/node_modules/.installed: $(HTML_CHECKER)/package.json $(HTML_CHECKER)/package-lock.json
	npm ci --prefix $(HTML_CHECKER) --no-audit --no-fund --ignore-scripts
	touch $@

install: $(VENV)/.installed $(IDP)/node_modules/.installed $(HTML_CHECKER)/node_modules/.installed

# Playwright's own browser download cannot work here; the tests drive Debian's Chromium.
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

# The HTML checker runs on Java (tests/integration/test_html_valid.py): Debian's when the machine has none.
java:
	@command -v java >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq default-jre-headless; }

run: install routes
	$(PY) -m local.stack

test: install chromium java
	$(PY) -m pytest tests

unit: install
	$(PY) -m pytest tests/unit

integration: install java
	$(PY) -m pytest tests/integration

e2e: install chromium
	$(PY) -m pytest tests/e2e

# Schemathesis against the OpenAPI document, in process: `make test` sends 2,000 generated calls, this 10,000.
FUZZ_CALLS ?= 10000
fuzz: install
	FUZZ_CALLS=$(FUZZ_CALLS) $(PY) -m pytest tests/integration/test_fuzz_openapi.py

bench: install asset
	$(PY) -m bench

# The Lambda code asset as synth and deploy build it (infra/asset.py): compiled bytecode, the runtime's
# own AWS SDK, nothing that does not run. Writes out/asset.zip, unpacked in out/asset/, and prints its size.
asset: install routes
	$(PY) -m infra.asset

# chalicelib/api/route_table.py from the areas' Blueprints (chalicelib/api/areas.py): after adding a route.
routes: install
	$(PY) -m chalicelib.api.areas

# One stack per region: infra/regions/$(REGION).json. Synth needs Node.js (jsii), which this machine has.
REGION ?= demo
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION = 1

synth: install
	REGION=$(REGION) $(PY) -m infra.app
	rm -rf chalice.out  # chalice package's scratch space; the code asset is in cdk.out
	@echo "Template: cdk.out/eservices-$(REGION).template.json"

# Deploys with the operator's AWS credentials (AWS_PROFILE or the usual environment); run
# `npx aws-cdk@2 bootstrap` once per account and region first.
deploy: install
	REGION=$(REGION) npx --yes aws-cdk@2 deploy --app "$(PY) -m infra.app" --require-approval broadening eservices-$(REGION)

# The text catalogues compiled to .mo (pages compile a changed .po on first use; the asset build always does).
catalogs: install
	$(PY) -m chalicelib.catalogs
