# lockerd: two commands do all set-up on a fresh Debian machine.
#   make run   installs missing system packages, builds, starts the simulated cabinet's front panel
#   make test  installs missing system packages, builds, runs the whole test suite
SHELL := /bin/bash
SWIFT ?= swift
STATE ?= state
# openssl: the uplink tests make a CA and certificates for their mutual-TLS server.
# systemd: the unit tests run systemd-analyze (verify, security), systemd-sysusers and systemd-tmpfiles.
# mount: the full-disk test mounts a small tmpfs; util-linux: setpriv runs lockerctl as other users.
# binutils: a test reads the executables' dynamic section with readelf (their link, see Package.swift).
# libmosquitto-dev: the uplink's MQTT binding; mosquitto: the broker its tests start on loopback.
# chromium, fonts-noto-cjk: the kiosk test drives the touchscreen page in headless Chromium (DevTools
# protocol over a pipe, from Python's standard library), in English and Simplified Chinese.
# libstdc++-12-dev: its static libstdc++.a goes into the release lockerd (Package.swift, staticLibstdcxx).
APT_PACKAGES := pkg-config binutils libsqlite3-dev libgpiod-dev libudev-dev openssl systemd mount util-linux python3-cryptography zlib1g-dev \
  libmosquitto-dev mosquitto chromium fonts-noto-cjk libstdc++-12-dev
# Root installs directly; anyone else through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CRASH_POINTS ?= 1000
# Pickups per stack in the side-by-side pickup benchmark (16 per courier round).
PICKUPS ?= 256
# Then lockerd's pickups while its uplink drains a backlog: DRAIN_PICKUPS of them (0: none), in
# rounds of 16, with DRAIN_BACKLOG events recorded before each round (enough to last the round
# at about 40,000 events a second; the table says how many pickups the drain really covered).
DRAIN_PICKUPS ?= 32
DRAIN_BACKLOG ?= 700000
# The pickup benchmark's reference stack needs pyserial, from Debian's python3-serial, which the
# system interpreter imports (not a virtualenv's or pyenv's python3).
BENCH_APT_PACKAGES := python3-serial
BENCH_PYTHON ?= /usr/bin/python3
DRAIN_EVENTS ?= 100000
DRAIN_RUNS ?= 3
DRAIN_SETUPS ?= all
# Steps per board family of the model-based board fault test in `make test-faults` (600 in `make test`).
FAULT_STEPS ?= 5000
# `make deb`: the package's version comes from the newest vX.Y.Z tag (v1.2.0-3-gabc1234 gives
# 1.2.0+3.gabc1234), else 0.1.0. ARCH=arm64 packages binaries cross-built with
# SWIFT_BUILD_FLAGS="--swift-sdk ID" (see README "Packaging and installation").
VERSION ?= $(shell git describe --tags --match 'v[0-9]*' 2>/dev/null | sed 's/^v//; s/-\([0-9]*\)-g/+\1.g/' | grep . || echo 0.1.0)
ARCH ?= $(shell dpkg --print-architecture)
SWIFT_BUILD_FLAGS ?=
RELEASE_SCRATCH := .build-release
# Release builds (bench, deb): the Swift runtime linked statically, and every function in a section
# of its own, so the link can place the functions lockerd runs first (Package.swift `hotFirstLink`).
# lockerd's link takes ICU's data from an object holding a copy trimmed to what lockerd uses
# (systemd/packaging/trim-icu-data: 3 MB of the toolchain's 34 MB; Package.swift gives
# LOCKERD_ICU_DATA_OBJECT to the link). Cross-building for another architecture, set
# ICU_ARCHIVE to the Swift SDK's lib_FoundationICU.a and ICU_TARGET to its triple.
SWIFT_BIN := $(shell dirname "$$(readlink -f "$$(command -v $(SWIFT))")")
ICU_ARCHIVE ?= $(SWIFT_BIN)/../lib/swift_static/linux/lib_FoundationICU.a
ICU_TARGET ?=
ICU_DATA_OBJECT := $(RELEASE_SCRATCH)/icu-data/icudata-trimmed.o
RELEASE_BUILD = LOCKERD_ICU_DATA_OBJECT=$(abspath $(ICU_DATA_OBJECT)) \
  $(SWIFT) build -c release --static-swift-stdlib --scratch-path $(RELEASE_SCRATCH) \
  -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections

.PHONY: deps build run ctl test test-faults crash-test bench bench-micro bench-pickup bench-uplink hot-functions deb clean

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
# The daemon's log goes to $(STATE)/lockerd.log, so that the terminal shows only the front panel
# (follow the log from another terminal: tail -f state/lockerd.log). MANUAL_CLOCK=1 makes time
# move only with `wait` (and at once: `wait 180000` makes parcels overdue without waiting 50 hours).
run: build
	@mkdir -p $(STATE)
	@echo "State lives in ./$(STATE); delete it to start over with an empty cabinet. Log: ./$(STATE)/lockerd.log"
	$$($(SWIFT) build --show-bin-path)/lockerd --state-directory $(STATE) --maintenance-socket $(STATE)/maintenance.sock \
	  --front-panel $(if $(CONFIG),--config $(CONFIG)) $(if $(MANUAL_CLOCK),--manual-clock) 2>>$(STATE)/lockerd.log

# lockerctl against the cabinet `make run` started: make ctl ARGS="status"
ctl:
	$$($(SWIFT) build --show-bin-path)/lockerctl --socket $(STATE)/maintenance.sock $(ARGS)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test
	# The MQTT fleet test (500 cabinets) in a process of its own: it raises the descriptor limit
	# and holds some 4,500 descriptors and 760 threads, which the rest of the suite should not share.
	LOCKERD_FLEET_TEST=1 $(SWIFT) test --skip-build --filter UplinkMQTTFleetTests

# The power-loss and fault battery (README "Power loss and faults"): SIGKILL at 1,000 random points
# of the workload, lost un-synced writes, ENOSPC and EIO at each write of a commit, a damaged
# database and a torn WAL at start-up, a stuck loop under the watchdog, SIGTERM mid-deposit, and
# the model-based board fault test with FAULT_STEPS steps per board family.
test-faults: deps
	$(SWIFT) build --build-tests
	LOCKERD_CRASH_POINTS=$(CRASH_POINTS) LOCKERD_FAULT_STEPS=$(FAULT_STEPS) \
	  $(SWIFT) test --skip-build --filter 'LockerCrashTests|LockerFaultTests|BoardFaultModelTests'

# The power-loss test alone, with many more kill points than `make test` uses.
crash-test: deps
	$(SWIFT) build --build-tests
	LOCKERD_CRASH_POINTS=$(CRASH_POINTS) $(SWIFT) test --skip-build --filter LockerCrashTests

# Then the daemon's footprint (README "Benchmarks"): binary size, exec to READY, idle RSS and CPU,
# RSS after 10,000 deposits and pickups. FOOTPRINT_ARGS="--cycles 2000 --idle-seconds 30" shortens it.
FOOTPRINT_ARGS ?=
# The pickup and uplink-drain benchmarks build from the main package alone. The micro-benchmarks
# (ordo-one/benchmark: choose() and the in-process unlock) are a package of their own, built apart
# from scratch (the better part of an hour on a 2-core machine), so they are `make bench-micro`,
# not part of `make bench`: the side-by-side pickup benchmark measures the unlock on the device path.
bench: deps $(ICU_DATA_OBJECT)
	$(MAKE) bench-pickup
	$(MAKE) bench-uplink
	$(RELEASE_BUILD) --product lockerd
	$(RELEASE_BUILD) --product lockerctl
	$(BENCH_PYTHON) Benchmarks/footprint.py \
	  "$$($(RELEASE_BUILD) --show-bin-path)/lockerd" $(FOOTPRINT_ARGS)

bench-micro: deps
	cd Benchmarks && $(SWIFT) package --disable-sandbox benchmark

# The pickup side by side (README "Pickup latency"): the release lockerd and a Python stack an
# integrator would write, each on a simulated Kerong CU16 board behind a pseudo-terminal,
# interleaved; PICKUPS per stack. Then lockerd alone while its uplink drains a backlog to the
# contract server (uplink-drain-benchmark records the backlog into its stopped store).
bench-pickup: deps $(ICU_DATA_OBJECT)
	$(MAKE) deps APT_PACKAGES="$(BENCH_APT_PACKAGES)"
	$(RELEASE_BUILD) --product lockerd
	$(RELEASE_BUILD) --product uplink-drain-benchmark
	bin="$$($(RELEASE_BUILD) --show-bin-path)"; \
	$(BENCH_PYTHON) Benchmarks/PickupLatency/pickup_benchmark.py "$$bin/lockerd" --pickups $(PICKUPS) \
	  --drain-pickups $(DRAIN_PICKUPS) --drain-backlog $(DRAIN_BACKLOG) --seeder "$$bin/uplink-drain-benchmark"

# The uplink drain side by side (one batch of 200 at a time to a version-2 server, and the
# defaults against a version-3 server), against a server written from the contract in Python
# with SQLite: DRAIN_EVENTS events, DRAIN_RUNS interleaved runs; DRAIN_SETUPS=defaults measures
# lockerd's defaults only (for a 1,000,000-event backlog).
bench-uplink: deps $(ICU_DATA_OBJECT)
	$(RELEASE_BUILD) --product uplink-drain-benchmark
	"$$($(RELEASE_BUILD) --show-bin-path)/uplink-drain-benchmark" \
	  Benchmarks/UplinkDrain/contract_server.py $(DRAIN_EVENTS) $(DRAIN_RUNS) $(DRAIN_SETUPS)

# The list of functions lockerd runs, which the link places first (Package.swift `hotFirstLink`):
# lockerd under valgrind through footprint.py's workload. Run it after changes that rename many
# functions on the start-up and rest paths; it relinks lockerd with the new list.
hot-functions: deps $(ICU_DATA_OBJECT)
	$(MAKE) deps APT_PACKAGES="valgrind $(BENCH_APT_PACKAGES)"
	$(RELEASE_BUILD) --product lockerd
	$(BENCH_PYTHON) Benchmarks/hot_functions.py "$$($(RELEASE_BUILD) --show-bin-path)/lockerd" \
	  Sources/lockerd/hot-functions.order
	rm -f "$$($(RELEASE_BUILD) --show-bin-path)/lockerd"
	$(RELEASE_BUILD) --product lockerd

# The Debian package: release binaries with the Swift runtime linked statically, stripped, with the
# systemd unit, sysusers.d/tmpfiles.d snippets, udev rules, a starting configuration and man pages.
deb: deps $(ICU_DATA_OBJECT)
	VERSION="$(VERSION)" systemd/packaging/build-deb --check
	$(RELEASE_BUILD) $(SWIFT_BUILD_FLAGS) --product lockerd
	$(RELEASE_BUILD) $(SWIFT_BUILD_FLAGS) --product lockerctl
	VERSION="$(VERSION)" ARCH="$(ARCH)" systemd/packaging/build-deb \
	  "$$($(RELEASE_BUILD) $(SWIFT_BUILD_FLAGS) --show-bin-path)" $(RELEASE_SCRATCH)

# SwiftPM relinks when a link's command changes, not when an input it was given by name does: a
# new copy of the data removes the release lockerd so that the next build links it again.
$(ICU_DATA_OBJECT): systemd/packaging/trim-icu-data $(ICU_ARCHIVE)
	systemd/packaging/trim-icu-data "$(ICU_ARCHIVE)" $@ --cc "$(SWIFT_BIN)/clang" $(if $(ICU_TARGET),--target $(ICU_TARGET))
	rm -f $(RELEASE_SCRATCH)/*/release/lockerd

clean:
	rm -rf .build $(RELEASE_SCRATCH) Benchmarks/.build
