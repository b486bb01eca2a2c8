import Foundation
import LockerMaintenanceProtocol
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A peer turned away on its uid and gid leaves a `maintenance.action` record in the hash chain
/// (`refused_peer`, with uid, gid and pid), at most one per peer per minute, the next one saying
/// how many attempts it stands for. Driven by the real `lockerctl` run as another user.
@Suite struct RefusedPeerAuditTests {
    /// The refused-peer records so far, waiting (briefly, on real socket I/O) for `count` of them:
    /// the record is committed on the cabinet loop just after the outsider's connection is closed.
    static func refusedRecords(_ daemon: MaintenanceDaemon, count: Int) throws -> [EventReport] {
        let deadline = Date().addingTimeInterval(10)
        while true {
            let events = try #require(try daemon.json(["events", "--limit", "1000"]).events)
            let records = events.filter { $0.kind == "maintenance.action" && $0.payload.contains("\"result\":\"refused_peer\"") }
            if records.count >= count || Date() > deadline { return records }
            usleep(20_000)
        }
    }

    @Test func anOutsiderTurnedAwayIsRecordedOncePerMinuteWithTheAttemptsItStandsFor() throws {
        let daemon = try MaintenanceDaemon()
        defer { daemon.stop() }
        let nobody = MaintenanceDaemon.nobody
        // The file mode loosened by mistake: the outsider reaches the daemon, which checks SO_PEERCRED.
        #expect(chmod(daemon.socketPath, 0o666) == 0)
        for _ in 0..<3 {
            let run = daemon.ctl(["status"], user: nobody, group: nobody)
            #expect(run.status == 77, "\(run.output)\(run.error)")
        }
        let first = try Self.refusedRecords(daemon, count: 1)
        #expect(first.count == 1, "three knocks within a minute are one record: \(first.map(\.payload))")
        let record = try #require(first.first).payload
        for field in ["\"uid\":\(nobody)", "\"gid\":\(nobody)", "\"action\":\"connect\"", "\"attempts\":1", "\"suppressed\":0"] {
            #expect(record.contains(field), "\(field) in \(record)")
        }
        #expect(record.range(of: #""pid":[1-9]\d*"#, options: .regularExpression) != nil, "\(record)")

        // A minute later (on lockerd's manual clock) the next knock is recorded with the two
        // attempts that went unrecorded.
        #expect(daemon.ctl(["sim", "wait", "61"]).status == 0)
        #expect(daemon.ctl(["status"], user: nobody, group: nobody).status == 77)
        let both = try Self.refusedRecords(daemon, count: 2)
        #expect(both.count == 2)
        let second = try #require(both.last).payload
        #expect(second.contains("\"attempts\":3") && second.contains("\"suppressed\":2"), "\(second)")

        // The records are links of the custody chain like any other.
        let verify = daemon.ctl(["audit", "verify"])
        #expect(verify.status == 0, "\(verify.output)\(verify.error)")
    }
}
