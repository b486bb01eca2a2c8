import Crypto
import Foundation
import LockerStore
import LockerTestSupport
import LockerUplink
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A real lockerd uploading to the contract server, killed with SIGKILL while batches are in
/// flight and while acknowledgements are being recorded: after it all, the server holds every
/// event the cabinet recorded, once, in order.
@Suite(.serialized)
struct UplinkPowerLossTests {
    @Test func killedDuringUploadsItLosesAndDuplicatesNothing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("uplink-kill-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        // The cabinet's key is made here so the server can enrol it before the first start.
        let keyFile = state.appendingPathComponent("uplink.ed25519")
        let key = try CabinetSigningKey.loadOrCreate(at: keyFile, cabinetID: KilledCabinetConfiguration.cabinetID)
        // Slow answers keep batches in flight; a quarter of them are faulted on top.
        let server = ContractServer(publicKey: key.privateKey.publicKey, slowSeconds: 0.05) { request in
            var random = SplitMix64(seed: UInt64(request) &* 0x51_7CC1)
            switch random.next() % 8 {
            case 0: return .dropAfterStoring
            case 1: return .dropAfterReceiving
            default: return .slowAnswer
            }
        }
        try await server.start()
        let arguments = try KilledCabinetConfiguration.write(in: directory, uplink: """
            {"url": "http://127.0.0.1:\(server.port)", "batchEvents": 7, "timeoutSeconds": 2,
             "backoffBaseSeconds": 0.05, "backoffCapSeconds": 0.2, "pollSeconds": 1}
            """)

        var random = SplitMix64(seed: 2026)
        var kills = 0
        let doors = KilledCabinetConfiguration.doors
        for round in 0..<12 {
            let daemon = try LockerdProcess(stateDirectory: state, arguments: arguments)
            // Each step records an event (a forced door) and closes it again; the uplink sends
            // them while the next steps run. Killed after a random number of steps.
            let steps = Int(random.next() % 12) + 1
            for step in 0..<steps {
                let door = doors[Int(random.next() % 4)]
                guard daemon.run("force \(door)", mark: round * 100 + step * 2) != nil,
                      daemon.run("close \(door)", mark: round * 100 + step * 2 + 1) != nil
                else { break }
            }
            daemon.kill()
            kills += 1
        }
        #expect(kills == 12)

        // A last, clean run lets the uplink catch up; then the server must hold the store exactly.
        let daemon = try LockerdProcess(stateDirectory: state, arguments: arguments)
        server.setFaults { _ in .none }
        let store = try CabinetStore(path: state.appendingPathComponent("lockerd.sqlite").path)
        try await waitForUplinkCatchUp(daemon, store: store, server: server, within: 60)
        daemon.quit()
        let local = try store.events(after: 0, limit: 1_000_000)
        let remote = server.stored
        #expect(remote.count == local.count, "server \(remote.count), cabinet \(local.count)")
        #expect(zip(local, remote).allSatisfy { $0.sequence == $1.sequence && $0.epoch == $1.epoch && $0.hash == $1.hash })
        #expect(Set(remote.map(\.epoch)).count >= 13, "every start is an epoch")
        #expect(server.conflicts == 0 && server.badSignatures == 0)
        #expect(server.duplicatesReceived > 0, "some batches were stored, then resent after a kill or a dropped answer")
        await server.shutdown()
    }
}
