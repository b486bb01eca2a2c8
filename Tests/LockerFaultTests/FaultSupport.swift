import CFaultVFS
import Foundation
import GRDB
import LockerCore
@testable import LockerStore
import Testing

/// The power-loss and fault battery for the store. The fault VFS is one per process (it is
/// SQLite's default VFS while a test of the battery runs), so the tests of the battery run one
/// after the other; tests of other targets running in the same process at the same time are not
/// affected: the VFS only touches files under the directory of the test that installed it, and
/// forwards everything else to the unix VFS unchanged.
@Suite("Store fault battery", .serialized)
struct StoreFaultBattery {}

// MARK: - The VFS from Swift

enum FaultVFS {
    enum Operation {
        case write, sync
        var raw: Int32 { self == .write ? LOCKERD_FAULT_ON_WRITE : LOCKERD_FAULT_ON_SYNC }
    }

    /// Installs the VFS for files under `directory` with no fault armed and counters at zero.
    static func install(for directory: URL) {
        let rc = lockerd_fault_vfs_install(directory.path)
        precondition(rc == 0, "could not register the fault VFS: SQLite result code \(rc)")
        lockerd_fault_vfs_reset()
    }

    static var counts: lockerd_fault_vfs_counts_t {
        var counts = lockerd_fault_vfs_counts_t()
        lockerd_fault_vfs_counts(&counts)
        return counts
    }

    static func resetCounts() { lockerd_fault_vfs_reset_counts() }
    static func reset() { lockerd_fault_vfs_reset() }
    static func clearFaults() { lockerd_fault_vfs_clear_faults() }

    /// The process dies without closing the store (the page cache keeps its held writes).
    static func killProcess() { lockerd_fault_vfs_kill_process() }

    /// Power loss now; `keepPercent` of the held writes had reached the disk anyway.
    static func crash(keepPercent: Int32 = 0, seed: UInt64 = 0) {
        lockerd_fault_vfs_crash_keeping(keepPercent, seed)
    }

    static func crash(at n: Int64, of operation: Operation, keepPercent: Int32 = 0, seed: UInt64 = 0) {
        lockerd_fault_vfs_crash_at(operation.raw, n, keepPercent, seed)
    }

    static func fail(_ operation: Operation, at n: Int64, with code: ResultCode, persistent: Bool = false) {
        lockerd_fault_vfs_fail(operation.raw, n, code.rawValue, persistent ? 1 : 0)
    }
}

/// A directory of its own for one test, watched by the fault VFS, removed afterwards.
func withFaultDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    // Resolved: SQLite opens files by their real path, and the VFS matches on it.
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("locker-fault-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let resolved = directory.resolvingSymlinksInPath()
    FaultVFS.install(for: resolved)
    defer {
        FaultVFS.reset()
        lockerd_fault_vfs_uninstall()
        try? FileManager.default.removeItem(at: resolved)
    }
    return try body(resolved)
}

// MARK: - Stores

enum FaultFixture {
    static let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    /// Twelve doors of every size, two of them chilled.
    static let layout: [Compartment] = (0..<12).map { id in
        Compartment(id: id, label: String(format: "A%02d", id + 1), size: [.s, .m, .l, .xl][id % 4],
                    temperatureClass: id >= 10 ? .chilled : .ambient, isAccessible: id % 3 == 0)
    }

    static func stamp(_ step: Int) -> EventStamp {
        EventStamp(wallClock: t0.addingTimeInterval(Double(step) * 60),
                   monotonicNanoseconds: 5_000_000_000 + UInt64(step) * 60_000_000_000)
    }

    /// A database with the layout installed, closed cleanly (no WAL left): every run starts from a
    /// copy, so runs of the same seed see the same epoch, ids and pages.
    static func makeTemplate(in directory: URL) throws -> URL {
        let template = directory.appendingPathComponent("template", isDirectory: true)
        try FileManager.default.createDirectory(at: template, withIntermediateDirectories: true)
        let path = template.appendingPathComponent("cabinet.sqlite").path
        try withStore(path: path) { store in try store.installLayout(layout) }
        return template
    }

    /// A fresh copy of the template in a directory of its own; returns the database path.
    static func copy(_ template: URL, to name: String, in directory: URL) throws -> String {
        let run = directory.appendingPathComponent(name, isDirectory: true)
        try? FileManager.default.removeItem(at: run)
        try FileManager.default.copyItem(at: template, to: run)
        return run.appendingPathComponent("cabinet.sqlite").path
    }
}

struct NotThroughFaultVFS: Error, CustomStringConvertible {
    var path: String
    var description: String { "the store at \(path) opened no file through the fault VFS" }
}

struct StoreStillOpen: Error, CustomStringConvertible {
    var openFiles: Int64
    var description: String { "\(openFiles) database files still open after the store was dropped" }
}

/// Opens the store at `path`, runs `body`, and drops the store: GRDB's pool closes its
/// connections when it is deallocated (CabinetStore offers no close). Checks with the VFS that
/// every file of the store is closed, as a power cut needs: a connection left open would keep
/// the pre-crash WAL index alive for the next open in this process.
@discardableResult
func withStore<T>(path: String, _ body: (CabinetStore) throws -> T) throws -> T {
    let result = try { () throws -> T in
        let store = try CabinetStore(path: path)
        // GRDB's connections must go through the fault VFS (one SQLite library in the process).
        guard FaultVFS.counts.open_files > 0 else { throw NotThroughFaultVFS(path: path) }
        return try body(store)
    }()
    let open = FaultVFS.counts.open_files
    guard open == 0 else { throw StoreStillOpen(openFiles: open) }
    return result
}

/// The `synchronous` setting of the connection that commits (the pool's writer).
func writerSynchronous(_ store: CabinetStore) throws -> Int {
    try store.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
}

// MARK: - What a store holds

/// Everything observable in a store, to compare a store with what it held at a commit.
struct StoreContents: Equatable, CustomStringConvertible {
    var compartments: [Compartment]
    var allParcels: [Parcel]
    var liveParcels: [Parcel]
    var codeHashes: [Int: String]
    var pending: [Int: PendingOperation]
    var attemptGuard: CodeAttemptGuard
    var events: [RecordedEvent]
    var lastEventSequence: Int64

    init(of store: CabinetStore) throws {
        let snapshot = try store.snapshot()
        compartments = snapshot.compartments
        liveParcels = snapshot.liveParcels
        codeHashes = snapshot.codeHashes
        pending = snapshot.pending
        attemptGuard = snapshot.attemptGuard
        allParcels = try store.parcels()
        events = try store.events(after: 0, limit: 1_000_000)
        lastEventSequence = try store.lastEventSequence()
    }

    var description: String {
        "\(events.count) events (last \(lastEventSequence)), \(allParcels.count) parcels (\(liveParcels.count) live), "
            + "occupied \(compartments.filter { $0.state == .occupied }.map(\.id)), "
            + "latch cycles \(compartments.map(\.latchCycles))"
    }
}

/// Checks a reopened store on its own terms (no reference needed): the hash chain is intact and
/// covers every event, `quick_check` is clean, and every state change of the workload has its
/// event and the other way round (nothing half-applied). Returns the problems found.
func soundnessProblems(of store: CabinetStore, contents known: StoreContents? = nil) throws -> [String] {
    var problems: [String] = []
    let check = try store.quickCheck()
    if check != ["ok"] { problems.append("quick_check: \(check.prefix(5))") }
    let contents = try known ?? StoreContents(of: store)
    switch try store.verifyEventChain() {
    case .intact(let count, _):
        if count != contents.events.count { problems.append("chain covers \(count) of \(contents.events.count) events") }
    case .broken(let sequence, let reason):
        problems.append("hash chain broken at \(sequence): \(reason)")
    }
    // Only compaction leaves sequences out, and only at or before its checkpoint's cut.
    let compactedThrough = try store.latestCheckpoint()?.throughSequence ?? 0
    let present = Set(contents.events.map(\.sequence))
    let missingAfterCut = contents.lastEventSequence > compactedThrough
        ? ((compactedThrough + 1)...contents.lastEventSequence).filter { !present.contains($0) } : []
    if !missingAfterCut.isEmpty {
        problems.append("events \(missingAfterCut.prefix(5)) are missing (last \(contents.lastEventSequence), compacted through \(compactedThrough))")
    }
    let deposits = Dictionary(grouping: contents.events.filter { $0.kind == CustodyEvent.Kind.depositCommitted.rawValue },
                              by: { $0.parcelID ?? -1 })
    let pickups = Dictionary(grouping: contents.events.filter { $0.kind == CustodyEvent.Kind.pickupCommitted.rawValue },
                             by: { $0.parcelID ?? -1 })
    let parcelIDs = Set(contents.allParcels.map(\.id))
    for parcel in contents.allParcels {
        // A parcel that left before a checkpoint's cut may have lost any of its events, all of
        // them once the removal is through (a power cut may stop it halfway).
        let remaining = (deposits[parcel.id] ?? []) + (pickups[parcel.id] ?? [])
        if compactedThrough > 0, parcel.status == .pickedUp, remaining.allSatisfy({ $0.sequence <= compactedThrough }) { continue }
        if deposits[parcel.id]?.count != 1 { problems.append("parcel \(parcel.id) has \(deposits[parcel.id]?.count ?? 0) deposit events") }
        let expectedPickups = parcel.status == .pickedUp ? 1 : 0
        if (pickups[parcel.id]?.count ?? 0) != expectedPickups {
            problems.append("parcel \(parcel.id) is \(parcel.status) with \(pickups[parcel.id]?.count ?? 0) pickup events")
        }
    }
    for id in Set(deposits.keys).union(pickups.keys) where !parcelIDs.contains(id) {
        problems.append("an event names parcel \(id), which is not in the store")
    }
    let live = Dictionary(grouping: contents.liveParcels, by: \.compartmentID)
    let doorEvents = Dictionary(grouping: contents.events.filter { $0.kind == CustodyEvent.Kind.doorLeftOpen.rawValue },
                                by: { $0.compartmentID ?? -1 })
    for compartment in contents.compartments {
        let occupied = compartment.state == .occupied
        if occupied != (live[compartment.id] != nil) || occupied != (contents.codeHashes[compartment.id] != nil) {
            problems.append("compartment \(compartment.id) is \(compartment.state) with \(live[compartment.id]?.count ?? 0) live parcels, code \(contents.codeHashes[compartment.id] ?? "none")")
        }
        // Compaction removes door events of the past: then the count can only fall short.
        let doorEventCount = doorEvents[compartment.id]?.count ?? 0
        if compactedThrough == 0 ? compartment.latchCycles != doorEventCount : compartment.latchCycles < doorEventCount {
            problems.append("compartment \(compartment.id) has \(compartment.latchCycles) latch cycles and \(doorEvents[compartment.id]?.count ?? 0) door events")
        }
    }
    return problems
}

// MARK: - Random numbers

/// SplitMix64: the same seed draws the same workload in every run.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
