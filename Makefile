# attnwidget: `make demo` and `make test` set everything up on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
NPM := npm --prefix js
JS_SOURCES := $(shell find js/src -type f 2>/dev/null) js/build.mjs js/build-options.mjs js/build-globals.mjs js/package.json
BUNDLE := attnwidget/static/widget.js

.PHONY: setup demo test test-dispatch test-lowest lint bench notebooks docs screenshots clean

setup: $(VENV)/.installed $(BUNDLE)

js/node_modules/.installed: js/package.json js/package-lock.json
	$(NPM) ci --no-audit --no-fund
	touch $@

$(BUNDLE): js/node_modules/.installed $(JS_SOURCES)
	$(NPM) run build

# SKIP_JUPYTER_BUILDER: the bundle is built above. (An editable build would run `npm install`
# again, which rewrites js/package-lock.json, so every make would redo npm ci and the venvs.)
$(VENV)/.installed: pyproject.toml $(BUNDLE)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -U pip
	SKIP_JUPYTER_BUILDER=1 $(PY) -m pip install -q --disable-pip-version-check -e ".[dev]"
	touch $@

demo: setup
	$(PY) -m attnwidget demo --out attention-demo.html

# The tests of attnwidget.capture need torch and transformers (the `torch` extra), which `make
# demo` and the core install do without. torch first and pinned: the CPU build (a newer or
# unpinned torch would pull a CUDA build of several GB); then transformers, pinned to the version
# the tests were run with. About 2.5 min and +1.0 GB in .venv.
TORCH_VERSION := 2.13.0
TRANSFORMERS_VERSION := 5.24.0

$(VENV)/.torch-installed: $(VENV)/.installed
	$(PY) -m pip install -q --disable-pip-version-check torch==$(TORCH_VERSION)
	$(PY) -m pip install -q --disable-pip-version-check transformers==$(TRANSFORMERS_VERSION)
	touch $@

lint: setup
	$(PY) -m ruff check attnwidget tests benchmarks .ci
	$(VENV)/bin/lint-imports
	$(NPM) run typecheck
	$(NPM) run lint:deps

test: setup $(VENV)/.torch-installed lint
	$(NPM) test
	$(PY) -m pytest

# --- the passes CI runs after `make test` ----------------------------------------------------
# The tests that need no browser (tutorial notebooks included), once more in other conditions.
NOT_BROWSER := -m "not browser" -p no:cacheprovider

# ... under another CPU dispatch (numpy's baseline SIMD, OpenBLAS's generic kernels): the engine's
# last bits differ from the first pass, as on another machine (.ci/dispatch.py shows the two and
# fails if they compute the same bits). The JS parity test also meets the fixture rendered there.
test-dispatch: setup $(VENV)/.torch-installed
	mkdir -p build
	$(PY) .ci/dispatch.py --fixture build/parity-dispatch.json -- $(PY) -m pytest $(NOT_BROWSER)
	ATTNWIDGET_PARITY=$(CURDIR)/build/parity-dispatch.json $(NPM) test -- tests/parity.test.ts

# ... with the runtime dependencies at the lowest versions pyproject.toml admits (.ci/lowest.txt,
# checked against it by .ci/lowest.py), in their own venv. Playwright is not installed there, so
# tests/browser (every test in it is marked browser) is not even collected; nor are torch and
# transformers (the optional `torch` extra), so tests/test_capture.py is not collected either,
# and the run of notebook 07 (it trains a model with them) is deselected.
PYTHON_LOWEST ?= python3.11
VENV_LOWEST := .venv-lowest
PY_LOWEST := $(VENV_LOWEST)/bin/python

$(VENV_LOWEST)/.installed: pyproject.toml .ci/lowest.txt .ci/lowest.py $(BUNDLE) $(VENV)/.installed
	$(PY) .ci/lowest.py
	rm -rf $(VENV_LOWEST)
	$(PYTHON_LOWEST) -m venv $(VENV_LOWEST)
	$(PY_LOWEST) -m pip install -q --disable-pip-version-check -U pip
	SKIP_JUPYTER_BUILDER=1 $(PY_LOWEST) -m pip install -q --disable-pip-version-check \
	  --only-binary=numpy,matplotlib -e . -r .ci/lowest.txt
	touch $@

test-lowest: $(VENV_LOWEST)/.installed
	$(PY) .ci/lowest.py
	$(PY_LOWEST) -m pip list --disable-pip-version-check 2>/dev/null \
	  | grep -iE '^(numpy|anywidget|ipywidgets|matplotlib) '
	$(PY_LOWEST) -m pytest $(NOT_BROWSER) --ignore=tests/browser --ignore=tests/test_capture.py \
	  --deselect "tests/test_notebooks.py::test_notebook_runs_clean[07-a-real-transformer]"

notebooks: setup $(VENV)/.torch-installed
	rm -rf build/notebooks && mkdir -p build/notebooks && cp notebooks/*.ipynb build/notebooks/
	cd build/notebooks && for nb in *.ipynb; do \
	  ../../$(PY) -m jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.store_widget_state=False $$nb && \
	  ../../$(PY) -m jupyter nbconvert --to html $$nb || exit 1; \
	done
	@echo "executed notebooks (with outputs) and offline HTML pages in build/notebooks/"

# The tutorial site: the seven notebooks executed by myst-nb, built by Sphinx with the Furo theme
# (docs/site/conf.py), every widget live offline through attnwidget.sphinx. About a minute.
DOCS_SRC ?= build/docs-src
DOCS_OUT ?= build/docs
docs: setup $(VENV)/.torch-installed
	rm -rf $(DOCS_SRC) $(DOCS_OUT) && mkdir -p $(DOCS_SRC)
	cp docs/site/conf.py docs/site/index.md notebooks/*.ipynb $(DOCS_SRC)/
	MPLBACKEND=Agg $(PY) -m sphinx -b html -q -W --keep-going $(DOCS_SRC) $(DOCS_OUT)
	@echo "the tutorial site: $(DOCS_OUT)/index.html"

bench: setup
	$(PY) benchmarks/run.py

# JupyterLab light and dark at 1400 and 570 px, and an exported page, into docs/screenshots/.
screenshots: setup
	$(PY) docs/screenshots.py

clean:
	rm -rf $(VENV) $(VENV_LOWEST) js/node_modules attnwidget/static build dist
