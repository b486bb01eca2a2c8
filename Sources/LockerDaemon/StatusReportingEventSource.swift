import Foundation
import LockerHAL

/// Wraps an event source that is not hot-pluggable (a matrix keypad on GPIO lines) so that
/// `lockerctl status` shows what it is doing: in use while its loop runs, failed with the reason
/// when the loop stops (its supervisor restarts it).
struct StatusReportingEventSource: HardwareEventSource {
    let name: String
    let node: String
    let inner: any HardwareEventSource
    let registry: InputDeviceRegistry

    func run(delivering handler: any HardwareEventHandler) async throws {
        registry.set(name, .inUse(node: node, since: Date()))
        do {
            try await inner.run(delivering: handler)
        } catch {
            if !(error is CancellationError) { registry.set(name, .failed(reason: "\(error)")) }
            throw error
        }
    }
}
