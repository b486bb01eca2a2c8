public import LockerHAL
public import Logging

/// Runs a driver's read or poll loop for as long as the daemon runs. A loop that fails (a GPIO chip
/// that returns EIO, say) is reported as its board lost, with the reason, and restarted after a
/// pause; the controller's polling of offline boards brings the board back when it answers.
public enum EventSourceSupervisor {
    /// - Parameter heartbeat: called on every round of a `HeartbeatingEventSource`'s loop and on
    ///   every restart, so the daemon's watchdog sees the loop alive. A failing board is an alarm
    ///   (reported lost), not a stuck loop: restarting the daemon would not bring it back. Only a
    ///   loop that stops coming round (a call that never returns) goes quiet.
    public static func run(
        _ source: any HardwareEventSource, delivering handler: any HardwareEventHandler,
        restartAfter pause: Duration = .seconds(5), heartbeat: @escaping @Sendable () -> Void = {}, logger: Logger? = nil
    ) async {
        // The failure streak in progress, logged once (a keypad line held by another process
        // would otherwise write the same line every few seconds).
        var failure: String?
        while !Task.isCancelled {
            heartbeat()
            do {
                if let beating = source as? any HeartbeatingEventSource {
                    try await beating.run(delivering: handler, heartbeat: heartbeat)
                } else {
                    try await source.run(delivering: handler)
                }
                if Task.isCancelled { return }
            } catch {
                if Task.isCancelled { return }
                if let board = source as? any LockBoard {
                    await handler.handle(.boardLost(board: board.address, detail: "its event loop stopped: \(error)"))
                } else if "\(error)" != failure {
                    logger?.error("device loop stopped; retrying", metadata: ["error": "\(error)"])
                }
                failure = "\(error)"
            }
            heartbeat()
            try? await Task.sleep(for: pause)
        }
    }
}
