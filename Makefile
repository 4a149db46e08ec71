# Jalon — two commands: `make demo` (set up, then run the demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test setup lint clean assets chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# The State design system (DSFR) from npm, copied into the web app's static folder (git-ignored).
# Its pre-install script refuses outside its own initialiser, hence --ignore-scripts.
DSFR_VERSION := 1.15.3
NPM_DIR := build/dsfr
DSFR_STATIC := src/jalon/web/static/dsfr
$(DSFR_STATIC)/.version-$(DSFR_VERSION):
	mkdir -p $(NPM_DIR)
	test -f $(NPM_DIR)/package.json || echo '{"name":"jalon-assets","private":true}' > $(NPM_DIR)/package.json
	cd $(NPM_DIR) && npm install --ignore-scripts --no-audit --no-fund @gouvfr/dsfr@$(DSFR_VERSION)
	rm -rf $(DSFR_STATIC) && mkdir -p $(DSFR_STATIC)
	cp -R $(NPM_DIR)/node_modules/@gouvfr/dsfr/dist/. $(DSFR_STATIC)/
	touch $@

# axe-core from npm, for the browser test that audits every page's accessibility (git-ignored,
# served only to that test: no page links to it).
AXE_VERSION := 4.11.0
AXE_NPM_DIR := build/axe
AXE_STATIC := src/jalon/web/static/axe
$(AXE_STATIC)/.version-$(AXE_VERSION):
	mkdir -p $(AXE_NPM_DIR)
	test -f $(AXE_NPM_DIR)/package.json || echo '{"name":"jalon-axe","private":true}' > $(AXE_NPM_DIR)/package.json
	cd $(AXE_NPM_DIR) && npm install --ignore-scripts --no-audit --no-fund axe-core@$(AXE_VERSION)
	rm -rf $(AXE_STATIC) && mkdir -p $(AXE_STATIC)
	cp $(AXE_NPM_DIR)/node_modules/axe-core/axe.min.js $(AXE_NPM_DIR)/node_modules/axe-core/LICENSE $(AXE_STATIC)/
	touch $@

assets: $(DSFR_STATIC)/.version-$(DSFR_VERSION) $(AXE_STATIC)/.version-$(AXE_VERSION)

# Debian's Chromium for the browser tests (Playwright never downloads its own browser).
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
chromium:
	@test -x /usr/bin/chromium || ($(SUDO) apt-get update && $(SUDO) apt-get install -y chromium)

demo: $(STAMP) assets
	$(BIN)/jalon demo --db jalon-demo.duckdb

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy

test: lint assets chromium
	$(BIN)/pytest

clean:
	rm -rf $(VENV) jalon-demo.duckdb .pytest_cache .mypy_cache .ruff_cache $(NPM_DIR) $(DSFR_STATIC) $(AXE_NPM_DIR) $(AXE_STATIC)
