# attnwidget: `make demo` and `make test` set everything up on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
NPM := npm --prefix js
JS_SOURCES := $(shell find js/src -type f 2>/dev/null) js/build.mjs js/package.json
BUNDLE := attnwidget/static/widget.js

.PHONY: setup demo test test-dispatch lint bench notebooks clean

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

lint: setup
	$(PY) -m ruff check attnwidget tests benchmarks .ci
	$(VENV)/bin/lint-imports
	$(NPM) run typecheck

test: setup lint
	$(NPM) test
	$(PY) -m pytest

# --- the passes CI runs after `make test` ----------------------------------------------------
# The tests that need no browser (tutorial notebooks included), once more in other conditions.
NOT_BROWSER := -m "not browser" -p no:cacheprovider

# ... under another CPU dispatch (numpy's baseline SIMD, OpenBLAS's generic kernels): the engine's
# last bits differ from the first pass, as on another machine (.ci/dispatch.py shows the two and
# fails if they compute the same bits). The JS parity test also meets the fixture rendered there.
test-dispatch: setup
	mkdir -p build
	$(PY) .ci/dispatch.py --fixture build/parity-dispatch.json -- $(PY) -m pytest $(NOT_BROWSER)
	ATTNWIDGET_PARITY=$(CURDIR)/build/parity-dispatch.json $(NPM) test -- tests/parity.test.ts

notebooks: setup
	rm -rf build/notebooks && mkdir -p build/notebooks && cp notebooks/*.ipynb build/notebooks/
	cd build/notebooks && for nb in *.ipynb; do \
	  ../../$(PY) -m jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.store_widget_state=False $$nb && \
	  ../../$(PY) -m jupyter nbconvert --to html $$nb || exit 1; \
	done
	@echo "executed notebooks (with outputs) and offline HTML pages in build/notebooks/"

bench: setup
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) js/node_modules attnwidget/static build dist
