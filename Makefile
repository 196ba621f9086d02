# Two set-up commands on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench samples bundle bundle-check clean

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
	@echo "findings.csv, summary.xlsx, data.json, reminders.csv, history.json, feedback/, reports/*.docx)"

# Lint and types first (seconds), then the suite.
test: $(STAMP)
	$(BIN)/ruff check toolkit tests benchmarks samples
	$(BIN)/mypy
	$(BIN)/pytest -q

samples: $(STAMP)
	$(BIN)/python samples/make_samples.py

# Speed at provincial scale: N = 100 and 1,000 agencies; `make bench N=10000` adds that size.
# Writes benchmarks/RESULTS.md; generated inboxes are cached in benchmarks/.cache/.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py $(if $(N),--also $(N))

# Offline bundle for office PCs with no route to the package registries: dist/ holds the project's
# wheel and every dependency's wheels for Windows x64 and Linux x86-64 (glibc 2.28+), Python
# 3.11-3.13. pip evaluates markers for this machine, so Windows-only dependencies (click's
# colorama) are named. `make bundle-check` installs it into a fresh venv with no index.
BUNDLE_PYTHONS ?= 3.11 3.12 3.13
BUNDLE_PLATFORMS ?= win_amd64 manylinux_2_28_x86_64
WINDOWS_ONLY := colorama

bundle: $(STAMP)
	rm -rf dist build
	$(BIN)/pip wheel -q --no-deps -w dist .
	rm -rf build
	for py in $(BUNDLE_PYTHONS); do for plat in $(BUNDLE_PLATFORMS); do \
	  $(BIN)/pip download -q --only-binary=:all: --implementation cp --python-version $$py --platform $$plat \
	    -d dist dist/toolkit-*.whl $$(test $$plat = win_amd64 && echo $(WINDOWS_ONLY)) || exit 1; \
	done; done
	printf '%s\n' \
	  'Windows: py -m venv .venv && .venv\Scripts\pip install --no-index --find-links dist toolkit' \
	  'Linux:   python3 -m venv .venv && .venv/bin/pip install --no-index --find-links dist/ toolkit' > dist/INSTALL.txt
	@ls dist | wc -l | xargs echo "wheels and note in dist/:"

bundle-check:
	rm -rf /tmp/toolkit-bundle-check
	$(PY) -m venv /tmp/toolkit-bundle-check
	PIP_CONFIG_FILE=/dev/null /tmp/toolkit-bundle-check/bin/pip install -q --no-index --find-links dist/ toolkit
	cd /tmp && /tmp/toolkit-bundle-check/bin/toolkit collect $(CURDIR)/samples/inbox --year 2023 \
	  --roster $(CURDIR)/samples/roster.csv -o /tmp/toolkit-bundle-check/out --publish html,docx || test $$? -eq 1
	test -f /tmp/toolkit-bundle-check/out/site/index.html

clean:
	rm -rf $(VENV) demo-output .pytest_cache
