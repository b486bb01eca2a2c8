import Foundation
public import LockerUplink

extension CabinetConfiguration {
    /// The policy fields the central server may change. Boards, compartments, couriers, keys and
    /// addresses stay with the configuration file on the cabinet: a server must not be able to
    /// rewire a cabinet or point it at another server.
    public static let remotelyChangeable: Set<String> = [
        "retentionHours", "doorReminderSeconds", "doorAlarmSeconds", "pickupGraceSeconds", "wrongCodesBeforeLockout",
        "firstLockoutSeconds", "maximumLockoutSeconds", "storeBudgetMegabytes", "minimumFreeDiskMegabytes",
        "eventRetentionDays",
    ]

    public struct OverrideError: Error, CustomStringConvertible {
        public var description: String
    }

    /// This configuration with `overrides` applied, checked as a whole (every problem listed).
    public func applying(_ overrides: [String: JSONValue]) throws -> CabinetConfiguration {
        let refused = overrides.keys.filter { !Self.remotelyChangeable.contains($0) }.sorted()
        guard refused.isEmpty else {
            throw OverrideError(description: "not changeable remotely: \(refused.joined(separator: ", ")); changeable: "
                                + Self.remotelyChangeable.sorted().joined(separator: ", "))
        }
        guard var fields = try JSONSerialization.jsonObject(with: JSONEncoder().encode(self)) as? [String: Any] else {
            throw OverrideError(description: "the configuration could not be read")
        }
        for (key, value) in overrides {
            fields[key] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(value), options: .fragmentsAllowed)
        }
        let changed: CabinetConfiguration
        do {
            changed = try JSONDecoder().decode(CabinetConfiguration.self, from: JSONSerialization.data(withJSONObject: fields))
        } catch {
            throw OverrideError(description: "a changed field has the wrong type: \(error)")
        }
        do {
            try changed.validate()
        } catch {
            throw OverrideError(description: "\(error)")
        }
        return changed
    }
}
