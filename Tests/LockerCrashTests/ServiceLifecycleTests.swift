import Foundation
import LockerTestSupport
import Testing

/// A real `lockerd` under a stand-in for systemd's notification socket: READY=1 only after start-up,
/// watchdog pings that stop while the cabinet's loop is stuck (so systemd would restart it) and
/// resume after, STOPPING=1 on SIGTERM, and a SIGTERM in the middle of a deposit that loses nothing.
@Suite struct ServiceLifecycleTests {
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { done in
            Thread { done.resume(with: Result { try body() }) }.start()
        }
    }

    @Test func readyThenWatchdogPingsThatStopWhileTheLoopIsStuckThenStopping() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lockerd-notify-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try await Self.onThread { () -> (ready: [String], wedged: [String], after: [String], exit: Int32, stopping: [String]) in
            let socket = try NotifySocketListener()
            let started = Date()
            let daemon = try LockerdProcess(stateDirectory: directory, environment: [
                "NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "1000000",
            ])
            let ready = socket.collect(untilMilliseconds: 5_000) { $0.contains("READY=1") }
            let readySeconds = Date().timeIntervalSince(started)
            _ = socket.collect(untilMilliseconds: 2_000) { $0 == "WATCHDOG=1" }
            // The loop hangs for 3 s (three watchdog intervals): what systemd hears meanwhile, from
            // the moment the loop is stuck (on a loaded machine that is a while after the command)
            // and after the loop's last beat has gone stale (half an interval; a ping already
            // due may still go out in that time).
            daemon.send("wedge 3")
            var stuckLine: String?
            while stuckLine == nil, let line = daemon.readLine() {
                if line.contains("the cabinet loop is stuck") { stuckLine = line }
            }
            let grace = socket.collect(untilMilliseconds: 750) { _ in false }
            let wedged = grace.filter { !$0.contains("WATCHDOG=1") } + socket.collect(untilMilliseconds: 1_750) { _ in false }
            let after = socket.collect(untilMilliseconds: 4_000) { $0 == "WATCHDOG=1" }
            let exit = daemon.terminate()
            let stopping = socket.collect(untilMilliseconds: 1_000) { $0.contains("STOPPING=1") }
            print("lockerd READY after \(String(format: "%.2f", readySeconds)) s")
            return (ready, wedged, after, exit, stopping)
        }
        #expect(outcome.ready.last?.contains("READY=1") == true, "\(outcome.ready)")
        #expect(outcome.ready.contains { $0.contains("STATUS=reconciling doors") })
        #expect(!outcome.wedged.contains("WATCHDOG=1"), "pinged while the loop was stuck: \(outcome.wedged)")
        #expect(outcome.wedged.contains { $0.contains("STATUS=not responding: cabinet loop") }, "\(outcome.wedged)")
        #expect(outcome.after.last == "WATCHDOG=1", "pings did not resume: \(outcome.after)")
        #expect(outcome.exit == 0)
        #expect(outcome.stopping.contains { $0.contains("STOPPING=1") } || outcome.after.contains { $0.contains("STOPPING=1") })
    }

    @Test func sigtermDuringADepositLosesNothingAndTheDepositFinishesAfterRestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lockerd-sigterm-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (exit, afterRestart) = try await Self.onThread { () -> (Int32, [String]) in
            let first = try LockerdProcess(stateDirectory: directory)
            _ = first.run("press menu 1001 enter 4321 enter", mark: 1)
            _ = first.run("scan SF6000000001", mark: 2)
            let opened = first.run("press enter", mark: 3) ?? []
            precondition(opened.contains { $0.contains("deposit.door_opened") }, "no door opened: \(opened)")
            // systemd stops the service while the courier's door is open.
            let exit = first.terminate()
            let second = try LockerdProcess(stateDirectory: directory)
            defer { second.quit() }
            var lines = second.run("put A03", mark: 4) ?? []
            lines += second.run("close A03", mark: 5) ?? []
            lines += second.run("show", mark: 6) ?? []
            return (exit, lines)
        }
        #expect(exit == 0)
        #expect(afterRestart.contains { $0.contains("deposit.committed A03") || $0.contains("deposit.recovered A03") }, "\(afterRestart)")
        #expect(afterRestart.contains { $0.hasPrefix("A03") && $0.contains("occupied") }, "\(afterRestart)")
    }
}
