import Foundation
import GRDB
import Testing

/// SIGKILL at many points of a deposit/pickup workload on a real `lockerd` process. After every
/// restart the store must pass `integrity_check`, keep every event the process had reported as
/// committed, have gap-free sequence numbers, never hold two recipients' parcels in one door, and
/// record every door as its sensor (the simulated cabinet's saved physical state) shows it.
///
/// SIGKILL loses no write the kernel accepted, so this proves the commit protocol and the
/// reconciliation, not the disk's fsync behaviour (that needs a filesystem that drops unsynced
/// writes; see the fault battery).
@Suite struct PowerLossTests {
    @Test func killedAtRandomPointsLosesNothingCommitted() async throws {
        let points = Int(ProcessInfo.processInfo.environment["LOCKERD_CRASH_POINTS"] ?? "") ?? 50
        let seed = UInt64(ProcessInfo.processInfo.environment["LOCKERD_CRASH_SEED"] ?? "") ?? 20_261_123
        let report = await withCheckedContinuation { (done: CheckedContinuation<CrashWorkloadDriver.Report, Never>) in
            // Blocking pipe reads: on a thread of its own, never on the concurrency pool.
            let thread = Thread {
                let driver = CrashWorkloadDriver(seed: seed)
                done.resume(returning: driver.run(killPoints: points))
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        print("power-loss: \(report.kills) kills, \(report.acknowledgedEvents) acknowledged events, \(report.deposits) deposits, \(report.pickups) pickups, \(report.doorsClosedWhileDown) doors closed while down, \(report.retrievals) retrievals")
        #expect(report.failures.isEmpty, "\(report.failures.prefix(10).joined(separator: "\n"))")
        #expect(report.kills == points)
        #expect(report.acknowledgedEvents > points, "the workload must actually commit custody events")
        #expect(report.deposits > 0 && report.pickups > 0, "deposits \(report.deposits), pickups \(report.pickups)")
    }
}
