# NN Explorer: `make run` opens the app, `make test` runs the suite; both set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Qt's xcb platform plugin needs these on Debian/Ubuntu; a fresh machine often lacks them.
XCB_PACKAGES := libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 \
	libxcb-render-util0 libxcb-xkb1 libxkbcommon-x11-0 libxcb-shape0 libxcb-randr0 \
	libxcb-xinerama0 libxcb-xfixes0 libegl1 libfontconfig1 libdbus-1-3

.PHONY: run test lint export bench fuzz soak icons wheel-check xcb-libs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.app-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m compileall -q explorer
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	$(BIN)/python -m compileall -q explorer
	touch $@ $(VENV)/.app-installed

xcb-libs:
	@if command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then \
		missing=""; \
		for p in $(XCB_PACKAGES); do \
			dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
		done; \
		if [ -n "$$missing" ]; then \
			echo "Installing Qt's window-system libraries:$$missing"; \
			if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
			$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
		fi; \
	fi

run: $(VENV)/.app-installed xcb-libs
	$(BIN)/python app.py

# Two worker processes (the machine's two cores), each running whole test files, so a module's
# shared panel is built once.
test: $(VENV)/.test-installed
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n 2 --dist loadfile

lint: $(VENV)/.test-installed
	$(BIN)/ruff check explorer tests tools app.py
	$(BIN)/lint-imports

export: $(VENV)/.app-installed
	$(BIN)/python app.py --export screenshots

# make bench: every control of every panel against its budget, figures into bench.json.
bench: $(VENV)/.test-installed
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m explorer.bench --json bench.json

fuzz: $(VENV)/.test-installed
	HYPOTHESIS_PROFILE=fuzz QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest tests -k "model or views" -q

# The long soak: 20,000 frames of every animated panel (make test runs 1,500).
soak: $(VENV)/.test-installed
	NN_SOAK_FRAMES=20000 QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest tests/test_soak.py -q

# The icon's PNGs, rendered from resources/nn-explorer.svg (commit them with the SVG).
icons: $(VENV)/.app-installed
	$(BIN)/python tools/render_icons.py

# The app as a user installs it: the wheel built, installed into a new virtual environment
# outside the checkout and run from another folder; tests/test_wheel.py then checks what it
# printed and drew. The work folder is removed when all is well and kept (named) when not.
wheel-check: $(VENV)/.test-installed
	@set -e; work=$$(mktemp -d -t nn-explorer-wheel-check.XXXXXX); \
	echo "wheel-check: building, installing and running the wheel in $$work"; \
	rm -rf build; \
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir "$$work/dist" .; \
	$(PYTHON) -m venv "$$work/venv"; \
	"$$work/venv/bin/python" -m pip install --quiet "$$work"/dist/*.whl; \
	mkdir "$$work/elsewhere"; \
	(cd "$$work/elsewhere" && "$$work/venv/bin/nn-explorer" --version > "$$work/version.txt" \
		&& "$$work/venv/bin/nn-explorer" --export "$$work/export" > "$$work/export.txt"); \
	NN_EXPLORER_WHEEL_CHECK="$$work" QT_QPA_PLATFORM=offscreen \
		$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_wheel.py; \
	rm -rf "$$work"

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
