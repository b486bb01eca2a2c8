import Foundation
import LockerStore
import LockerTestSupport

/// The end of the uplink's SIGKILL tests: a last, clean run of `daemon` until the cabinet's store
/// has every event acknowledged and `server` holds its last one, or `seconds` have passed (the
/// comparison that follows then says what is missing). A round trip through the daemon's front
/// panel between looks shows it is still alive and working.
func waitForUplinkCatchUp(_ daemon: LockerdProcess, store: CabinetStore, server: ContractServer, within seconds: TimeInterval) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        let last = try store.lastEventSequence()
        if try store.uplinkAcknowledgedSequence() == last, server.stored.last?.sequence == last { return }
        _ = daemon.run("mark", mark: 9_999)
        try await Task.sleep(for: .milliseconds(50))
    }
}
