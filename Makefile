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

# The samples are 2023 reports: templates for the roster, then the collection of the sample
# inbox (it has faulty samples on purpose, so collect exits 1; the demo goes on).
demo: $(STAMP)
	rm -rf demo-output
	$(BIN)/toolkit template --year 2023 --roster samples/roster.csv -o demo-output/templates
	$(BIN)/toolkit collect samples/inbox --year 2023 --roster samples/roster.csv -o demo-output/collect || test $$? -eq 1
	@echo
	@echo "Demo outputs: demo-output/templates/ (blank templates), demo-output/collect/ (findings.json,"
	@echo "findings.csv, summary.xlsx, data.json, reports/*.docx)"

test: $(STAMP)
	$(BIN)/pytest -q

samples: $(STAMP)
	$(BIN)/python samples/make_samples.py

# Speed at provincial scale: N = 100 and 1,000 agencies; `make bench N=10000` adds that size.
# Writes benchmarks/RESULTS.md; generated inboxes are cached in benchmarks/.cache/.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py $(if $(N),--also $(N))

clean:
	rm -rf $(VENV) demo-output .pytest_cache
