# Two commands do all the set-up on a fresh machine:
#   make lab    start JupyterLab on notebooks/ (installs into .venv first if needed)
#   make test   run the whole test suite (pytest over tests/ and the notebooks under nbval)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.equitykit-installed

.PHONY: install lab test handouts notebooks bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@test -x /usr/bin/chromium || echo "note: the browser test (tests/test_browser.py) needs Debian's Chromium: sudo apt-get install -y chromium (it skips without it, except under CI=true)"
	@touch $(STAMP)

install: $(STAMP)

# JupyterLab refuses to start as root (common on cloud machines and containers) unless told it may.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: install
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ALLOW_ROOT)

# Notebooks: generated versions must be current; then every notebook runs top to bottom under
# nbval's lax rules, the sources with their solutions (a rejected solution fails the run) and the
# learner versions with their stubs (the new user's walk).
NBVAL := $(BIN)/python -m pytest -q --nbval-lax --nbval-current-env -p no:cacheprovider

test: install
	$(BIN)/python -m pytest --doctest-modules equitykit tests
	$(BIN)/python tools/build_notebooks.py --check
	EQUITYKIT_STRICT_CHECKS=1 $(NBVAL) workshop/source/*.ipynb
	$(NBVAL) notebooks/*.ipynb

handouts: install
	$(BIN)/equitykit handouts workshop/teams.yaml --out build/handouts

bench: install
	@for f in benchmarks/*_bench.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) build .pytest_cache
