# Inviter — build, test and demo on a Debian machine with the Swift toolchain.
# `make demo` and `make test` install what they need when it is missing.

SWIFT      ?= swift
VENV       := .build-venv
PYTHON     := $(VENV)/bin/python
PACKAGES   := libcurl4-openssl-dev libssl-dev libsqlite3-dev
TEST_PACKAGES  := postfix chromium dovecot-imapd
BENCH_PACKAGES := postfix wrk dovecot-imapd
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
INVITER    := .build/debug/inviter

.PHONY: all build deps test-deps bench-deps test demo lint format clean

all: build

# System packages, installed only when missing: what the build needs, what the tests need
# (Postfix for its smtp-sink test server, Dovecot as the real IMAP server the mailbox is read
# from, Chromium as the real browser the pages are tested in) and what the benchmarks need
# (wrk). A policy-rc.d that denies service starts is put in place for the install (when there
# is none already), so neither the postfix nor the dovecot daemon is ever started system-wide.
define install-missing
	@missing=""; \
	for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		guard=""; \
		if [ ! -e /usr/sbin/policy-rc.d ]; then \
			printf '#!/bin/sh\nexit 101\n' | $(SUDO) tee /usr/sbin/policy-rc.d >/dev/null; \
			$(SUDO) chmod 755 /usr/sbin/policy-rc.d; guard=1; \
		fi; \
		$(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
		status=$$?; \
		if [ -n "$$guard" ]; then $(SUDO) rm -f /usr/sbin/policy-rc.d; fi; \
		exit $$status; \
	fi
endef

deps:
	$(call install-missing,$(PACKAGES))

test-deps: deps
	$(call install-missing,$(TEST_PACKAGES))

bench-deps: deps
	$(call install-missing,$(BENCH_PACKAGES))

# A Python environment for the tests' reference tools: aiosmtpd (an SMTP
# server with STARTTLS and AUTH), icalendar (an independent calendar parser),
# websocket-client (to drive Chromium over its DevTools protocol), dkimpy with
# PyNaCl (an independent DKIM verifier, RSA and Ed25519) and the standard
# library's MIME parser. Re-made when this list changes.
$(VENV)/.ready: Makefile
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install -q --disable-pip-version-check aiosmtpd==1.4.6 icalendar==6.1.0 \
		websocket-client==1.8.0 dkimpy==1.1.8 pynacl==1.6.2
	touch $@

build: deps
	$(SWIFT) build

test: test-deps $(VENV)/.ready
	$(SWIFT) build --build-tests
	INVITER_TEST_PYTHON="$(CURDIR)/$(PYTHON)" $(SWIFT) test --skip-build

# The example network in Config/, at a moment when invitations are due: check
# it, render a browsable preview of what the run will send, run the main job
# (the outbox transport writes the mail to var/outbox/, the ledger lives in
# var/), and show the status.
DEMO_NOW ?= 2026-11-18T19:00:00+01:00

demo: build
	$(INVITER) check --config Config/inviter.toml --now $(DEMO_NOW)
	INVITER_SECRET=demo-secret $(INVITER) preview --config Config/inviter.toml --now $(DEMO_NOW) --out var/preview
	INVITER_SECRET=demo-secret $(INVITER) run --config Config/inviter.toml --now $(DEMO_NOW)
	$(INVITER) status --config Config/inviter.toml
	@echo "The mail is in var/outbox/ (open any .eml file in a mail program); var/preview/index.html lists it."
	@echo "Running make demo again sends nothing new: the ledger in var/ knows it was sent. rm -rf var to start over."
	@echo "To try the unsubscribe and sign-up pages: INVITER_SECRET=demo-secret $(INVITER) serve --config Config/inviter.toml"
	@echo "  then open http://127.0.0.1:8080/inviter/join, or an unsubscribe link from var/outbox/ with https://example.org replaced by http://127.0.0.1:8080."

lint:
	$(SWIFT) format lint --recursive --strict Package.swift Sources Tests

format:
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests

clean:
	rm -rf .build $(VENV) var

# `make bench`: Inviter's sending rate against what libcurl alone achieves,
# rendering speed, peak memory and the ledger's cost, against Postfix's
# smtp-sink on loopback, then `inviter serve`'s one-click unsubscribes and RSVP
# answers (500 simultaneous yes for 120 seats), then what DKIM signing costs a
# run (unsigned, RSA-2048 and Ed25519 at 10 000 members), then how fast `inviter mailbox` reads
# 10 000 bounces from a private Dovecot; results in
# Benchmarks/RESULTS.md (see Benchmarks/README.md). It takes about as long as
# one 100 000-member run and one 100 000-member preview, plus a few minutes;
# BENCH_QUICK=1 measures 10 000 members only. BENCH_ROUNDS sets the rounds at
# 10 000 members (default 3).
# BENCH_SCRATCH is the build folder for the release build, so a benchmark can
# be built beside another build in progress (BENCH_SCRATCH=.build-bench).
# BENCH_PROFILE=1 also records a perf profile of one run into Benchmarks/bin/.
BENCH_SCRATCH   ?= .build
BENCH_QUICK     ?=
BENCH_ROUNDS    ?= 3
BENCH_PROFILE   ?=
BENCH_REFERENCE := Benchmarks/bin/curl_reference
# A C compiler: the system's cc, or the clang that comes with the Swift toolchain on a
# machine without build-essential.
BENCH_CC        ?= $(shell command -v cc 2>/dev/null || command -v clang 2>/dev/null || echo cc)

.PHONY: bench bench-serve bench-rsvp bench-dkim bench-mailbox

# The C reference needs libcurl's headers, which deps installs.
$(BENCH_REFERENCE): Benchmarks/curl_reference.c | deps
	@mkdir -p $(@D)
	$(BENCH_CC) -O2 -Wall -Wextra -o $@ $< -lcurl

bench: bench-deps $(BENCH_REFERENCE)
	$(SWIFT) build -c release --scratch-path $(BENCH_SCRATCH) --product inviter
	python3 -B Benchmarks/bench.py --inviter $(BENCH_SCRATCH)/release/inviter --reference $(BENCH_REFERENCE) \
		--rounds $(BENCH_ROUNDS) $(if $(filter 1 yes true,$(BENCH_QUICK)),--quick) \
		$(if $(filter 1 yes true,$(BENCH_PROFILE)),--profile)
	python3 -B Benchmarks/serve_bench.py --inviter $(BENCH_SCRATCH)/release/inviter
	python3 -B Benchmarks/rsvp_bench.py --inviter $(BENCH_SCRATCH)/release/inviter
	python3 -B Benchmarks/dkim_bench.py --inviter $(BENCH_SCRATCH)/release/inviter --rounds $(BENCH_ROUNDS)
	python3 -B Benchmarks/mailbox_bench.py --inviter $(BENCH_SCRATCH)/release/inviter --rounds $(BENCH_ROUNDS)

# The one-click benchmark alone (Benchmarks/serve_bench.py): it rewrites its own section of RESULTS.md.
bench-serve: bench-deps
	$(SWIFT) build -c release --scratch-path $(BENCH_SCRATCH) --product inviter
	python3 -B Benchmarks/serve_bench.py --inviter $(BENCH_SCRATCH)/release/inviter

# The RSVP benchmark alone (Benchmarks/rsvp_bench.py): it rewrites its own section of RESULTS.md
# and fails when the seats and the waitlist do not add up.
bench-rsvp: bench-deps
	$(SWIFT) build -c release --scratch-path $(BENCH_SCRATCH) --product inviter
	python3 -B Benchmarks/rsvp_bench.py --inviter $(BENCH_SCRATCH)/release/inviter

# The DKIM benchmark alone (Benchmarks/dkim_bench.py): unsigned, RSA-2048 and Ed25519 runs at
# 10 000 members and `openssl speed`; it rewrites its own section of RESULTS.md.
bench-dkim: bench-deps
	$(SWIFT) build -c release --scratch-path $(BENCH_SCRATCH) --product inviter
	python3 -B Benchmarks/dkim_bench.py --inviter $(BENCH_SCRATCH)/release/inviter --rounds $(BENCH_ROUNDS)

# The mailbox benchmark alone (Benchmarks/mailbox_bench.py): 10 000 bounces in a private Dovecot
# read by one `inviter mailbox`, and 1 000 for memory growth; it rewrites its own section of RESULTS.md.
bench-mailbox: bench-deps
	$(SWIFT) build -c release --scratch-path $(BENCH_SCRATCH) --product inviter
	python3 -B Benchmarks/mailbox_bench.py --inviter $(BENCH_SCRATCH)/release/inviter --rounds $(BENCH_ROUNDS)
