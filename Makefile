# Two commands on a fresh machine:  make demo   and   make test
# Each creates .venv (and installs what the system lacks) when it is missing.

# A Python for the FaceMesh backend (3.9 to 3.12, mediapipe 0.10.21, the fastest) if there
# is one, else one for the Tasks backend (3.13 and later); see scripts/pick-python.sh.
# `make test VENV=.venv-3.13 PYTHON=python3.13` builds and tests a second venv.
PYTHON ?= $(shell bash scripts/pick-python.sh)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench samples art wheel clean system-deps

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: facefilters needs Python 3.9 or later (with venv); none found on PATH or in pyenv"; exit 1; }
	@bash scripts/system-deps.sh
	@test -x $(BIN)/python || bash scripts/pick-python.sh --explain $(PYTHON)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@# MediaPipe may bring its own OpenCV package next to ours; both install cv2.
	@bash scripts/one-cv2.sh $(BIN)/python
	@touch $(STAMP)

demo: $(STAMP)  ## Run the demo: the live window with a camera, else filter the sample clip.
	@$(BIN)/facefilters --version
	$(BIN)/facefilters demo

test: $(STAMP)  ## Run every test, end-to-end ones included.
	@$(BIN)/facefilters --version
	$(BIN)/python -m pytest

lint: $(STAMP)  ## Lint, check the formatting and type-check (CI runs it).
	$(BIN)/ruff check src tests bench scripts samples
	$(BIN)/ruff format --check src tests bench scripts samples
	$(BIN)/python -m mypy

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
