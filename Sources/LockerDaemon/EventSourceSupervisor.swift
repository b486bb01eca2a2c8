public import LockerHAL
public import Logging

/// Runs a driver's read or poll loop for as long as the daemon runs. A loop that fails (a GPIO chip
/// that returns EIO, say) is reported as its board lost, with the reason, and restarted after a
/// pause; the controller's polling of offline boards brings the board back when it answers.
public enum EventSourceSupervisor {
    public static func run(
        _ source: any HardwareEventSource, delivering handler: any HardwareEventHandler,
        restartAfter pause: Duration = .seconds(5), logger: Logger? = nil
    ) async {
        // The failure streak in progress, logged once (a keypad line held by another process
        // would otherwise write the same line every few seconds).
        var failure: String?
        while !Task.isCancelled {
            do {
                try await source.run(delivering: handler)
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
            try? await Task.sleep(for: pause)
        }
    }
}
