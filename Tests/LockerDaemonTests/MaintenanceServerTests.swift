import Foundation
import LockerMaintenanceProtocol
import Logging
import NIOCore
import Testing
@testable import LockerDaemon

/// The socket's own rules, without a cabinet behind it.
@Suite struct MaintenanceServerTests {
    struct NoCabinet: MaintenanceResponder {
        func respond(to request: MaintenanceRequest, from peer: MaintenancePeer) async -> MaintenanceResponse {
            MaintenanceResponse(id: request.id)
        }
        func follow(after sequence: Int64?, version: Int, channel: any Channel, peer: MaintenancePeer) {}
        func refused(_ request: MaintenanceRequest, from peer: MaintenancePeer, failure: MaintenanceFailure) async {}
        func rejected(uid: UInt32, gid: UInt32, pid: Int32, failure: MaintenanceFailure) {}
    }

    let policy = MaintenanceAccessPolicy(fullGroupID: 4242, readOnlyGroupID: 4343, daemonUserID: 999,
                                         groupsOfUser: { uid, _ in uid == 1001 ? [4343] : [] }, userName: { "user\($0)" })

    @Test func aSocketInADirectoryOthersMayWriteIsRefused() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("maint-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(chmod(directory.path, 0o777) == 0)
        let path = directory.appendingPathComponent("maintenance.sock").path
        await #expect(throws: MaintenanceServer.StartError.self) {
            _ = try await MaintenanceServer.start(path: path, socketGroupID: nil, policy: policy, maximumClients: 2,
                                                  responder: NoCabinet(), logger: Logger(label: "test"))
        }
        #expect(!FileManager.default.fileExists(atPath: path))

        #expect(chmod(directory.path, 0o755) == 0)
        let server = try await MaintenanceServer.start(path: path, socketGroupID: nil, policy: policy, maximumClients: 2,
                                                       responder: NoCabinet(), logger: Logger(label: "test"))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o660)
        await server.stop()
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aFileThatIsNotASocketIsNeverReplaced() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("maint-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("maintenance.sock").path
        try Data("precious".utf8).write(to: URL(fileURLWithPath: path))
        await #expect(throws: MaintenanceServer.StartError.self) {
            _ = try await MaintenanceServer.start(path: path, socketGroupID: nil, policy: policy, maximumClients: 2,
                                                  responder: NoCabinet(), logger: Logger(label: "test"))
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious")
    }

    @Test func accessIsDecidedOnUidAndGroups() {
        #expect(policy.access(uid: 0, gid: 0) == .full, "root")
        #expect(policy.access(uid: 999, gid: 999) == .full, "lockerd's own user")
        #expect(policy.access(uid: 1000, gid: 4242) == .full, "primary group is the maintenance group")
        #expect(policy.access(uid: 1001, gid: 100) == .readOnly, "supplementary member of the read-only group")
        #expect(policy.access(uid: 1002, gid: 100) == nil)
        #expect(MaintenanceConfiguration.readOnlySocketPath(beside: "/run/lockerd/maintenance.sock") == "/run/lockerd/maintenance-ro.sock")
    }

    @Test func simCommandsNeedAFullySimulatedCabinet() {
        var configuration = CabinetConfiguration.simulatedDefault
        #expect(configuration.isFullySimulated)
        configuration.boards[0].kind = "simulated-kerong-cu16"
        #expect(configuration.isFullySimulated)
        configuration.boards[0].kind = "kerong-cu16"
        #expect(!configuration.isFullySimulated)
    }

    @Test func theMaintenanceSectionIsValidated() {
        var configuration = CabinetConfiguration.simulatedDefault
        configuration.maintenance.metricsListen = "0.0.0.0:9464"
        configuration.maintenance.maximumClients = 0
        #expect(throws: (any Error).self) { try configuration.validate() }
        let problems = configuration.maintenance.problems()
        #expect(problems.contains { $0.contains("loopback") })
        #expect(problems.contains { $0.contains("maximumClients") })
        #expect(!problems.contains { $0.contains("group") })

        // An empty group (a typo in the file, or `--maintenance-group ""`) is refused by name.
        configuration.maintenance = MaintenanceConfiguration(group: "", readOnlyGroup: "")
        let emptyGroups = configuration.maintenance.problems()
        #expect(emptyGroups.contains { $0.hasPrefix("maintenance.group is empty") })
        #expect(emptyGroups.contains { $0.hasPrefix("maintenance.readOnlyGroup is empty") })
        #expect(throws: (any Error).self) { try configuration.validate() }
        configuration.maintenance = MaintenanceConfiguration(group: "4242")
        #expect(configuration.maintenance.problems().isEmpty)
    }
}
