import Foundation
import LockerMaintenanceProtocol
import Testing

/// `lockerctl lockout` shows the keypad lockout a guesser caused, and `lockerctl lockout clear
/// --reason ...` clears it with an audit record; the real `lockerctl` against a real `lockerd`.
@Suite struct LockoutCommandTests {
    @Test func aTechnicianSeesAndClearsTheKeypadLockoutAndTheClearIsAudited() throws {
        let daemon = try MaintenanceDaemon()
        defer { daemon.stop() }
        let quiet = daemon.ctl(["lockout"])
        #expect(quiet.status == 0 && quiet.output.contains("keypad open: 0 wrong codes"), "\(quiet.output)\(quiet.error)")

        // Five wrong codes at the keypad: the fifth locks it.
        for _ in 0..<5 { #expect(daemon.ctl(["sim", "press", "00000000"]).status == 0) }
        let locked = daemon.ctl(["lockout"])
        #expect(locked.status == 0 && locked.output.contains("keypad LOCKED: 5 wrong codes"), "\(locked.output)")
        let report = try #require(try daemon.json(["lockout"]).lockout)
        #expect(report.keypad.consecutiveFailures == 5 && report.keypad.secondsLeft > 0 && report.keypad.lockedUntil != nil)

        // Clearing needs a reason, and the read-only socket may look but not clear.
        #expect(daemon.ctl(["lockout", "clear"]).status == 64)
        #expect(daemon.ctl(["lockout"], socket: daemon.readOnlySocketPath).status == 0)
        #expect(daemon.ctl(["lockout", "clear", "--reason", "x"], socket: daemon.readOnlySocketPath).status == 77)
        let cleared = daemon.ctl(["lockout", "clear", "--reason", "a child pressed keys at random"])
        #expect(cleared.status == 0 && cleared.output.contains("cleared (audit record #"), "\(cleared.output)\(cleared.error)")
        #expect(cleared.output.contains("keypad open: 0 wrong codes"), "\(cleared.output)")
        #expect(try daemon.json(["lockout"]).lockout?.keypad == .init(consecutiveFailures: 0, lockedUntil: nil, secondsLeft: 0,
                                                                       lastFailureAt: nil))

        let events = try #require(try daemon.json(["events", "--limit", "1000"]).events)
        let clear = try #require(events.first { $0.kind == "keypad.lockout_cleared" })
        #expect(clear.payload.contains("\"consecutive_failures\":5"), "\(clear.payload)")
        let audit = try #require(events.first { $0.kind == "maintenance.action" && $0.payload.contains("\"action\":\"lockout.clear\"")
            && $0.payload.contains("\"result\":\"done\"") })
        #expect(audit.payload.contains("a child pressed keys at random") && audit.payload.contains("\"result\":\"done\""))
        #expect(audit.sequence == clear.sequence + 1, "one commit: the decision and who asked")
        // The keypad takes codes again: the next wrong one is counted from zero, not locked.
        #expect(daemon.ctl(["sim", "press", "00000000"]).status == 0)
        let after = try #require(try daemon.json(["lockout"]).lockout?.keypad)
        #expect(after.consecutiveFailures == 1 && after.secondsLeft == 0, "\(after)")
    }
}
