import Foundation
import LockerCore
import LockerStore

/// A directory of its own under the temporary directory, for one test's database files.
struct TemporaryStoreDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("locker-store-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var databasePath: String { url.appendingPathComponent("cabinet.sqlite").path }

    func open() throws -> CabinetStore { try CabinetStore(path: databasePath) }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Runs `body` with a fresh temporary directory and removes it afterwards, whatever happens.
/// Stores opened inside `body` must not outlive it.
func withTemporaryStoreDirectory<T>(_ body: (TemporaryStoreDirectory) throws -> T) throws -> T {
    let directory = try TemporaryStoreDirectory()
    defer { directory.remove() }
    return try body(directory)
}

/// Runs `body` with a new store holding `StoreFixture.layout`.
func withFreshStore<T>(_ body: (CabinetStore, TemporaryStoreDirectory) throws -> T) throws -> T {
    try withTemporaryStoreDirectory { directory in
        let store = try directory.open()
        try store.installLayout(StoreFixture.layout)
        return try body(store, directory)
    }
}

enum StoreFixture {
    static let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    /// A small cabinet: S, M, L ambient doors and one chilled M.
    static let layout: [Compartment] = [
        Compartment(id: 0, label: "A01", size: .s),
        Compartment(id: 1, label: "A02", size: .m),
        Compartment(id: 2, label: "A03", size: .l, isAccessible: true),
        Compartment(id: 3, label: "B01", size: .m, temperatureClass: .chilled),
    ]

    static func stamp(_ secondsAfterT0: Double = 0) -> EventStamp {
        EventStamp(wallClock: t0.addingTimeInterval(secondsAfterT0),
                   monotonicNanoseconds: 5_000_000_000 + UInt64(secondsAfterT0 * 1e9))
    }
}

extension CustodyTransaction {
    /// Puts a parcel in a compartment the way a committed deposit does: the parcel row and the
    /// compartment marked occupied.
    @discardableResult
    func deposit(
        _ trackingNumber: String, recipient: String, size: CompartmentSize = .s, in compartmentID: Int
    ) throws -> Parcel {
        let parcel = try insertParcel(
            trackingNumber: trackingNumber, recipientReference: recipient, size: size, temperatureClass: .ambient,
            compartmentID: compartmentID, courierID: "4711",
            retentionDeadline: stamp.wallClock.addingTimeInterval(48 * 3600))
        var compartment = try self.compartment(compartmentID)
        compartment.state = .occupied
        try update(compartment)
        return parcel
    }
}

/// Everything observable in a store, to check that a refused transaction changed nothing.
struct StoreContents: Equatable {
    var compartments: [Compartment]
    var liveParcels: [Parcel]
    var allParcels: [Parcel]
    var codeHashes: [Int: String]
    var pending: [Int: PendingOperation]
    var attemptGuard: CodeAttemptGuard
    var events: [RecordedEvent]
    var lastEventSequence: Int64

    init(of store: CabinetStore) throws {
        let snapshot = try store.snapshot()
        compartments = snapshot.compartments
        liveParcels = snapshot.liveParcels
        allParcels = try store.parcels()
        codeHashes = snapshot.codeHashes
        pending = snapshot.pending
        attemptGuard = snapshot.attemptGuard
        events = try store.events()
        lastEventSequence = try store.lastEventSequence()
    }
}

struct DeliberateFailure: Error {}
