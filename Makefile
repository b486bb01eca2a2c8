# lockerd: two commands do all set-up on a fresh Debian machine.
#   make run   installs missing system packages, builds, starts the simulated cabinet's front panel
#   make test  installs missing system packages, builds, runs the whole test suite
SHELL := /bin/bash
SWIFT ?= swift
STATE ?= state
# openssl: the uplink tests make a CA and certificates for their mutual-TLS server.
APT_PACKAGES := pkg-config libsqlite3-dev libgpiod-dev libudev-dev openssl
# Root installs directly; anyone else through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CRASH_POINTS ?= 1000

.PHONY: deps build run ctl test crash-test bench clean

deps:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build

# CONFIG=file runs another cabinet (e.g. simulated boards behind pseudo-terminals, see README).
run: build
	@echo "State lives in ./$(STATE); delete it to start over with an empty cabinet."
	$$($(SWIFT) build --show-bin-path)/lockerd --state-directory $(STATE) --maintenance-socket $(STATE)/maintenance.sock \
	  --front-panel $(if $(CONFIG),--config $(CONFIG))

# lockerctl against the cabinet `make run` started: make ctl ARGS="status"
ctl:
	$$($(SWIFT) build --show-bin-path)/lockerctl --socket $(STATE)/maintenance.sock $(ARGS)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test

# The power-loss test with many more kill points than `make test` uses.
crash-test: deps
	$(SWIFT) build --build-tests
	LOCKERD_CRASH_POINTS=$(CRASH_POINTS) $(SWIFT) test --skip-build --filter LockerCrashTests

bench: deps
	cd Benchmarks && $(SWIFT) package --disable-sandbox benchmark

clean:
	rm -rf .build Benchmarks/.build
