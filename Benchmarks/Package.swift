// swift-tools-version:6.1
//
// Benchmarks for lockerd, kept in their own package so that the benchmark
// framework (and its malloc interposer) never becomes a dependency of the daemon.
//
// Run from this directory:
//     swift package --disable-sandbox benchmark
//
// Each benchmark suite is an executable target whose sources live in
// `Benchmarks/<TargetName>/<TargetName>.swift` (the layout the benchmark plugin
// discovers). To add a suite, append a target to `benchmarkSuites` below.
import PackageDescription

/// Builds one benchmark suite target with the framework and its boilerplate plugin.
func benchmarkSuite(_ name: String, dependencies: [Target.Dependency]) -> Target {
    .executableTarget(
        name: name,
        dependencies: [.product(name: "Benchmark", package: "benchmark")] + dependencies,
        path: "\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}

let benchmarkSuites: [Target] = [
    // choose() on cabinets of 30, 1,000 and 10,000 compartments: latency and allocations.
    benchmarkSuite(
        "AssignmentBenchmarks",
        dependencies: [.product(name: "LockerAssignment", package: "lockerd")]
    ),
    // From the last key of a valid pickup code to the unlock command reaching the (simulated)
    // board, through the real controller and its durable commit.
    benchmarkSuite(
        "UnlockBenchmarks",
        dependencies: [
            .product(name: "LockerDaemon", package: "lockerd"),
            .product(name: "LockerSimulator", package: "lockerd"),
            .product(name: "LockerHAL", package: "lockerd"),
            .product(name: "LockerStore", package: "lockerd"),
        ]
    ),
]

let package = Package(
    name: "lockerd-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // The MallocInterposer trait gives the malloc metrics (mallocCountTotal) on Swift 6.3+.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(name: "lockerd", path: ".."),
    ],
    targets: benchmarkSuites,
    swiftLanguageModes: [.v6]
)
