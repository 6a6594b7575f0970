# Two commands on a fresh machine:  make demo   and   make test
# Each creates .venv (and installs what the system lacks) when it is missing.

# mediapipe 0.10.21 runs on Python 3.9 to 3.12: take the newest of those available.
PYTHON ?= $(shell for p in python3.12 python3.11 python3.10 python3.9 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not (3, 9) <= sys.version_info[:2] <= (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench samples art wheel clean system-deps

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: facefilters needs Python 3.9 to 3.12 (mediapipe 0.10.21)"; exit 1; }
	@bash scripts/system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)  ## Run the demo: the live window with a camera, else filter the sample clip.
	$(BIN)/facefilters demo

test: $(STAMP)  ## Run every test, end-to-end ones included.
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts samples

bench: $(STAMP)  ## Measure speed and smoothing; writes docs/BENCHMARKS.md.
	$(BIN)/python bench/run.py

samples: $(STAMP)  ## Re-make samples/ from the public-domain photos.
	$(BIN)/python samples/make_samples.py

art: $(STAMP)  ## Re-draw the built-in filters' art.
	$(BIN)/python scripts/make_art.py
	$(BIN)/python scripts/make_textures.py

wheel: $(STAMP)
	$(BIN)/python -m build --wheel --outdir dist

system-deps:
	@bash scripts/system-deps.sh

clean:
	rm -rf $(VENV) dist build demo-output .pytest_cache
