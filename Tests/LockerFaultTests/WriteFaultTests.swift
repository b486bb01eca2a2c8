import Foundation
import GRDB
import LockerCore
@testable import LockerStore
import Testing

extension StoreFaultBattery {
    /// ENOSPC and EIO at each write and each sync of one commit (and of one TRUNCATE checkpoint):
    /// the operation throws SQLite's own error (SQLITE_FULL, SQLITE_IOERR_WRITE,
    /// SQLITE_IOERR_FSYNC), never crashes; then lockerd's reaction; then more commits succeed and a
    /// power cut right after loses nothing that was committed, and `quick_check` stays clean.
    ///
    /// What SQLite does, and so what lockerd must do:
    /// - A failed *write* (ENOSPC or EIO) rolls the transaction back and the connection recovers by
    ///   itself: the same store reads the state before, refuses commits while the fault lasts, and
    ///   commits again once it clears. lockerd may go on (deposits stop while the disk is full).
    /// - A failed *fsync* loses, on Linux, whatever the file held un-synced (the kernel may drop
    ///   dirty pages whose writeback failed; the VFS models the worst case: they are gone from
    ///   reads too). The failed transaction itself rolls back cleanly, and when nothing else was
    ///   un-synced the same store goes on fine (appending and restarted-WAL cases). But right after
    ///   opening, the WAL holds GRDB's own un-synced commit (DatabasePool creates the WAL with a
    ///   throwaway table while `synchronous` is NORMAL); if the first fsync fails, that commit is
    ///   gone from under SQLite's in-memory WAL index, and the same store then reads a zeroed
    ///   page 1 ("file is not a database"). So on SQLITE_IOERR_FSYNC lockerd must stop using the
    ///   store and restart from the disk: exit without closing it (systemd starts it again), which
    ///   is what `.restart` does here and what these tests require to lose nothing.
    @Suite("ENOSPC and EIO")
    struct WriteFaults {
        struct Case: Sendable, CustomTestStringConvertible {
            enum Target: Sendable { case commit, checkpoint }
            var target: Target
            var operation: FaultVFS.Operation
            var code: ResultCode
            var persistent: Bool
            /// What lockerd does when the operation throws.
            var reaction: Reaction

            var testDescription: String {
                "\(code) at each \(operation == .write ? "write" : "sync") of a \(target)\(persistent ? ", and every one after until cleared" : "")"
            }
        }

        /// What lockerd does after the fault.
        enum Reaction: Sendable {
            /// Keeps using the same store (the fault was reported, the transaction rolled back).
            case goOn
            /// Exits at once without closing the store, and is started again.
            case restart
        }

        static let cases: [Case] = [
            Case(target: .commit, operation: .write, code: .SQLITE_FULL, persistent: false, reaction: .goOn),
            Case(target: .commit, operation: .write, code: .SQLITE_FULL, persistent: true, reaction: .goOn),
            Case(target: .commit, operation: .write, code: .SQLITE_IOERR_WRITE, persistent: false, reaction: .goOn),
            Case(target: .commit, operation: .sync, code: .SQLITE_IOERR_FSYNC, persistent: false, reaction: .restart),
            Case(target: .commit, operation: .sync, code: .SQLITE_IOERR_FSYNC, persistent: true, reaction: .restart),
            Case(target: .checkpoint, operation: .write, code: .SQLITE_FULL, persistent: false, reaction: .goOn),
            Case(target: .checkpoint, operation: .write, code: .SQLITE_IOERR_WRITE, persistent: false, reaction: .goOn),
            Case(target: .checkpoint, operation: .sync, code: .SQLITE_IOERR_FSYNC, persistent: false, reaction: .restart),
        ]

        /// Where the WAL stands when the faulted commit starts.
        enum Setup: CaseIterable {
            /// The first commit after opening: it creates the WAL and writes its header.
            case freshWAL
            /// Commits already in the WAL: the commit appends frames.
            case appending
            /// After a TRUNCATE checkpoint: the commit restarts the WAL from its first byte.
            case restartedWAL
        }

        @Test(arguments: cases)
        func aFaultAtEachWriteOrSyncFailsCleanlyAndLosesNothing(_ faultCase: Case) throws {
            try withFaultDirectory { directory in
                let template = try FaultFixture.makeTemplate(in: directory)
                let setups: [Setup] = faultCase.target == .commit ? Setup.allCases : [.appending]
                var scenarios = 0
                var problems: [String] = []
                for setup in setups {
                    // Count the operation's writes and syncs on a clean run.
                    let clean = Self.run(faultCase, setup: setup, failAt: nil, template: template, in: directory)
                    problems += clean.problems.map { "\(setup), clean run: \($0)" }
                    let count = faultCase.operation == .write ? clean.writes : clean.syncs
                    #expect(count > 0, "\(setup): the \(faultCase.target) made no \(faultCase.operation)")
                    for k in 0..<count {
                        let faulted = Self.run(faultCase, setup: setup, failAt: k, template: template, in: directory)
                        problems += faulted.problems.map { "\(setup), \(faultCase.operation) \(k) of \(count): \($0)" }
                        scenarios += 1
                    }
                    print("\(faultCase.testDescription), \(setup): \(clean.writes) writes and \(clean.syncs) syncs; \(count) faults injected one at a time")
                }
                #expect(scenarios > 0)
                #expect(problems.isEmpty, "\(problems.count) problems:\n\(problems.prefix(20).joined(separator: "\n"))")
            }
        }

        struct Run {
            var writes: Int64 = 0
            var syncs: Int64 = 0
            var problems: [String] = []
        }

        /// The known commit: a deposit (parcel row, door state, pickup code, event), a few pages.
        static func knownCommit(_ store: CabinetStore, step: Int) throws {
            try store.transaction(at: FaultFixture.stamp(step)) { tx in
                let parcel = try tx.insertParcel(
                    trackingNumber: "JJD-FAULT-\(step)", recipientReference: "r-\(step)", size: .m, temperatureClass: .ambient,
                    compartmentID: 5, courierID: "4711", retentionDeadline: FaultFixture.t0.addingTimeInterval(48 * 3600))
                var compartment = try tx.compartment(5)
                compartment.state = .occupied
                try tx.update(compartment)
                try tx.setCodeHash("code-fault-\(step)", compartmentID: 5)
                try tx.append(CustodyEvent(.depositCommitted, compartmentID: 5, parcelID: parcel.id,
                                           payload: ["tracking": .string("JJD-FAULT-\(step)")]))
            }
        }

        /// A later, unrelated commit (the cabinet goes on working).
        static func laterCommit(_ store: CabinetStore, step: Int) throws {
            try store.transaction(at: FaultFixture.stamp(step)) { tx in
                var compartment = try tx.compartment(7)
                compartment.latchCycles += 1
                try tx.update(compartment)
                try tx.append(CustodyEvent(.doorLeftOpen, compartmentID: 7))
            }
        }

        static func checkpoint(_ store: CabinetStore) throws {
            try store.pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        }

        /// A fresh copy of the template, set up; then the operation under test, with the fault at
        /// its k-th write or sync (`failAt` nil: no fault, count them); then what lockerd does
        /// about it (`faultCase.reaction`), and a power cut once it has committed more.
        static func run(_ faultCase: Case, setup: Setup, failAt k: Int64?, template: URL, in directory: URL) -> Run {
            var result = Run()
            do {
                try run(faultCase, setup: setup, failAt: k, template: template, in: directory, into: &result)
            } catch {
                result.problems.append("threw \(error)")
            }
            return result
        }

        private static func run(
            _ faultCase: Case, setup: Setup, failAt k: Int64?, template: URL, in directory: URL, into result: inout Run
        ) throws {
            let path = try FaultFixture.copy(template, to: "run", in: directory)
            FaultVFS.reset()
            var before: StoreContents?
            var committed: StoreContents?
            let operation = { (store: CabinetStore) throws in
                switch faultCase.target {
                case .commit: try knownCommit(store, step: 20)
                case .checkpoint: try checkpoint(store)
                }
            }
            /// The fault is gone: the store takes the operation again, and a later commit; then the
            /// power fails (only what was synced survives).
            func goOn(_ store: CabinetStore, result: inout Run) throws {
                do {
                    try operation(store)
                    try laterCommit(store, step: 40)
                } catch {
                    result.problems.append("after the fault, the store refused a commit: \(error)")
                    return
                }
                committed = try StoreContents(of: store)
                result.problems += try soundnessProblems(of: store)
                FaultVFS.crash()
            }

            try withStore(path: path) { store in
                if setup != .freshWAL {
                    for step in 0..<4 { try laterCommit(store, step: step) }
                    if setup == .restartedWAL { try checkpoint(store) }
                }
                // The checkpoint under test needs frames to copy.
                if faultCase.target == .checkpoint { try knownCommit(store, step: 10) }
                before = try StoreContents(of: store)

                FaultVFS.resetCounts()
                if let k { FaultVFS.fail(faultCase.operation, at: k, with: faultCase.code, persistent: faultCase.persistent) }
                var thrown: (any Error)?
                do { try operation(store) } catch { thrown = error }
                let counts = FaultVFS.counts
                result.writes = counts.writes
                result.syncs = counts.syncs
                guard let k else {
                    if let thrown { result.problems.append("the clean run threw \(thrown)") }
                    return
                }

                // The operation fails, with SQLite's own error for the fault.
                if counts.faults == 0 { result.problems.append("the fault at \(k) never fired") }
                if let error = thrown as? DatabaseError {
                    if error.extendedResultCode != faultCase.code {
                        result.problems.append("threw \(error.extendedResultCode), not \(faultCase.code): \(error)")
                    }
                } else {
                    result.problems.append(thrown.map { "threw a non-SQLite error \($0)" } ?? "did not throw")
                }
                if faultCase.persistent {
                    // The disk stays full (the I/O error stays): every commit is refused.
                    if (try? laterCommit(store, step: 30)) != nil { result.problems.append("a commit succeeded while the fault was in force") }
                }
                switch faultCase.reaction {
                case .goOn:
                    // The store still reads what it held before, and goes on once the fault clears.
                    if try StoreContents(of: store) != before { result.problems.append("the store changed though the \(faultCase.target) failed") }
                    FaultVFS.clearFaults()
                    try goOn(store, result: &result)
                case .restart:
                    // lockerd exits at once without closing the store, and is started again.
                    FaultVFS.killProcess()
                }
            }
            guard k != nil else { return }
            if faultCase.reaction == .restart {
                FaultVFS.reset()
                try withStore(path: path) { store in
                    let restarted = try StoreContents(of: store)
                    if restarted != before { result.problems.append("after the restart the store holds \(restarted), expected \(before.map(String.init(describing:)) ?? "")") }
                    result.problems += try soundnessProblems(of: store)
                    try goOn(store, result: &result)
                }
            }
            FaultVFS.reset()
            guard let committed else { return }
            try withStore(path: path) { store in
                let recovered = try StoreContents(of: store)
                if recovered != committed { result.problems.append("after a power cut the store holds \(recovered), expected \(committed)") }
                result.problems += try soundnessProblems(of: store)
            }
            // Closed cleanly (checkpointed, WAL removed) and opened once more.
            try withStore(path: path) { store in
                if try StoreContents(of: store) != committed { result.problems.append("after a clean close the store changed") }
            }
        }
    }
}
