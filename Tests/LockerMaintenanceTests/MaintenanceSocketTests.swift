import Foundation
import GRDB
import LockerMaintenanceProtocol
import LockerTestSupport
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The technician's interface end to end: a real lockerd, the real lockerctl, other users,
/// garbage on the socket, clients that misbehave, and a tampered audit trail.
@Suite(.serialized)
struct MaintenanceSocketTests {
    @Test func lockerctlInspectsAndMaintainsTheCabinetAndEveryActionIsAudited() throws {
        let daemon = try MaintenanceDaemon()
        defer { daemon.stop() }

        let status = daemon.ctl(["status"])
        #expect(status.status == 0, "\(status.error)")
        for label in ["A01", "A02", "A03", "A04"] { #expect(status.output.contains(label)) }
        #expect(status.output.contains("maintenance-test"))

        let opened = daemon.ctl(["open", "A01", "--reason", "customer says the door sticks"])
        #expect(opened.status == 0, "\(opened.error)")
        #expect(try daemon.json(["compartments"]).compartments?.first { $0.label == "A01" }?.sensor == "open")

        // A reason is required for every action that moves a latch.
        let noReason = daemon.ctl(["open", "A02"])
        #expect(noReason.status != 0)
        let openAllWithoutYes = daemon.ctl(["open-all", "--reason", "inventory"])
        #expect(openAllWithoutYes.status != 0)

        #expect(daemon.ctl(["quarantine", "A02", "--reason", "hinge broken"]).status == 0)
        let quarantined = try daemon.json(["status"]).status?.doors.first { $0.label == "A02" }
        #expect(quarantined?.state == "quarantined")
        #expect(quarantined?.alarms.contains("quarantined") == true)
        #expect(quarantined?.quarantineReason?.contains("hinge broken") == true)
        let again = daemon.ctl(["quarantine", "A02", "--reason", "twice"])
        #expect(again.status == 1 && again.error.contains("already quarantined"))
        #expect(daemon.ctl(["enable", "A02", "--reason", "hinge replaced"]).status == 0)
        #expect(try daemon.json(["compartments"]).compartments?.first { $0.label == "A02" }?.state == "available")

        let unknownDoor = daemon.ctl(["open", "Z99", "--reason", "typo"])
        #expect(unknownDoor.status == 1 && unknownDoor.error.contains("Z99"))

        // Every action, refused ones included, is in the hash-chained record with who and why.
        let events = try #require(try daemon.json(["events", "--limit", "100"]).events)
        let audit = events.filter { $0.kind == "maintenance.action" }.map(\.payload)
        #expect(audit.contains { $0.contains("\"action\":\"open\"") && $0.contains("customer says the door sticks") && $0.contains("\"uid\":0") })
        #expect(audit.contains { $0.contains("\"action\":\"quarantine\"") && $0.contains("hinge broken") })
        #expect(audit.contains { $0.contains("\"action\":\"enable\"") && $0.contains("hinge replaced") })
        #expect(audit.contains { $0.contains("Z99") && $0.contains("bad_request") })
        #expect(events.contains { $0.kind == "compartment.quarantined" } && events.contains { $0.kind == "compartment.enabled" })

        let verify = daemon.ctl(["audit", "verify"])
        #expect(verify.status == 0 && verify.output.contains("INTACT"), "\(verify.output)\(verify.error)")

        let metrics = daemon.ctl(["metrics"])
        #expect(metrics.output.contains("lockerd_maintenance_actions_total"))
        #expect(metrics.output.contains("lockerd_unlock_latency_seconds_count 1"))

        let diag = try #require(try daemon.json(["diag", "--output", daemon.directory.appendingPathComponent("bundle-root").path]).diagnostics)
        let configuration = try String(contentsOfFile: diag.path + "/configuration.json", encoding: .utf8)
        #expect(configuration.contains("(redacted)") && !configuration.contains("4321"))
        #expect(diag.integrity == "ok")
        #expect(FileManager.default.fileExists(atPath: diag.path + "/log-recent.txt"))
        // A technician who is not root gets the bundle through the socket, into a folder of their own.
        let shared = daemon.directory.appendingPathComponent("shared")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        #expect(chmod(shared.path, 0o777) == 0)
        let local = shared.appendingPathComponent("bundle-for-tech").path
        let copied = daemon.ctl(["diag", "--output", local], user: MaintenanceDaemon.nobody, group: MaintenanceDaemon.fullGroup)
        #expect(copied.status == 0, "\(copied.error)")
        let copiedConfiguration = try String(contentsOfFile: local + "/configuration.json", encoding: .utf8)
        #expect(copiedConfiguration.contains("maintenance-test") && !copiedConfiguration.contains("4321"))
        #expect(try String(contentsOfFile: local + "/integrity.txt", encoding: .utf8).contains("quick_check: ok"))
    }

    @Test func selftestPulsesEmptyDoorsAndReportsAJammedLatch() throws {
        let daemon = try MaintenanceDaemon()
        defer { daemon.stop() }
        #expect(daemon.ctl(["sim", "jam", "A03"]).status == 0)
        // The jammed door's verdict needs the door watch's confirmation time to pass: run the
        // self-test in the background and move the (manual) clock on from another lockerctl.
        let result = RunSlot()
        let done = DispatchSemaphore(value: 0)
        Thread {
            result.value.withLock { $0 = daemon.ctl(["selftest", "A01", "A03", "A04", "--reason", "monthly check"]) }
            done.signal()
        }.start()
        var finished = false
        for _ in 0..<50 where !finished {
            _ = daemon.ctl(["sim", "wait", "1"])
            finished = done.wait(timeout: .now() + .milliseconds(100)) == .success
        }
        if !finished { done.wait() }
        let run = try #require(result.value.withLock { $0 })
        #expect(run.status == 1, "a failed door makes selftest exit 1: \(run.output)\(run.error)")
        let lines = run.output.split(separator: "\n")
        #expect(lines.contains { $0.contains("A01") && $0.contains("passed") })
        #expect(lines.contains { $0.contains("A04") && $0.contains("passed") })
        #expect(lines.contains { $0.contains("A03") && $0.contains("failed") })
        // The failed latch is out of service until a technician enables it again.
        #expect(try daemon.json(["compartments"]).compartments?.first { $0.label == "A03" }?.state == "quarantined")
        let events = try #require(try daemon.json(["events"]).events)
        #expect(events.contains { $0.kind == "latch.failed" && $0.door == "A03" })
        #expect(events.contains { $0.kind == "maintenance.action" && $0.payload.contains("\"result\":\"failed\"") && $0.payload.contains("A03") })
    }

    @Test func onlyRootAndTheConfiguredGroupsAreAdmittedByTheirCredentials() throws {
        let daemon = try MaintenanceDaemon()
        defer { daemon.stop() }
        let nobody = MaintenanceDaemon.nobody

        // The file mode keeps strangers out before they reach the daemon...
        let stranger = daemon.ctl(["status"], user: nobody, group: nobody)
        #expect(stranger.status == 77, "\(stranger.error)")
        #expect(stranger.error.contains("permission denied"))

        // ...and with the mode loosened by mistake the daemon still turns them away on SO_PEERCRED.
        #expect(chmod(daemon.socketPath, 0o666) == 0)
        let past = daemon.ctl(["status"], user: nobody, group: nobody)
        #expect(past.status == 77, "\(past.output)\(past.error)")
        #expect(past.error.contains("uid \(nobody)"))
        #expect(daemon.logText().contains("maintenance connection turned away"))

        // A member of the maintenance group may act, and the record names them.
        let member = daemon.ctl(["open", "A04", "--reason", "courier left a bag outside"], user: nobody, group: MaintenanceDaemon.fullGroup)
        #expect(member.status == 0, "\(member.error)")
        let events = try #require(try daemon.json(["events"]).events)
        #expect(events.contains { $0.kind == "maintenance.action" && $0.payload.contains("\"uid\":\(nobody)") && $0.payload.contains("courier left a bag") })

        // The read-only group reaches the read-only socket, and may look but not act.
        let readOnly = daemon.readOnlySocketPath
        let look = daemon.ctl(["status"], user: nobody, group: MaintenanceDaemon.readOnlyGroup, socket: readOnly)
        #expect(look.status == 0, "\(look.error)")
        // lockerctl finds the read-only socket by itself when the full one is closed to its user.
        let fallback = daemon.ctl(["parcels"], user: nobody, group: MaintenanceDaemon.readOnlyGroup)
        #expect(fallback.status == 0, "\(fallback.error)")
        let act = daemon.ctl(["open", "A01", "--reason", "curious"], user: nobody, group: MaintenanceDaemon.readOnlyGroup, socket: readOnly)
        #expect(act.status == 77 && act.error.contains("read-only"), "\(act.error)")
        // Even root is read-only on that socket.
        let rootThere = daemon.ctl(["open", "A01", "--reason", "wrong socket"], socket: readOnly)
        #expect(rootThere.status == 77)
        let after = try #require(try daemon.json(["events"]).events)
        #expect(after.contains { $0.payload.contains("\"result\":\"forbidden\"") && $0.payload.contains("curious") })
        #expect(try daemon.json(["compartments"]).compartments?.first { $0.label == "A01" }?.sensor == "closed")
    }

    @Test func theMaintenanceGroupOnTheCommandLineReplacesTheConfiguredOne() throws {
        let commandLineGroup: UInt32 = 4545
        let daemon = try MaintenanceDaemon(extraArguments: ["--maintenance-group", "\(commandLineGroup)"])
        defer { daemon.stop() }
        let nobody = MaintenanceDaemon.nobody

        var status = stat()
        #expect(stat(daemon.socketPath, &status) == 0)
        #expect(status.st_gid == commandLineGroup)
        let member = daemon.ctl(["open", "A04", "--reason", "group named on the command line"], user: nobody, group: commandLineGroup)
        #expect(member.status == 0, "\(member.error)")
        // The configuration's group (4242) is no longer the maintenance group.
        let former = daemon.ctl(["status"], user: nobody, group: MaintenanceDaemon.fullGroup)
        #expect(former.status == 77, "\(former.output)\(former.error)")
    }

    @Test func fuzzedAndOversizedRequestsGetClearErrorsAndNeverDisturbTheDaemon() throws {
        let daemon = try MaintenanceDaemon()
        defer { daemon.stop() }
        var random = SplitMix64(seed: 0x10CC_E4D5)
        let seeds = [
            #"{"v":1,"id":1,"command":"status"}"#, #"{"v":1,"command":"events","after":0,"limit":5}"#,
            #"{"v":1,"command":"quarantine","door":"A01","reason":"x"}"#, #"{"v":1,"command":"sim","line":"show"}"#,
            #"{"v":1,"command":"enable","door":"A01"}"#,
        ]
        let connection = try RawMaintenanceConnection(path: daemon.socketPath)
        var answered = 0
        for round in 0..<1_500 {
            var bytes = Array(seeds[Int(random.next() % UInt64(seeds.count))].utf8)
            switch round % 4 {
            case 0:  // random bytes
                bytes = (0..<Int(random.next() % 200 + 1)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            default:  // a few byte flips, insertions and deletions of a valid request
                for _ in 0..<Int(random.next() % 4 + 1) {
                    let at = Int(random.next() % UInt64(bytes.count))
                    switch random.next() % 3 {
                    case 0: bytes[at] = UInt8(truncatingIfNeeded: random.next())
                    case 1: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: at)
                    default: if bytes.count > 1 { bytes.remove(at: at) }
                    }
                }
            }
            // One line per request: newlines inside would make it several.
            bytes = bytes.map { $0 == 10 ? 32 : $0 }
            if bytes.last == 13 { bytes.removeLast() }
            if bytes.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
            #expect(connection.write(bytes + [10]))
            let line = try #require(connection.readLine(), "no answer to fuzz line \(round): \(bytes)")
            let response = try MaintenanceProtocol.decoder().decode(MaintenanceResponse.self, from: Data(line.utf8))
            if !response.ok { #expect(response.error?.message.isEmpty == false) }
            answered += 1
        }
        #expect(answered > 1_000)

        // Unknown commands and newer versions are named as such.
        #expect(connection.write(Array(#"{"v":1,"command":"reboot"}"#.utf8) + [10]))
        #expect(connection.readResponse()?.error?.code == .unknownCommand)
        #expect(connection.write(Array(#"{"v":7,"command":"status"}"#.utf8) + [10]))
        #expect(connection.readResponse()?.error?.code == .unsupportedVersion)

        // An oversized line is refused and its connection closed; the daemon carries on.
        #expect(connection.write(Array(repeating: UInt8(ascii: "x"), count: MaintenanceProtocol.maximumRequestBytes + 100)))
        #expect(connection.readResponse()?.error?.code == .tooLarge)
        #expect(connection.readLine(timeout: 5) == nil)
        #expect(daemon.isRunning)
        #expect(daemon.ctl(["status"]).status == 0)
        #expect(daemon.ctl(["audit", "verify"]).status == 0)
    }

    @Test func stuckClientsCannotBlockTheCabinet() throws {
        let daemon = try MaintenanceDaemon(maximumClients: 4)
        defer { daemon.stop() }

        // A follower that never reads what it asked for.
        let stuck = try RawMaintenanceConnection(path: daemon.socketPath)
        #expect(stuck.send(MaintenanceRequest(command: .eventsFollow, after: 0)))
        // Requests pipelined on another connection keep being answered while events pile up.
        let worker = try RawMaintenanceConnection(path: daemon.socketPath)
        var rounds = 0
        var lagging = false
        while rounds < 2_500 && !lagging {
            for request in [MaintenanceRequest(command: .open, door: "A01", reason: "round \(rounds) of a long and wordy reason"),
                            MaintenanceRequest(command: .sim, line: "close A01")] {
                #expect(worker.send(request))
                #expect(worker.readResponse()?.ok == true)
            }
            rounds += 1
            if rounds % 100 == 0 { lagging = daemon.logText().contains("follower is not reading") }
        }
        #expect(lagging, "the stuck follower should be dropped once its buffers are full (after \(rounds) rounds)")
        // Draining it now shows the events it got, in order, then the reason it was dropped.
        var last: Int64 = 0
        var endedWith: MaintenanceFailure?
        while let response = stuck.readResponse(timeout: 5) {
            if let event = response.event {
                #expect(event.sequence == last + 1 || last == 0)
                last = event.sequence
            } else if let error = response.error {
                endedWith = error
            }
        }
        #expect(endedWith?.code == .lagging)

        // Silent clients use up the slots; the next one hears "busy"; the cabinet goes on.
        let silent = try (0..<3).map { _ in try RawMaintenanceConnection(path: daemon.socketPath) }
        let refused = try RawMaintenanceConnection(path: daemon.socketPath)
        #expect(refused.readResponse()?.error?.code == .busy)
        #expect(worker.send(MaintenanceRequest(command: .status)))
        #expect(worker.readResponse()?.status != nil)
        _ = silent
    }

    @Test func lockerctlAuditVerifyFindsEveryKindOfTampering() throws {
        let daemon = try MaintenanceDaemon()
        defer { daemon.stop() }
        for door in ["A01", "A02", "A03", "A04", "A01", "A02", "A03", "A04"] {
            #expect(daemon.ctl(["open", door, "--reason", "inspection"]).status == 0)
            #expect(daemon.ctl(["sim", "close", door]).status == 0)
        }
        let last = try #require(try daemon.json(["status"]).status?.lastEventSequence)
        #expect(last >= 9)
        #expect(daemon.ctl(["audit", "verify"]).status == 0)

        // Each step breaks the chain earlier than the one before, so each must be reported where it is.
        let steps: [(sql: String, sequence: Int64, words: String)] = [
            ("DELETE FROM events WHERE sequence = \(last)", last, "removed"),
            ("UPDATE events SET sequence = 99999 WHERE sequence = 5; UPDATE events SET sequence = 5 WHERE sequence = 6; "
                + "UPDATE events SET sequence = 6 WHERE sequence = 99999", 5, "does not follow"),
            ("DELETE FROM events WHERE sequence = 3", 3, "missing"),
            ("UPDATE events SET payload = replace(payload, 'inspection', 'nothing to see') WHERE sequence = 2", 2, "modified"),
        ]
        let database = try DatabaseQueue(path: daemon.databasePath)
        for step in steps {
            try database.write { db in
                try db.execute(sql: "DROP TRIGGER IF EXISTS events_append_only_update; DROP TRIGGER IF EXISTS events_append_only_delete")
                try db.execute(sql: step.sql)
            }
            let verify = daemon.ctl(["audit", "verify"])
            #expect(verify.status == 1, "after \(step.sql): \(verify.output)")
            #expect(verify.output.contains("BROKEN at #\(step.sequence)"), "after \(step.sql): \(verify.output)")
            #expect(verify.output.contains(step.words), "after \(step.sql): \(verify.output)")
            let report = try #require(try daemon.json(["audit", "verify"]).audit)
            #expect(report.intact == false && report.firstBadSequence == step.sequence)
        }
    }
}

/// The outcome of a lockerctl run on another thread.
final class RunSlot: Sendable {
    let value = Mutex<MaintenanceDaemon.Run?>(nil)
}

/// Clients that pipeline, half-close, or never read.
@Suite(.serialized)
struct MaintenanceClientBehaviourTests {
    @Test func pipelinedRequestsAreAnsweredInOrderEvenAfterTheClientHalfCloses() throws {
        let daemon = try MaintenanceDaemon()
        defer { daemon.stop() }
        let connection = try RawMaintenanceConnection(path: daemon.socketPath)
        let lines = [
            #"{"v":1,"id":1,"command":"status"}"#,
            #"{"v":1,"id":2,"command":"open","door":"A01""#,  // cut short: malformed
            #"{"v":1,"id":3,"command":"quarantine","door":"A02","reason":"piped from a script"}"#,
            #"{"v":1,"id":4,"command":"nonsense"}"#,
            #"{"v":1,"id":5,"command":"compartments"}"#,
        ]
        #expect(connection.write(Array(lines.joined(separator: "\n").utf8)))  // the last line has no newline
        #expect(shutdown(connection.fd, Int32(SHUT_WR)) == 0)
        var answers: [MaintenanceResponse] = []
        while let response = connection.readResponse() { answers.append(response) }
        #expect(answers.count == 5)
        #expect(answers.map(\.ok) == [true, false, true, false, true])
        #expect(answers[0].id == 1 && answers[0].status != nil)
        #expect(answers[1].error?.code == .malformed)
        #expect(answers[2].id == 3 && answers[2].action != nil)
        #expect(answers[3].id == 4 && answers[3].error?.code == .unknownCommand)
        #expect(answers[4].compartments?.first { $0.label == "A02" }?.state == "quarantined")
    }

    @Test func aClientThatSendsButNeverReadsIsClosedWhileOthersAreServed() throws {
        let daemon = try MaintenanceDaemon()
        defer { daemon.stop() }
        let hog = try RawMaintenanceConnection(path: daemon.socketPath)
        let request = Array((try MaintenanceProtocol.line(MaintenanceRequest(command: .events, after: 0, limit: 1_000))).utf8) + [10]
        // Thousands of large answers asked for and never read: the daemon stops answering it, then
        // closes it once its queue is full, instead of buffering the answers.
        var sent = 0
        while sent < 20_000 && hog.write(request) { sent += 1 }
        #expect(sent < 20_000, "the daemon should have closed the connection")
        #expect(daemon.ctl(["status"]).status == 0)
        #expect(daemon.ctl(["open", "A01", "--reason", "still works"]).status == 0)
        #expect(daemon.isRunning)
    }
}
