# Two entry points that work on a fresh Debian machine (as root, or with sudo):
#   make demo   install everything, then generate the seed-42 exam with PDFs
#   make test   install everything, then run the linter and the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
TEX_PACKAGES := texlive-latex-base texlive-latex-recommended texlive-latex-extra \
                texlive-fonts-recommended poppler-utils
# Fonts for students' names in every script (typeset by Typst, see generator/render/names.py).
FONT_PACKAGES := fonts-texgyre fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji
# The shells whose completion the docs give a line for (tests/test_command_names.py runs them).
SHELL_PACKAGES := zsh fish

.PHONY: demo test setup tex fonts shells js lint bench golden clean

demo: setup tex fonts
	@echo "Building the seed-42 exam with its PDFs..."
	$(BIN)/generate-exam --seed 42

test: setup tex fonts shells js lint
	@echo "Running the test suite..."
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

setup: $(VENV)/.installed

# Each step says what it does before it starts; pip lists each package it collects (a bar
# for each download on a terminal, the finished bar alone in a log).
$(VENV)/.installed: pyproject.toml
	@echo "Creating the Python environment in $(VENV)/..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "Installing Python packages (1 to 2 minutes)..."
	$(BIN)/python -m pip install --disable-pip-version-check -e '.[test]'
	@echo "Python packages: installed; the command is $(BIN)/generate-exam"
	touch $@

# Third-party parsers the tests run the LMS exports through (npm registry).
js: tests/js/node_modules/.installed

tests/js/node_modules/.installed: tests/js/package.json tests/js/package-lock.json
	@echo "Installing the JavaScript parsers the tests use (npm)..."
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends nodejs npm; }
	cd tests/js && npm ci --no-audit --no-fund
	touch $@

# Rewrite tests/golden/ after a deliberate change of output (review the diff).
golden: setup
	$(BIN)/python -m tests.golden

bench: setup tex fonts
	$(BIN)/python benchmarks/class_build.py

# TeX Live from Debian's packages, installed only when something is missing.
tex:
	@if command -v pdflatex >/dev/null && command -v pdftotext >/dev/null \
	    && kpsewhich exam.cls >/dev/null; then \
	  echo "TeX Live: present"; \
	else \
	  echo "Installing TeX Live from Debian's packages (several minutes)..."; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	    $(TEX_PACKAGES); \
	fi

# Debian's packages $(1), installed only when one is missing; $(2) says what they are for,
# $(3) what to say when all are there.
define debian_packages
	@missing=$$(for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing $(2): $$missing..."; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	else \
	  echo "$(3): present"; \
	fi
endef

fonts:
	$(call debian_packages,$(FONT_PACKAGES),the fonts for students' names,Fonts)

shells:
	$(call debian_packages,$(SHELL_PACKAGES),the shells the completion tests run,Shells)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis tests/js/node_modules
