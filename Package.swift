// swift-tools-version:6.1
//
// lockerd: the controller daemon of a smart parcel-locker cabinet group.
//
// Dependency arrows point one way (see README "Layout"):
//   LockerAssignment <- LockerCore <- LockerStore <- LockerDaemon <- lockerd
//   LockerHAL <- LockerSimulator <- LockerDaemon
//   LockerColdChain (pure: thermostat, probe faults, excursions, the record) <- LockerSimulator, LockerDaemon
// Core and HAL never import each other: the daemon maps compartments to hardware.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
]

// How the two executables are linked, in every build (so `make bench` measures what `make deb`
// packages): by the toolchain's own lld, which packs the position-independent executable's
// ~136,000 relative relocations (3.1 MB) into 26 KB (RELR; Debian bookworm's lld 14 ignores
// `-z pack-relative-relocs`), and without exporting every symbol (46,000 exported symbols took
// 4.3 MB of dynamic symbol tables nobody looks up). Checked by `ExecutableLinkTests`.
let leanLink: [LinkerSetting] = [
    .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"],
                 .when(platforms: [.linux])),
]

// lockerd's code is laid out hot first: the functions it runs at start-up, at rest and on a
// pickup (`Benchmarks/hot_functions.py` lists them, first run first) are placed together at the
// start of the text. The kernel maps code 64 KiB around each page fault, so the 2.5 MB lockerd
// runs, spread over 31 MB of code, kept 20 MB of it resident. The linker can move a function only
// when it has a section of its own: the Makefile's release builds compile every module with
// `-function-sections` (the toolchain's static libraries are built that way). A name the list
// lacks, or one no longer defined, only costs memory: that function stays where it would be.
// Functions without a symbol the list could name are gathered by `private-functions.ld`.
let hotFirstLink: [LinkerSetting] = [
    .unsafeFlags(["-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Sources/lockerd/hot-functions.order",
                  "-Xlinker", "--no-warn-symbol-ordering",
                  "-Xlinker", "-T", "-Xlinker", "\(Context.packageDirectory)/Sources/lockerd/private-functions.ld"],
                 .when(platforms: [.linux])),
]

// lockerd links GCC's libstdc++ statically (ICU and the Swift runtime use it). As a shared library
// it kept 1.5 MiB resident that no other process on a cabinet shares: its code mapped in 64 KiB
// blocks, and its vtables and other pointers relocated at every start, dirty and private; idle
// PSS went from 18.7 to 17.0 MiB (Benchmarks/footprint.py, median of seven starts), and the
// stripped binary grew by 0.5 MB. The toolchain's own link arguments say `-lstdc++` and no flag
// of ours can come before them, so the library path starts with a directory whose
// `libstdc++.so` is a linker script naming `libstdc++.a` (as glibc's own `libc.so` is a script).
// The GCC runtime library exception allows this linking. Release builds only: a debug build
// links Foundation's shared libraries, which bring libstdc++.so.6 anyway, and a second copy of
// the C++ runtime in one process gains nothing. lockerctl stays on the shared library: static,
// it would outgrow its 15 MB size goal. `footprint.py` lists the libraries lockerd needs.
let staticLibstdcxx: [LinkerSetting] = [
    .unsafeFlags(["-L", "\(Context.packageDirectory)/Sources/lockerd/static-libstdcxx"],
                 .when(platforms: [.linux], configuration: .release)),
]

// lockerd's release link takes ICU's data from an object holding a copy trimmed to what lockerd
// uses (systemd/packaging/trim-icu-data; the Makefile's release builds make it and name it here).
// Given as an input file, it comes before the archives, so Foundation's full 34 MB data is never
// linked. A build without it (tests, a plain `swift build`) links the toolchain's data.
let trimmedICUData: [LinkerSetting] = Context.environment["LOCKERD_ICU_DATA_OBJECT"].map { object in
    [.unsafeFlags([object], .when(platforms: [.linux]))]
} ?? []

let package = Package(
    name: "lockerd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lockerd", targets: ["lockerd"]),
        .executable(name: "lockerctl", targets: ["lockerctl"]),
        .library(name: "LockerAssignment", targets: ["LockerAssignment"]),
        .library(name: "LockerCore", targets: ["LockerCore"]),
        .library(name: "LockerWire", targets: ["LockerWire"]),
        .library(name: "LockerInput", targets: ["LockerInput"]),
        .library(name: "LockerColdChain", targets: ["LockerColdChain"]),
        .library(name: "LockerHAL", targets: ["LockerHAL"]),
        .library(name: "LockerDrivers", targets: ["LockerDrivers"]),
        .library(name: "LockerSimulator", targets: ["LockerSimulator"]),
        .library(name: "LockerStore", targets: ["LockerStore"]),
        .library(name: "LockerDaemon", targets: ["LockerDaemon"]),
        .library(name: "LockerMaintenanceProtocol", targets: ["LockerMaintenanceProtocol"]),
        .library(name: "LockerReports", targets: ["LockerReports"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The maintenance socket and the loopback metrics endpoint; the uplink's HTTP client builds on it too.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // The uplink: HTTPS with a configurable CA and an optional client certificate.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // gzip for upload bodies (zlib through NIO byte buffers), when the server accepts it.
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        // Every long-running part of the daemon is a Service of one ServiceGroup: started in order,
        // shut down gracefully in reverse, with a bound.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // Pure: choose a compartment. No dependencies at all, no allocation on the decision path.
        .target(name: "LockerAssignment", swiftSettings: strict),
        // Pure domain: compartments, parcels, custody state machines, codes, policies. `now` is a parameter.
        .target(name: "LockerCore", dependencies: ["LockerAssignment"], swiftSettings: strict),
        // Pure decoding of what people put in: scanner lines, evdev key events, keyboard layouts. No I/O.
        .target(name: "LockerInput", swiftSettings: strict),
        // Pure cold chain: thermostats, probe faults, excursions, the temperature record. `now` is a parameter.
        .target(name: "LockerColdChain", swiftSettings: strict),
        // Pure reports: reconciliation and the station's figures from the record's rows, and their
        // text, CSV and SVG forms. No dependencies, so lockerctl (which renders them) stays small.
        .target(name: "LockerReports", swiftSettings: strict),
        // Byte codecs only: lock-board frames (Kerong, 8A, our own protocol). No I/O.
        .target(name: "LockerWire", swiftSettings: strict),
        // libgpiod 1.6 (the v1 API of Debian bookworm and Raspberry Pi OS).
        .systemLibrary(name: "CGPIOD", pkgConfig: "libgpiod", providers: [.apt(["libgpiod-dev"])]),
        // libudev: the devices present now (sysfs) and hotplug adds and removes (the udev netlink monitor).
        .systemLibrary(name: "CUdev", pkgConfig: "libudev", providers: [.apt(["libudev-dev"])]),
        // Linux calls Swift cannot make directly (variadic ioctl).
        .target(name: "CSystemShims"),
        // The one module of ours that calls the C library for system calls: EINTR-retrying
        // wrappers whose errors name the call and the path, descriptors and poll, termios and the
        // tty/evdev/I2C ioctls, pseudo-terminals, reader threads, the sd_notify datagram, path
        // calls (stat, FIFOs, rename, link, fsync), client stream sockets, the user database, one-offs.
        .target(name: "LockerSystem", dependencies: ["CSystemShims"], swiftSettings: strict),
        // Real drivers: serial lines and lock-board families, GPIO latches and door sensors.
        .target(
            name: "LockerDrivers",
            dependencies: ["LockerHAL", "LockerWire", "LockerInput", "LockerSystem", "CGPIOD", "CUdev", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // Small hardware protocols and hardware errors.
        .target(name: "LockerHAL", swiftSettings: strict),
        // Behavioural simulators of the cabinet hardware (used by `make run` and the integration tests).
        .target(
            name: "LockerSimulator", dependencies: ["LockerHAL", "LockerWire", "LockerInput", "LockerColdChain", "LockerSystem"],
            swiftSettings: strict
        ),
        // SQLite: frozen migrations, the one writer, the transactional outbox.
        .target(
            name: "LockerStore",
            dependencies: [
                "LockerCore", "LockerReports", "LockerSystem", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The technician's socket protocol: requests, responses and reports (shared by lockerd and lockerctl).
        // Its blocking socket client goes through LockerSystem, which is small (no package
        // dependencies), so lockerctl stays small too.
        .target(name: "LockerMaintenanceProtocol", dependencies: ["LockerSystem", "LockerReports"], exclude: ["PROTOCOL.md"], swiftSettings: strict),
        // Store-and-forward to the central server: batches, acknowledgements, backoff, signing.
        .target(
            name: "LockerUplink",
            dependencies: [
                "LockerStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["openapi.yaml"],
            swiftSettings: strict
        ),
        // libmosquitto 2.0 (MQTT v5): the broker binding of the uplink's contract, opened when the
        // first MQTT client is made (OnDemandMosquitto.c), so lockerd is not linked with it. Its
        // header comes from Debian's libmosquitto-dev (the Makefile's packages).
        .target(name: "CMosquitto"),
        // The uplink over an MQTT v5 broker: a libmosquitto client with its own loop thread and
        // jittered reconnection, and the message transport the uplink speaks through it.
        .target(
            name: "LockerMQTT",
            dependencies: [
                "CMosquitto", "LockerUplink",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Composition root: configuration, cabinet layout, services, the front panel.
        .target(
            name: "LockerDaemon",
            dependencies: [
                "LockerCore", "LockerHAL", "LockerSimulator", "LockerStore", "LockerDrivers", "LockerWire", "LockerInput", "LockerSystem",
                "LockerMaintenanceProtocol", "LockerUplink", "LockerMQTT", "LockerColdChain", "LockerReports",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "lockerd",
            dependencies: [
                "LockerDaemon", "LockerReports", "LockerStore", "LockerSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["hot-functions.order", "private-functions.ld", "static-libstdcxx"],
            swiftSettings: strict,
            linkerSettings: leanLink + hotFirstLink + staticLibstdcxx + trimmedICUData
        ),
        // The technician's command-line tool: talks to the maintenance socket.
        .executableTarget(
            name: "lockerctl",
            dependencies: [
                "LockerMaintenanceProtocol", "LockerReports", "LockerSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict,
            linkerSettings: leanLink
        ),
        // The uplink drain benchmark (`make bench`): lockerd's uplink against a server written from
        // the contract (contract_server.py beside it), two configurations side by side.
        .executableTarget(
            name: "uplink-drain-benchmark",
            dependencies: [
                "LockerCore", "LockerStore", "LockerUplink",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/UplinkDrain",
            exclude: ["contract_server.py"],
            swiftSettings: strict
        ),
        .testTarget(name: "LockerWireTests", dependencies: ["LockerWire", "LockerTestSupport"]),
        .testTarget(name: "LockerInputTests", dependencies: ["LockerInput", "LockerTestSupport"]),
        .testTarget(name: "LockerColdChainTests", dependencies: ["LockerColdChain", "LockerTestSupport"]),
        // The sample reports are read from the source tree (#filePath), not bundled.
        .testTarget(name: "LockerReportsTests", dependencies: ["LockerReports"], exclude: ["Samples"]),
        .testTarget(
            name: "LockerDriversTests",
            dependencies: [
                "LockerDrivers", "LockerHAL", "LockerWire", "LockerInput", "LockerSimulator", "LockerTesting", "LockerSystem",
                "LockerTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "LockerSystemTests", dependencies: ["LockerSystem"]),
        .testTarget(name: "LockerSimulatorTests", dependencies: ["LockerSimulator", "LockerWire", "LockerHAL"]),
        // Helpers shared by the test targets (seeded random numbers).
        .target(name: "LockerTestSupport", path: "Tests/LockerTestSupport"),
        // Fakes of our own hardware protocols (the scripted GPIO line driver). Only test targets
        // depend on it: no product or executable links a fake.
        .target(name: "LockerTesting", dependencies: ["LockerDrivers", "LockerHAL"], path: "Tests/LockerTesting"),
        .testTarget(name: "LockerAssignmentTests", dependencies: ["LockerAssignment", "LockerTestSupport"]),
        .testTarget(name: "LockerCoreTests", dependencies: ["LockerCore", "LockerTestSupport"]),
        .testTarget(name: "LockerStoreTests", dependencies: ["LockerStore", "LockerCore", "LockerReports", "LockerTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "LockerDaemonTests",
            dependencies: [
                "LockerDaemon", "LockerSimulator", "LockerHAL", "LockerStore", "LockerCore", "LockerDrivers",
                "LockerMaintenanceProtocol", "LockerColdChain", "LockerUplink", "LockerSystem", "LockerReports",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "LockerMaintenanceProtocolTests", dependencies: ["LockerMaintenanceProtocol", "LockerReports"]),
        // The uplink against a loopback server written here that implements the published contract
        // and injects faults.
        .testTarget(
            name: "LockerUplinkTests",
            dependencies: [
                "LockerUplink", "LockerMQTT", "LockerStore", "LockerCore", "LockerTestSupport",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Logging", package: "swift-log"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
        // Spawns the real `lockerd` and drives it with the real `lockerctl` (other users, stuck clients, fuzz),
        // and its kiosk page in Debian's headless Chromium (KioskBrowser/kiosk_browser.py).
        .testTarget(
            name: "LockerMaintenanceTests",
            dependencies: [
                "LockerTestSupport", "LockerMaintenanceProtocol", "LockerStore", "LockerDrivers", "LockerSimulator", "LockerSystem",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["KioskBrowser", "ICUProbe"]
        ),
        // Spawns the real `lockerd` binary and kills it with SIGKILL.
        .testTarget(
            name: "LockerCrashTests",
            dependencies: ["LockerTestSupport", "LockerStore", "LockerCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // Test-only: an SQLite VFS (in the system libsqlite3 GRDB links) that holds un-synced writes
        // in memory and loses them on a simulated power cut, and injects ENOSPC and EIO.
        .target(name: "CFaultVFS", path: "Tests/CFaultVFS", linkerSettings: [.linkedLibrary("sqlite3")]),
        // The store under lost un-synced writes, ENOSPC and EIO, through that VFS.
        .testTarget(
            name: "LockerFaultTests",
            dependencies: ["CFaultVFS", "LockerStore", "LockerCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
