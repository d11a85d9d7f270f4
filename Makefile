# ftrun: `make demo` shows it working, `make test` is what CI runs.
CARGO ?= cargo

.PHONY: all build release demo test toolchain lint unit-test fixture-test bench bench-check

all: build

build:
	$(CARGO) build

release:
	$(CARGO) build --release

demo: build
	@FTRUN_BIN=target/debug/ftrun bash scripts/demo.sh

# rustfmt and clippy come with rustup's default profile; a minimal profile lacks them.
toolchain:
	@if command -v rustup >/dev/null 2>&1; then rustup component add rustfmt clippy 2>&1 | grep -v "is up to date" || true; fi

lint: toolchain
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets --quiet -- -D warnings

unit-test:
	$(CARGO) test --quiet

# The project's own JS fixture suites, through the runner users get.
fixture-test: build
	./target/debug/ftrun test fixtures

test: lint unit-test fixture-test

# Figures (table + target/bench/results.json); bench-check fails past a budget by > 25%.
bench:
	$(CARGO) bench --bench harness -- $(if $(ONLY),--only $(ONLY))

bench-check:
	$(CARGO) bench --bench harness -- --check $(if $(ONLY),--only $(ONLY))
