public import Foundation
import LockerMaintenanceProtocol
import Synchronization

/// What each scanner and keypad is doing now, for `lockerctl status`: waiting for its device, in
/// use on a node, or failed with the reason (and retrying).
public final class InputDeviceRegistry: Sendable {
    public enum State: Sendable, Equatable {
        case waiting(for: String)
        case inUse(node: String, since: Date)
        case failed(reason: String)
    }

    private struct Entry {
        var kind: String
        var state: State
    }

    private let entries = Mutex<[(name: String, entry: Entry)]>([])

    public init() {}

    func register(_ name: String, kind: String, state: State) {
        entries.withLock { $0.append((name, Entry(kind: kind, state: state))) }
    }

    /// Sets the state; returns whether it changed (so a failure that repeats is logged once).
    @discardableResult
    func set(_ name: String, _ state: State) -> Bool {
        entries.withLock { entries in
            guard let index = entries.firstIndex(where: { $0.name == name }), entries[index].entry.state != state else { return false }
            entries[index].entry.state = state
            return true
        }
    }

    public func state(of name: String) -> State? {
        entries.withLock { $0.first(where: { $0.name == name })?.entry.state }
    }

    var reports: [CabinetStatusReport.Device] {
        entries.withLock { entries in
            entries.map { name, entry in
                let state: String
                switch entry.state {
                case .waiting(let selector): state = "waiting for \(selector)"
                case .inUse(let node, let since): state = "in use: \(node) since \(since.formatted(Date.ISO8601FormatStyle()))"
                case .failed(let reason): state = "failed, retrying: \(reason)"
                }
                return CabinetStatusReport.Device(name: name, kind: entry.kind, state: state)
            }
        }
    }
}
