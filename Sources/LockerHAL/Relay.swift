/// A relay output: a compressor, a heater, a fan. Every relay has a safe state (what it must be
/// when the daemon stops, or when its controller cannot trust its probe), named in the
/// configuration per relay because "safe" differs: a freezer's compressor may be safer on.
public protocol Relay: Sendable {
    var name: String { get }
    func set(on: Bool) async throws
    /// Puts the relay in its safe state; never throws (a failure is logged by the driver).
    func setSafeState() async
}
