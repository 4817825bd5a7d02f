# rustssl: `make demo` and `make test` set everything up from a fresh clone.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
DEPS_STAMP := $(VENV)/.deps-installed
BUILD_STAMP := $(VENV)/.rustssl-built
RUST_SOURCES := $(shell find crates -name '*.rs' -o -name Cargo.toml) Cargo.toml Cargo.lock pyproject.toml
PY_SOURCES := $(shell find python -name '*.py' -o -name '*.pyi')

.PHONY: all demo test build check lint rust-test pytest conformance bench bench-rust clean

all: build

$(DEPS_STAMP): requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(BUILD_STAMP): $(DEPS_STAMP) $(RUST_SOURCES)
	# flock: concurrent builds into one .venv would clobber each other's extension file.
	VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(VENV))/bin:$$PATH flock $(VENV)/.build-lock $(VENV)/bin/maturin develop --release --quiet
	touch $@

build: $(BUILD_STAMP)

demo: build
	$(PY) -m rustssl demo

lint: $(DEPS_STAMP)
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	$(VENV)/bin/ruff check python tests bench
	$(VENV)/bin/ruff format --check python tests bench
	$(VENV)/bin/mypy

rust-test:
	cargo test -p rustssl-core

pytest: build
	$(PY) -m pytest -q tests

conformance: build
	$(PY) tests/conformance/run.py

test: build lint rust-test pytest conformance

# Benchmarks (not part of `make test`): BENCH_ARGS='--quick' or '--only bulk-tls13,memory'.
bench: build
	$(PY) bench/run.py $(BENCH_ARGS)

# The ceiling: rustls and rustssl's core without Python.
bench-rust:
	cargo bench -p rustssl-core --bench ceiling -- $(BENCH_ARGS)

clean:
	rm -rf target $(VENV)
