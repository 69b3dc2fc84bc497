# Two commands do all the set-up on a fresh machine:
#   make lab    start JupyterLab on notebooks/ (installs the kit into .venv first if needed)
#   make test   run the whole test suite (pytest over tests/ and the notebooks under nbval)
# make dist builds the sdist and the wheel into dist/ (the wheel carries the course files).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Two installs, two stamps: the course alone (make lab), and the course plus the test tools.
LAB_STAMP  := $(VENV)/.equitykit-lab
TEST_STAMP := $(VENV)/.equitykit-test
BUILD_FILES := pyproject.toml setup.py jupyter/equitykit.json
# A wheel installs jupyter/equitykit.json here itself; an editable install (a clone's) does not.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.d/equitykit.json

.PHONY: install lab test dist handouts programme notebooks bench clean hub hub-deps fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(LAB_STAMP): $(BUILD_FILES) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@mkdir -p $(dir $(LAB_SETTINGS)) && cp jupyter/equitykit.json $(LAB_SETTINGS)
	@touch $@

$(TEST_STAMP): $(BUILD_FILES) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@mkdir -p $(dir $(LAB_SETTINGS)) && cp jupyter/equitykit.json $(LAB_SETTINGS)
	@test -x /usr/bin/chromium || echo "note: the browser test (tests/test_browser.py) needs Debian's Chromium: sudo apt-get install -y chromium (it skips without it, except under CI=true)"
	@touch $@ $(LAB_STAMP)

# The developer's install: the course and the test tools.
install: $(TEST_STAMP)

# JupyterLab refuses to start as root (common on cloud machines and containers) unless told it may.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(LAB_STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ALLOW_ROOT)

# Notebooks: generated versions must be current; then every notebook runs top to bottom under
# nbval's lax rules, the sources with their solutions (a rejected solution fails the run) and the
# learner versions with their stubs (the new user's walk).
NBVAL := $(BIN)/python -m pytest -q --nbval-lax --nbval-current-env -p no:cacheprovider

# The workshop hub (workshop/hub/README.md): the `hub` extra into .venv, the proxy from npm into workshop/hub.
HUB_STAMP := $(VENV)/.equitykit-hub

$(HUB_STAMP): $(LAB_STAMP) $(BUILD_FILES) workshop/hub/package-lock.json
	$(BIN)/python -m pip install --quiet -e ".[hub]"
	@command -v npm >/dev/null || { echo "make hub: npm is missing: install Node.js 20 or later with npm (https://nodejs.org)"; exit 1; }
	npm ci --prefix workshop/hub --no-audit --no-fund --loglevel=error
	@touch $@

hub-deps: $(HUB_STAMP)

# Starts the hub on 127.0.0.1 (as root: it makes a system user per participant); prints the address and the code.
hub: hub-deps
	$(BIN)/python workshop/hub/hub_launch.py

test: $(TEST_STAMP) hub-deps
	$(BIN)/python -m pytest --doctest-modules equitykit tests
	$(BIN)/python tools/build_notebooks.py --check
	EQUITYKIT_STRICT_CHECKS=1 $(NBVAL) workshop/source/*.ipynb
	$(NBVAL) notebooks/*.ipynb

handouts: $(LAB_STAMP)
	$(BIN)/equitykit handouts workshop/teams.yaml --out build/handouts

# The sample programme, refreshed with its next fortnight's extract: a copy in build/ keeps the history
# (written beside the programme file) out of workshop/.
programme: $(LAB_STAMP)
	rm -rf build/programme-sample && mkdir -p build && cp -r workshop/programme build/programme-sample
	$(BIN)/equitykit programme build/programme-sample/programme.yaml \
		--update build/programme-sample/extracts/next_fortnight.csv --out build/programme

# Property tests over thousands of awkward frames (make test runs a few hundred).
fuzz: $(TEST_STAMP)
	EQUITYKIT_FUZZ=thorough $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_fuzz.py

bench: $(LAB_STAMP)
	@for f in benchmarks/*_bench.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

# The release files: dist/equitykit-<version>.tar.gz and the wheel built from it.
dist: | $(BIN)/python
	$(BIN)/python -m pip install --quiet "build>=1.2,<2"
	rm -rf dist
	$(BIN)/python -m build --quiet --outdir dist .
	@ls -l dist

clean:
	rm -rf $(VENV) build dist .pytest_cache
