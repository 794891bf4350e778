# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
# Both create .venv first. torch is installed on its own, pinned, before anything that
# depends on it: a looser pin makes pip fetch a CUDA build of several GB.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit venv clean system docs bench-spark-env bench-spark

venv: $(STAMP)

$(STAMP): pyproject.toml setup.py Makefile src/embedlab/formats/_parse_kernels.c src/embedlab/neighbors/_select_kernels.c src/embedlab/train/_corpus_kernels.c
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[viz,web,ann,graph,dev,docs]"
	touch $(STAMP)

demo: $(STAMP) system
	$(VENV)/bin/embedlab demo

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/lint-imports --no-logo

typecheck: $(STAMP)
	$(VENV)/bin/mypy --strict src/embedlab

# System packages from Debian: Chromium for the browser tests (Playwright cannot download its
# own here) and Fashion-MNIST for the text+image model. Tests that need them skip without them.
SYSTEM_PACKAGES := chromium dataset-fashion-mnist
system:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "not root: cannot install $$missing; tests that need them will skip"; fi; \
	fi

unit: $(STAMP) system
	$(VENV)/bin/pytest -q

test: lint typecheck unit

# The manual: MkDocs Material + mkdocstrings into site/; --strict turns a broken link or an
# API name that no longer resolves into a failure (tests/test_docs_build.py runs it too).
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir site

# Spark MLlib for benchmarks/bench_spark.py, in a virtualenv of its own (benchmarks/.venv-spark,
# about 600 MB with pyspark from PyPI; gitignored). Spark needs a JDK 17 or 21 (JAVA_HOME, or
# Debian's openjdk-17 under /usr/lib/jvm).
bench-spark-env:
	python3 benchmarks/bench_spark.py --setup-only

bench-spark: $(STAMP) bench-spark-env
	$(PY) benchmarks/bench_spark.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache site
