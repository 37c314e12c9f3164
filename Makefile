# Two commands for people: `make run` and `make test`. Both build the virtual environment first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint bench-quick clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

run: install
	@echo "命令行工具 leye 在 $(CURDIR)/$(BIN)/leye：在仓库根目录运行 $(BIN)/leye …，或在新终端先 source $(BIN)/activate 再直接运行 leye …"
	$(BIN)/leye up --demo

test: lint
	$(BIN)/python -m pytest

# ruff on everything; mypy, strict on schemas/ and services/runtime/ ([tool.mypy]); the import contracts
# ([tool.importlinter]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo

clean:
	rm -rf $(VENV) var .pytest_cache
