import Foundation
import LockerDaemon
import LockerDrivers
import LockerHAL
import Testing

/// The shipped udev rules, read as udev reads them (there is no udev daemon or udevadm here to
/// load them): every rule is well formed, gives the daemon's group access, and its symlinks land
/// in /dev/locker/, where the configuration's paths and the hotplug selectors look.
@Suite struct UdevRulesTests {
    static let rulesFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("udev/70-lockerd.rules")

    struct Assignment: Equatable {
        var key: String
        var operation: String
        var value: String
    }

    /// Splits one rule into its `KEY op "value"` parts; nil if anything else is on the line.
    static func parse(_ rule: String) -> [Assignment]? {
        let pattern = /\s*([A-Z_]+(?:\{[A-Za-z_]+\})?)\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*(?:,|$)/
        var parts: [Assignment] = []
        var rest = Substring(rule)
        while !rest.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let match = rest.prefixMatch(of: pattern) else { return nil }
            parts.append(Assignment(key: String(match.1), operation: String(match.2), value: String(match.3)))
            rest = rest[match.range.upperBound...]
        }
        return parts
    }

    static var rules: [String] {
        get throws {
            try String(contentsOf: rulesFile, encoding: .utf8).split(separator: "\n").map(String.init)
                .filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        }
    }

    @Test func everyRuleIsWellFormedAndGivesTheDaemonsGroupAccess() throws {
        let rules = try Self.rules
        try #require(rules.count >= 6)
        let knownKeys: Set<String> = ["SUBSYSTEM", "KERNEL", "GROUP", "MODE", "SYMLINK", "ENV{ID_INPUT_KEYBOARD}", "ENV{ID_INPUT_KEY}",
                                      "ENV{LIBINPUT_IGNORE_DEVICE}", "ENV{ID_MM_DEVICE_IGNORE}", "ENV{ID_SERIAL_SHORT}",
                                      "ENV{ID_PATH_TAG}", "ATTRS{idVendor}", "ATTRS{idProduct}"]
        for rule in rules {
            let parts = try #require(Self.parse(rule), "not a udev rule: \(rule)")
            for part in parts { #expect(knownKeys.contains(part.key), "unexpected key \(part.key) in \(rule)") }
            #expect(parts.contains(Assignment(key: "GROUP", operation: "=", value: "lockerd")), "no group in \(rule)")
            #expect(parts.contains(Assignment(key: "MODE", operation: "=", value: "0660")), "no mode in \(rule)")
            #expect(parts.contains { $0.key == "SUBSYSTEM" && $0.operation == "==" }, "no subsystem match in \(rule)")
            for link in parts where link.key == "SYMLINK" {
                #expect(link.operation == "+=", "a symlink must be added, not replace udev's own: \(rule)")
                #expect(link.value.hasPrefix("locker/"), "symlink outside /dev/locker: \(rule)")
                // A link named after a property must not be made when the property is empty
                // (two such devices would fight over "locker/scanner-").
                for property in ["ID_SERIAL_SHORT", "ID_PATH_TAG"] where link.value.contains("%E{\(property)}") {
                    #expect(parts.contains(Assignment(key: "ENV{\(property)}", operation: "==", value: "?*")),
                            "\(property) used in a link without requiring it: \(rule)")
                }
            }
            for ids in parts where ids.key.hasPrefix("ATTRS{id") {
                let alternatives = ids.value.split(separator: "|").map(String.init)
                #expect(alternatives.allSatisfy { $0.count == 4 && $0.allSatisfy(\.isHexDigit) && $0 == $0.lowercased() },
                        "USB ids are 4 lower-case hex digits, as udev compares them: \(rule)")
            }
        }
    }

    @Test func everyLockerPathTheExampleConfigurationNamesIsOneTheRulesCreate() throws {
        let templates = try Self.rules.compactMap { Self.parse($0)?.first { $0.key == "SYMLINK" }?.value }
        // A template's %E{PROPERTY} stands for any value without a slash.
        let patterns = try templates.map { template in
            let escaped = NSRegularExpression.escapedPattern(for: "/dev/" + template)
            return try Regex("^" + escaped.replacingOccurrences(of: #"%E\\\{[A-Z_]+\\\}"#, with: "[^/]+", options: .regularExpression) + "$")
        }
        let example = try String(contentsOf: CabinetConfigurationTests.example, encoding: .utf8)
        let paths = example.matches(of: /"(\/dev\/locker\/[^"]+)"/).map { String($0.1) }
        try #require(!paths.isEmpty, "the example names no /dev/locker path")
        for path in paths {
            #expect(patterns.contains { path.wholeMatch(of: $0) != nil }, "no rule creates \(path)")
        }
        #expect(!patterns.contains { "/dev/locker/scanner-".wholeMatch(of: $0) != nil })
    }
}
