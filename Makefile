# mlstudy developer commands. `make run` starts the app, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint cli screenshots bench dist clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/mlstudy $(ARGS)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m mlstudy.gui.screenshots docs/screenshots

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/interop_bench.py

# The Linux bundle: dist/mlstudy/ (onedir) and dist/mlstudy-<version>-linux-<arch>.tar.gz.
# Windows and macOS build theirs with their own spec (README, "Build the bundles").
dist: $(STAMP)
	$(BIN)/python -c 'import PyInstaller' 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[packaging]'
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
		packaging/mlstudy-linux.spec
	@version=$$($(BIN)/python packaging/common.py --version) && \
	tarball=dist/mlstudy-$$version-linux-$$(uname -m).tar.gz && \
	tar -C dist --owner=0 --group=0 --numeric-owner -czf $$tarball mlstudy && \
	echo "bundle   dist/mlstudy/  $$(du -sm dist/mlstudy | cut -f1) MB" && \
	echo "tarball  $$tarball  $$(du -m $$tarball | cut -f1) MB"

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
