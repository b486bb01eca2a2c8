import Foundation
import LockerMaintenanceProtocol
import LockerStore

/// `lockerctl diag`: a directory a technician can copy off the cabinet and send to support. It
/// holds what explains most faults and nothing that opens a door: courier PINs are replaced and
/// the device key and pickup-code hashes are never read.
struct DiagnosticsBundle {
    let directory: URL
    let configuration: CabinetConfiguration
    let store: CabinetStore
    let status: CabinetStatusReport
    let recentEvents: [EventReport]
    let logLines: [String]
    let now: Date

    func write() throws -> DiagnosticsReport {
        let stamp = now.formatted(.iso8601.year().month().day().dateSeparator(.omitted).time(includingFractionalSeconds: false)
            .timeSeparator(.omitted))
        let bundle = directory.appendingPathComponent("diag-\(stamp)")
        try FileManager.default.createDirectory(at: bundle, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])

        let quickCheck = (try? store.quickCheck()) ?? ["quick_check could not run"]
        let chain: String
        switch try store.verifyEventChain() {
        case .intact(let events, let head): chain = "intact: \(events) events, head \(head)"
        case .broken(let sequence, let reason): chain = "BROKEN at event \(sequence): \(reason)"
        }
        let integrity = quickCheck == ["ok"] && chain.hasPrefix("intact") ? "ok" : "quick_check: \(quickCheck.joined(separator: "; ")); chain: \(chain)"

        var redacted = configuration
        redacted.couriers = redacted.couriers.map { courier in
            var copy = courier
            copy.pin = "(redacted)"
            return copy
        }
        let encoder = MaintenanceProtocol.encoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        var files: [String: Data] = [
            "configuration.json": try encoder.encode(redacted),
            "status.json": try encoder.encode(status),
            "events-recent.json": try encoder.encode(recentEvents),
            "log-recent.txt": Data((logLines.joined(separator: "\n") + "\n").utf8),
            "integrity.txt": Data("""
                quick_check: \(quickCheck.joined(separator: "; "))
                event chain: \(chain)

                """.utf8),
        ]
        files["README.txt"] = Data("""
            lockerd diagnostics bundle, written \(now.formatted(.iso8601)) for cabinet \(configuration.cabinetID).
            Courier PINs are redacted; the device key and pickup codes are not included.

            """.utf8)
        for (name, data) in files {
            try data.write(to: bundle.appendingPathComponent(name), options: .atomic)
        }
        pruneOlderBundles(keeping: 5)
        return DiagnosticsReport(path: bundle.path, files: files.keys.sorted(), integrity: integrity,
                                 contents: files.mapValues { String(decoding: $0, as: UTF8.self) })
    }

    /// Bundles live on the disk that holds the custody record: only the newest few are kept.
    private func pruneOlderBundles(keeping count: Int) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        for name in names.filter({ $0.hasPrefix("diag-") }).sorted().dropLast(count) {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }
}
