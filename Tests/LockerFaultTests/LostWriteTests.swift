import Foundation
import LockerCore
@testable import LockerStore
import Testing

extension StoreFaultBattery {
    /// Power cuts that lose every write not yet synced (or a random part of them), at random
    /// points of a seeded workload: between transactions, at any write and at any sync (inside
    /// commits and inside checkpoints). After each cut the store is reopened from what reached the
    /// disk and must hold exactly what it held after the last transaction that returned.
    @Suite("Lost un-synced writes")
    struct LostWrites {
        /// Power cuts in all (`LOCKERD_FAULT_POWER_CUTS` to change it), eight per seed.
        static let powerCuts = max(8, Int(ProcessInfo.processInfo.environment["LOCKERD_FAULT_POWER_CUTS"] ?? "") ?? 200)
        static let crashesPerSeed = 8
        static var seeds: Int { (powerCuts + crashesPerSeed - 1) / crashesPerSeed }
        static let stepsPerRun = 18

        enum CrashPoint: CustomStringConvertible {
            case betweenSteps(afterStep: Int)
            case atWrite(Int64)
            case atSync(Int64)

            var kind: String {
                switch self {
                case .betweenSteps: "between steps"
                case .atWrite: "at a write"
                case .atSync: "at a sync"
                }
            }

            var description: String {
                switch self {
                case .betweenSteps(let step): "after step \(step)"
                case .atWrite(let n): "at write \(n)"
                case .atSync(let n): "at sync \(n)"
                }
            }
        }

        /// A clean run of a seed: what the store holds after each step, and how much I/O it made.
        struct Reference {
            var contents: [StoreContents]
            var steps: [FaultWorkload.Step]
            var writes: Int64
            var syncs: Int64
        }

        /// The commit that returned must be on the disk. This failed until CabinetStore set
        /// `synchronous = FULL` again on GRDB's writer connection, which GRDB sets to NORMAL when
        /// it turns WAL on, after `prepareDatabase`.
        @Test func aTransactionThatReturnedSurvivesAPowerCutAsShipped() throws {
            try withFaultDirectory { directory in
                let template = try FaultFixture.makeTemplate(in: directory)
                let path = try FaultFixture.copy(template, to: "as-shipped", in: directory)
                var committed: StoreContents?
                try withStore(path: path) { store in
                    #expect(try writerSynchronous(store) == 2,
                            "the connection that commits must run with synchronous = FULL (2): GRDB's DatabasePool sets NORMAL (1) on its writer after prepareDatabase")
                    FaultVFS.resetCounts()
                    var workload = FaultWorkload(seed: 1)
                    for _ in 0..<3 {
                        do { try workload.runStep(on: store) } catch is FaultWorkload.Refused {}
                    }
                    let counts = FaultVFS.counts
                    #expect(counts.held_bytes == 0, "\(counts.held_bytes) bytes of returned commits are not synced")
                    committed = try StoreContents(of: store)
                    FaultVFS.crash()
                }
                FaultVFS.reset()
                try withStore(path: path) { store in
                    let recovered = try StoreContents(of: store)
                    #expect(recovered == committed, "a power cut lost returned transactions: the store holds \(recovered), expected \(committed.map(String.init(describing:)) ?? "")")
                }
            }
        }

        @Test func everyCommittedTransactionSurvivesAPowerCutAndNothingElseDoes() throws {
            try withFaultDirectory { directory in
                let template = try FaultFixture.makeTemplate(in: directory)
                var failures: [String] = []
                var tally: [String: Int] = [:]
                var iterations = 0
                var kinds = Set<FaultWorkload.Step>()
                for seed in 0..<UInt64(Self.seeds) {
                    let reference = try Self.referenceRun(seed: seed, template: template, in: directory)
                    kinds.formUnion(reference.steps)
                    for attempt in 0..<UInt64(Self.crashesPerSeed) {
                        var random = SeededRandom(seed: seed &* 7_919 &+ attempt)
                        let keepPercent: Int32 = random.next() % 2 == 0 ? 0 : Int32(1 + random.next() % 99)
                        let point: CrashPoint = switch random.next() % 3 {
                        case 0: .betweenSteps(afterStep: Int(random.next() % UInt64(Self.stepsPerRun + 1)))
                        case 1: .atWrite(Int64(random.next() % UInt64(max(1, reference.writes))))
                        default: .atSync(Int64(random.next() % UInt64(max(1, reference.syncs))))
                        }
                        let label = "seed \(seed), power cut \(point), \(keepPercent)% of held writes kept"
                        let outcome = try Self.crashRun(
                            seed: seed, point: point, keepPercent: keepPercent, crashSeed: random.next(),
                            reference: reference, template: template, in: directory, name: "run-\(seed)-\(attempt)")
                        failures += outcome.problems.map { "\(label): \($0)" }
                        tally["\(point.kind) \(keepPercent > 0 ? "partial" : "total") loss: \(outcome.summary)", default: 0] += 1
                        iterations += 1
                    }
                    try? FileManager.default.removeItem(at: directory.appendingPathComponent("reference-\(seed)"))
                }
                print("lost writes: \(iterations) power cuts; \(tally.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))")
                #expect(iterations == Self.seeds * Self.crashesPerSeed)
                #expect(failures.isEmpty, "\(failures.count) problems:\n\(failures.prefix(20).joined(separator: "\n"))")
                #expect(kinds == Set(FaultWorkload.Step.allCases), "the workload must exercise every kind of step: \(kinds)")
                #expect(tally.keys.contains { $0.hasSuffix("in-flight lost") }, "some cuts must fall inside a commit")
            }
        }

        static func referenceRun(seed: UInt64, template: URL, in directory: URL) throws -> Reference {
            let path = try FaultFixture.copy(template, to: "reference-\(seed)", in: directory)
            FaultVFS.reset()
            return try withStore(path: path) { store in
                var contents = [try StoreContents(of: store)]
                var steps: [FaultWorkload.Step] = []
                var workload = FaultWorkload(seed: seed)
                FaultVFS.resetCounts()
                for _ in 0..<stepsPerRun {
                    do { steps.append(try workload.runStep(on: store)) } catch is FaultWorkload.Refused { steps.append(.refused) }
                    contents.append(try StoreContents(of: store))
                }
                let counts = FaultVFS.counts
                return Reference(contents: contents, steps: steps, writes: counts.writes, syncs: counts.syncs)
            }
        }

        struct Outcome {
            var problems: [String] = []
            var summary = ""
        }

        /// The same workload as the reference on a fresh copy, with the power cut at `point`; then
        /// the store reopened from the disk and compared with the reference.
        static func crashRun(
            seed: UInt64, point: CrashPoint, keepPercent: Int32, crashSeed: UInt64, reference: Reference,
            template: URL, in directory: URL, name: String
        ) throws -> Outcome {
            let path = try FaultFixture.copy(template, to: name, in: directory)
            defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
            var outcome = Outcome()
            FaultVFS.reset()
            // Steps that returned (committed, or refused and rolled back), and whether one was under
            // way when the power went.
            var returned = 0
            var inFlight = false
            try withStore(path: path) { store in
                var workload = FaultWorkload(seed: seed)
                FaultVFS.resetCounts()
                switch point {
                case .atWrite(let n): FaultVFS.crash(at: n, of: .write, keepPercent: keepPercent, seed: crashSeed)
                case .atSync(let n): FaultVFS.crash(at: n, of: .sync, keepPercent: keepPercent, seed: crashSeed)
                case .betweenSteps: break
                }
                for step in 0..<stepsPerRun {
                    if case .betweenSteps(let after) = point, after == step { break }
                    do {
                        try workload.runStep(on: store)
                    } catch is FaultWorkload.Refused {
                    } catch {
                        if FaultVFS.counts.crashed == 0 {
                            outcome.problems.append("step \(step) failed without a power cut: \(error)")
                        }
                        inFlight = true
                        break
                    }
                    returned += 1
                    // A cut inside the checkpoint SQLite runs after a commit leaves the commit
                    // returned and the files dead.
                    if FaultVFS.counts.crashed != 0 { break }
                }
                if FaultVFS.counts.crashed == 0 { FaultVFS.crash(keepPercent: keepPercent, seed: crashSeed) }
            }
            // The store is gone (every file closed); the power comes back.
            FaultVFS.reset()
            try withStore(path: path) { store in
                let recovered = try StoreContents(of: store)
                if recovered == reference.contents[returned] {
                    outcome.summary = inFlight ? "in-flight lost" : "nothing in flight"
                } else if inFlight && keepPercent > 0 && recovered == reference.contents[returned + 1] {
                    // The disk had written all of the interrupted commit's frames before the cut:
                    // all of it is there (never a part, which the comparison would catch).
                    outcome.summary = "in-flight kept whole"
                } else {
                    outcome.problems.append(
                        "after \(returned) returned steps (\(inFlight ? "one in flight" : "none in flight")) the store holds \(recovered), expected \(reference.contents[returned])")
                }
                outcome.problems += try soundnessProblems(of: store, contents: recovered)
                // Life goes on: the recovered store takes new custody.
                try store.transaction(at: FaultFixture.stamp(100_000)) { tx in try tx.append(CustodyEvent(.daemonStarted)) }
                if case .broken(let sequence, let reason) = try store.verifyEventChain() {
                    outcome.problems.append("after a new event the chain is broken at \(sequence): \(reason)")
                }
            }
            return outcome
        }
    }
}
