# Every target creates the virtual environment and installs the pinned versions when missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8501

.PHONY: run test lint fmt bench demo clean bytecode

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

# The project's own modules byte-compiled, as pip does for an installed package (an editable install is
# not, and where bytecode is not written every `aims` command would compile them first: 0.05 s).
bytecode: $(STAMP)
	$(PY) -m compileall -q app.py cli.py loaders store metrics exports ui pages demo bench >/dev/null

run: $(STAMP) bytecode
	$(VENV)/bin/aims demo --if-empty
	$(PY) -m streamlit run app.py --server.address $(HOST) --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

test: $(STAMP) lint
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP) bytecode
	$(PY) -m bench

demo: $(STAMP)
	$(VENV)/bin/aims demo

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
