import Foundation
import LockerMaintenanceProtocol
import Testing

/// `events` takes `limit` 1–1000 as PROTOCOL.md says: anything else is a `bad_request` naming the
/// range, not an answer silently rounded into it.
@Suite struct EventsLimitTests {
    @Test func aLimitOutsideItsRangeIsABadRequest() throws {
        let daemon = try MaintenanceDaemon()
        defer { daemon.stop() }
        let connection = try RawMaintenanceConnection(path: daemon.socketPath)
        for (limit, good) in [(0, false), (-1, false), (5_000, false), (1_001, false), (1, true), (1_000, true)] {
            #expect(connection.write(Array(#"{"v":1,"command":"events","limit":\#(limit)}"#.utf8) + [10]))
            let line = try #require(connection.readLine(), "no answer for limit \(limit)")
            let response = try MaintenanceProtocol.decoder().decode(MaintenanceResponse.self, from: Data(line.utf8))
            #expect(response.ok == good, "limit \(limit): \(line)")
            if !good {
                #expect(response.error?.code == .badRequest && response.error?.message.contains("1...1000") == true, "\(line)")
            }
        }
    }
}
