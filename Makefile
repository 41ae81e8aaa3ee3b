# MTCR Desk: every set-up step lives here, so that two commands work on a fresh machine.
#   make run    build what is needed and open the app on the demo database
#   make test   build what is needed and run the whole test suite offscreen
#   make bench  run the benchmarks and write bench/RESULTS.md
#   make package        build the packaged app in dist/ (see packaging/README.md)
#   make package-smoke  build it and check that it starts without any venv
# All targets are safe to re-run; set-up is skipped when nothing changed.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched after a successful install; pyproject.toml changes trigger a reinstall.
INSTALLED := $(VENV)/.installed

.PHONY: run test bench screenshots data lint system-libs-offscreen system-libs-window system-libs-bench system-libs-package clean \
	package package-smoke

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

system-libs-bench:
	@packaging/install-system-libs.sh bench

# The benchmarks also need WeasyPrint (the memo baseline), installed only for them.
$(VENV)/.bench-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	touch $@

bench: $(INSTALLED) $(VENV)/.bench-installed system-libs-bench
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

# --- the packaged application (PyInstaller, one folder): packaging/README.md --------------
# Built from a venv of its own holding only what the app runs on (no test tools) plus
# PyInstaller, so that nothing else ends up in the bundle.
PACKAGE_VENV := build/package-venv
PACKAGE_BIN := $(PACKAGE_VENV)/bin
# Touched after the build venv got its libraries; pyproject.toml changes trigger a reinstall.
PACKAGE_INSTALLED := $(PACKAGE_VENV)/.installed
# Besides the app's own dependencies: PyInstaller, and setuptools and wheel to reinstall the
# app on every build without fetching them (--no-build-isolation).
PACKAGE_TOOLS := 'pyinstaller>=6.10,<7' 'setuptools>=77' wheel

$(PACKAGE_BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "MTCR Desk needs Python 3.11 or newer (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'
	$(PYTHON) -m venv $(PACKAGE_VENV)

$(PACKAGE_INSTALLED): pyproject.toml | $(PACKAGE_BIN)/python
	$(PACKAGE_BIN)/python -m pip install --quiet --disable-pip-version-check . $(PACKAGE_TOOLS)
	touch $@

system-libs-package:
	@packaging/install-system-libs.sh package

package: $(PACKAGE_INSTALLED) system-libs-package
	packaging/build.sh $(PACKAGE_BIN)/python

# Builds the package, then runs its --smoke in a clean environment (what CI runs).
package-smoke: system-libs-package
	packaging/smoke-test.sh

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build dist *.egg-info
