# rustssl: `make demo` and `make test` set everything up from a fresh clone.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
DEPS_STAMP := $(VENV)/.deps-installed
BUILD_STAMP := $(VENV)/.rustssl-built
RUST_SOURCES := $(shell find crates -name '*.rs' -o -name Cargo.toml) Cargo.toml Cargo.lock pyproject.toml
PY_SOURCES := $(shell find python -name '*.py' -o -name '*.pyi')

.PHONY: all demo test build check lint rust-test pytest conformance bench bench-rust clean interop-deps \
	wheel test-pythons eco-servers

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

# The release artefacts: one abi3 wheel for every x86_64 Linux from glibc 2.17
# on (manylinux2014, linked by zig from PyPI's ziglang against old glibc
# symbols), and the sdist for everything else.  `auditwheel show` must accept
# the tag.  WHEEL_FLAGS= (empty) builds for this machine's glibc instead.
DIST := dist
WHEEL_STAMP := $(DIST)/.built
WHEEL_FLAGS ?= --zig --compatibility manylinux2014
BUILD_TOOLS_STAMP := $(VENV)/.build-tools-installed

$(BUILD_TOOLS_STAMP): $(DEPS_STAMP) requirements-build.txt
	$(PY) -m pip install --quiet -r requirements-build.txt
	touch $@

$(WHEEL_STAMP): $(BUILD_TOOLS_STAMP) $(RUST_SOURCES) $(PY_SOURCES)
	rm -rf $(DIST) && mkdir -p $(DIST)
	VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(VENV))/bin:$$PATH \
		$(VENV)/bin/maturin build --release --quiet $(WHEEL_FLAGS) --out $(DIST)
	VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(VENV))/bin:$$PATH \
		$(VENV)/bin/maturin sdist --out $(DIST)
	$(VENV)/bin/auditwheel show $(DIST)/*.whl | tee $(DIST)/auditwheel.txt
	@if [ -n "$(findstring manylinux2014,$(WHEEL_FLAGS))" ]; then \
		grep -q '"manylinux_2_17_x86_64"' $(DIST)/auditwheel.txt || \
			{ echo "wheel: auditwheel does not accept manylinux_2_17"; exit 1; }; \
	fi
	touch $@

wheel: $(WHEEL_STAMP)

# Every supported interpreter: REQUIRED_PYTHONS must all be found (on this
# image pyenv has them), OPTIONAL_PYTHONS run when present.  Each gets its own
# venv (.venv-test/X.Y) with the one wheel installed, then pytest and that
# interpreter's own CPython conformance suites (scripts/test-python).
REQUIRED_PYTHONS ?= 3.11 3.12 3.13
OPTIONAL_PYTHONS ?= 3.14

test-pythons: $(WHEEL_STAMP) interop-deps eco-servers
	REQUIRED_PYTHONS="$(REQUIRED_PYTHONS)" OPTIONAL_PYTHONS="$(OPTIONAL_PYTHONS)" \
		CARGO_TARGET_DIR=$(abspath target) scripts/test-pythons $(DIST)

demo: build
	$(PY) -m rustssl demo

lint: $(DEPS_STAMP)
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	scripts/check-architecture
	$(VENV)/bin/ruff check python tests bench
	$(VENV)/bin/ruff format --check python tests bench
	$(VENV)/bin/mypy

rust-test:
	cargo test -p rustssl-core

# Non-Python TLS peers for tests/interop: binary -> Debian package. Installed
# (one apt-get update, then one install) only when a binary is missing.
INTEROP_TOOLS := openssl:openssl nginx:nginx-light curl:curl gnutls-cli:gnutls-bin

interop-deps:
	@missing=""; \
	for pair in $(INTEROP_TOOLS); do \
		bin=$${pair%%:*}; pkg=$${pair#*:}; \
		PATH="$$PATH:/usr/sbin:/sbin" command -v $$bin >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then \
			echo "interop-deps: missing$$missing (needs root and apt-get; interop tests will skip)"; \
		else \
			echo "interop-deps: installing$$missing"; \
			log=$$(mktemp); export DEBIAN_FRONTEND=noninteractive; \
			if apt-get update -qq >"$$log" 2>&1 && \
				apt-get install -y -qq --no-install-recommends $$missing >>"$$log" 2>&1; \
			then rm -f "$$log"; else cat "$$log"; rm -f "$$log"; exit 1; fi; \
		fi; \
	fi

# The real servers of the ecosystem matrix (PostgreSQL, Redis, mosquitto,
# MariaDB, slapd, vsftpd): installed with apt only when a binary is missing.
eco-servers:
	tests/ecosystem/servers/setup.sh

pytest: build interop-deps eco-servers
	$(PY) -m pytest -q tests

conformance: build
	$(PY) tests/conformance/run.py

# `pytest` and `conformance` above are the developers' quick loop on .venv
# (3.11, `maturin develop`); `make test` runs both on every interpreter
# against the release wheel instead.
test: lint rust-test test-pythons fuzz-smoke

# Benchmarks (not part of `make test`): BENCH_ARGS='--quick' or '--only bulk-tls13,memory'.
bench: build
	$(PY) bench/run.py $(BENCH_ARGS)

# The ceiling: rustls without Python.
bench-rust:
	cargo bench -p rustssl-core --bench ceiling -- $(BENCH_ARGS)

# Fuzzing (fuzz/, a standalone cargo-fuzz crate): `make fuzz` runs every
# target for FUZZ_SECONDS; `make fuzz-smoke` for FUZZ_SMOKE_SECONDS, in CI.
# fuzz/run.sh installs cargo-fuzz if needed and falls back to seeded
# random-input loops when libFuzzer cannot be built (see docs/security.md).
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 5

.PHONY: fuzz fuzz-smoke sanitize

fuzz:
	fuzz/run.sh $(FUZZ_SECONDS)

# In `make test` the smoke run uses the random-input engine, built in the dev
# profile into the main target/ so it reuses the core's dependencies from
# rust-test: a fresh libFuzzer+ASan build would cost CI ~6 minutes of its
# budget. FUZZ_SMOKE_ENGINE=auto makes it use cargo-fuzz like `make fuzz`.
FUZZ_SMOKE_ENGINE ?= random

fuzz-smoke:
	cd fuzz && cargo fmt --check
	cd fuzz && CARGO_TARGET_DIR=$(abspath target) cargo clippy --quiet --all-targets -- -D warnings
	FUZZ_ENGINE=$(FUZZ_SMOKE_ENGINE) FUZZ_PROFILE=dev FUZZ_RANDOM_TARGET_DIR=$(abspath target) \
		fuzz/run.sh $(FUZZ_SMOKE_SECONDS)

# The core's Rust tests under a memory checker (not part of `make test`).
# SANITIZER=valgrind (default): memcheck, failing on errors and definite leaks.
# SANITIZER=address: AddressSanitizer via RUSTC_BOOTSTRAP on the stable compiler.
SANITIZER ?= valgrind
HOST_TRIPLE = $(shell rustc -vV | sed -n 's/^host: //p')

sanitize:
ifeq ($(SANITIZER),address)
	RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zsanitizer=address" RUSTDOCFLAGS="-Zsanitizer=address" \
		ASAN_OPTIONS=detect_leaks=1 CARGO_TARGET_DIR=target/asan \
		cargo test -p rustssl-core --lib --tests --target $(HOST_TRIPLE)
else
	CARGO_TARGET_DIR=target/valgrind \
		CARGO_TARGET_$(shell echo $(HOST_TRIPLE) | tr 'a-z-' 'A-Z_')_RUNNER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --track-origins=yes" \
		cargo test -p rustssl-core --lib --tests --target $(HOST_TRIPLE)
endif

clean:
	rm -rf target $(VENV) .venv-test $(DIST)
