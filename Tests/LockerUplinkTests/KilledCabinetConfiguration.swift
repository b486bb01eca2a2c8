import Foundation

/// The four-door simulated cabinet the uplink's SIGKILL tests run a real lockerd on, with the
/// uplink section each test gives (HTTPS or MQTT). Writes `cabinet.json` into `directory` and
/// returns lockerd's arguments for it.
enum KilledCabinetConfiguration {
    static let cabinetID = "cabinet-kill"
    static let doors = ["A01", "A02", "A03", "A04"]

    static func write(in directory: URL, uplink: String) throws -> [String] {
        let file = directory.appendingPathComponent("cabinet.json")
        try Data("""
            {
              "cabinetID": "\(cabinetID)",
              "boards": [{"address": 1, "channels": 8, "kind": "simulated"}],
              "compartments": [
                {"label": "A01", "size": "S", "board": 1, "channel": 1}, {"label": "A02", "size": "S", "board": 1, "channel": 2},
                {"label": "A03", "size": "M", "board": 1, "channel": 3}, {"label": "A04", "size": "L", "board": 1, "channel": 4}
              ],
              "maintenance": {"socketPath": "\(directory.path)/maintenance.sock"},
              "uplink": \(uplink)
            }
            """.utf8).write(to: file)
        return ["--config", file.path]
    }
}
