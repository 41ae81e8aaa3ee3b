# MTCR Desk: every set-up step lives here, so that two commands work on a fresh machine.
#   make run    build what is needed and open the app on the demo database
#   make test   build what is needed and run the whole test suite offscreen
#   make bench  run the benchmarks and write bench/RESULTS.md
# All targets are safe to re-run; set-up is skipped when nothing changed.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched after a successful install; pyproject.toml changes trigger a reinstall.
INSTALLED := $(VENV)/.installed

.PHONY: run test bench screenshots data lint system-libs-offscreen system-libs-window clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "MTCR Desk needs Python 3.11 or newer (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

system-libs-offscreen:
	@packaging/install-system-libs.sh offscreen

system-libs-window:
	@packaging/install-system-libs.sh window

run: $(INSTALLED) system-libs-window
	@echo "Demo sign-in: olga.officer / demo-officer (officer), sam.senior / demo-senior (senior officer); more in README.md"
	$(BIN)/mtcr-desk --demo

test: $(INSTALLED) system-libs-offscreen
	QT_QPA_PLATFORM=offscreen LANG=C.UTF-8 $(BIN)/python -m pytest -q

bench: $(INSTALLED) system-libs-offscreen
	QT_QPA_PLATFORM=offscreen LANG=C.UTF-8 $(BIN)/python bench/run_all.py

# Regenerate docs/screenshots/*.png from the demo database (look at every one afterwards).
screenshots: $(INSTALLED) system-libs-offscreen
	QT_QPA_PLATFORM=offscreen LANG=C.UTF-8 $(BIN)/python docs/make_screenshots.py

# Rebuild database/control_lists/ and database/reference/ from database/sources/.
data: | $(BIN)/python
	$(BIN)/python database/scripts/build_control_lists.py
	$(BIN)/python database/scripts/build_reference_data.py

lint: $(INSTALLED)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check ruff
	$(BIN)/ruff check mtcr_desk tests bench database/scripts

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build dist *.egg-info
