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
	@touch $(STAMP)

install: $(STAMP)

lab: install
	$(BIN)/jupyter lab --notebook-dir=notebooks

test: install
	$(BIN)/python -m pytest --doctest-modules equitykit tests
	$(BIN)/python -m pytest --nbval-lax -p no:cacheprovider notebooks/*.ipynb

handouts: install
	$(BIN)/equitykit handouts workshop/teams.yaml --out build/handouts

bench: install
	@for f in benchmarks/*_bench.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) build .pytest_cache
