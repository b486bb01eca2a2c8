import Foundation
import LockerMaintenanceProtocol
import Testing

/// The real lockerd answers each request in the protocol version it was asked in: lockerctl
/// (version 2) gets event payloads as objects, a version-1 client the strings it always got.
/// Both tools print their version.
@Suite struct ProtocolVersionTests {
    @Test func eachClientGetsTheVersionItAskedIn() throws {
        let daemon = try MaintenanceDaemon()
        defer { daemon.stop() }
        let connection = try RawMaintenanceConnection(path: daemon.socketPath)
        for version in [1, 2] {
            #expect(connection.write(Array(#"{"v":\#(version),"id":\#(version),"command":"events","limit":5}"#.utf8) + [10]))
            let line = try #require(connection.readLine())
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["v"] as? Int == version, "\(line)")
            let event = try #require((object["events"] as? [[String: Any]])?.first, "\(line)")
            if version == 1 {
                #expect(event["payload"] is String, "\(line)")
            } else {
                #expect(event["payload"] is [String: Any], "\(line)")
            }
        }
        let json = daemon.ctl(["--json", "events", "--limit", "3"])
        #expect(json.status == 0, "\(json.error)")
        #expect(json.output.contains(#""payload":{"#) && json.output.contains(#""v":2"#), "\(json.output)")
    }

    @Test func bothToolsPrintTheirVersion() throws {
        let daemon = try MaintenanceDaemon()
        defer { daemon.stop() }
        let run = daemon.ctl(["--version"])
        #expect(run.status == 0)
        #expect(run.output == ProductVersion.description + "\n")
        let lockerd = Process()
        lockerd.executableURL = MaintenanceDaemon.binaries.appendingPathComponent("lockerd")
        lockerd.arguments = ["--version"]
        let output = Pipe()
        lockerd.standardOutput = output
        try lockerd.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        lockerd.waitUntilExit()
        #expect(lockerd.terminationStatus == 0)
        #expect(text == ProductVersion.description + "\n")
    }
}
