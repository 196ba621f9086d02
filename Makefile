# Two set-up commands on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench samples clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	rm -rf demo-output
	$(BIN)/toolkit template --year 2024 --roster samples/roster.csv -o demo-output/templates
	@echo "Templates are in demo-output/templates/"

test: $(STAMP)
	$(BIN)/pytest -q

samples: $(STAMP)
	$(BIN)/python samples/make_samples.py

clean:
	rm -rf $(VENV) demo-output .pytest_cache
