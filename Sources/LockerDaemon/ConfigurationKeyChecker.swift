import LockerDrivers
import LockerUplink

/// Finds keys in the configuration file that no decoder reads: a misspelt `pollMiliseconds` would
/// otherwise be ignored and the default used, silently. Each is reported with its JSON path and,
/// when a known key is close, that key: `boards[0].pollMiliseconds: unknown key; did you mean
/// pollMilliseconds?`. A key given twice is reported too (JSON decoders keep one of the two).
///
/// The keys of each section come from its type's `CodingKeys` (the same enum its decoder reads),
/// so the lists cannot drift from the decoders. Which key holds which nested section is stated
/// once here, in `schema`; `StrictConfigurationTests` checks it covers every section the
/// configuration encodes.
///
/// Only the file is checked this way: the central server's `configuration` downlink has its own
/// list of changeable fields (`CabinetConfiguration.remotelyChangeable`).
struct ConfigurationKeyChecker {
    /// The keys one JSON object may hold, and the sections nested under some of them (an array
    /// value is a list of such sections). `maps` are objects whose keys are data (temperature
    /// classes, key codes, key ids), never checked.
    struct Section: Sendable {
        var keys: [String]
        var nested: [String: Section]
        var maps: Set<String>

        init<Keys: CodingKey & CaseIterable>(_: Keys.Type, nested: [(Keys, Section)] = [], maps: [Keys] = []) {
            keys = Keys.allCases.map(\.stringValue)
            self.nested = Dictionary(uniqueKeysWithValues: nested.map { ($0.0.stringValue, $0.1) })
            self.maps = Set(maps.map(\.stringValue))
        }
    }

    /// The whole file, top level down.
    static let schema: Section = {
        typealias Configuration = CabinetConfiguration
        let deviceMatch = Section(Configuration.DeviceMatchEntry.CodingKeys.self)
        let gpio = Section(GPIOLockBoardConfiguration.CodingKeys.self, nested: [
            (.channels, Section(GPIOLockBoardConfiguration.Channel.CodingKeys.self, nested: [
                (.doorSensor, Section(GPIOLockBoardConfiguration.DoorSensor.CodingKeys.self)),
            ])),
        ])
        return Section(Configuration.CodingKeys.self, nested: [
            (.boards, Section(Configuration.Board.CodingKeys.self, nested: [(.gpio, gpio)])),
            (.compartments, Section(Configuration.CompartmentEntry.CodingKeys.self)),
            (.couriers, Section(Configuration.CourierEntry.CodingKeys.self)),
            (.scanners, Section(Configuration.ScannerEntry.CodingKeys.self, nested: [(.match, deviceMatch)], maps: [.layout])),
            (.keypads, Section(Configuration.KeypadEntry.CodingKeys.self, nested: [
                (.match, deviceMatch), (.matrix, Section(Configuration.MatrixEntry.CodingKeys.self)),
            ])),
            (.display, Section(Configuration.DisplayEntry.CodingKeys.self)),
            (.zones, Section(Configuration.ZoneEntry.CodingKeys.self, nested: [
                (.probe, Section(Configuration.ZoneEntry.ProbeEntry.CodingKeys.self)),
                (.relay, Section(Configuration.ZoneEntry.RelayEntry.CodingKeys.self)),
            ])),
            (.buzzer, Section(Configuration.BuzzerEntry.CodingKeys.self)),
            (.maintenance, Section(MaintenanceConfiguration.CodingKeys.self)),
            (.kiosk, Section(KioskConfiguration.CodingKeys.self)),
            (.uplink, Section(UplinkConfiguration.CodingKeys.self, nested: [(.mqtt, Section(UplinkMQTTConfiguration.CodingKeys.self))],
                              maps: [.credentialKeys])),
        ], maps: [.retentionHours])
    }()

    /// Every unknown or repeated key in `file`, in file order. A value of the wrong shape (a
    /// number where a section belongs) is left to the decoder, which names the type it expected.
    static func problems(in file: ConfigurationJSON) -> [String] {
        var problems: [String] = []
        check(file, against: schema, path: "", into: &problems)
        return problems
    }

    private static func check(_ node: ConfigurationJSON, against section: Section, path: String, into problems: inout [String]) {
        switch node.value {
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                check(element, against: section, path: "\(path)[\(index)]", into: &problems)
            }
        case .object(let members):
            var seen: Set<String> = []
            for member in members {
                let memberPath = path.isEmpty ? member.key : "\(path).\(member.key)"
                if !seen.insert(member.key).inserted {
                    problems.append("\(memberPath): given twice (\(member.position)); keep one")
                }
                if section.keys.contains(member.key) {
                    if let nested = section.nested[member.key] {
                        check(member.value, against: nested, path: memberPath, into: &problems)
                    }
                    continue
                }
                if let suggestion = nearestKey(to: member.key, among: section.keys) {
                    problems.append("\(memberPath): unknown key; did you mean \(suggestion)?")
                } else {
                    problems.append("\(memberPath): unknown key (known here: \(section.keys.joined(separator: ", ")))")
                }
            }
        case .string, .number, .bool, .null:
            break
        }
    }

    /// The known key closest to `key`, if it is close enough to be what was meant: letter case
    /// is ignored (`temperatureclass`), and a swapped pair of letters counts as one edit.
    static func nearestKey(to key: String, among known: [String]) -> String? {
        let typed = Array(key.lowercased())
        // Short keys tolerate fewer edits, or `id` would "correct" to `kind`.
        let allowed = typed.count <= 4 ? 1 : typed.count <= 9 ? 2 : 3
        var best: (key: String, distance: Int)?
        for candidate in known {
            let distance = editDistance(typed, Array(candidate.lowercased()))
            if distance <= allowed, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.key
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and transpositions
    /// of neighbours, each costing one.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
