public import LockerHAL
import Synchronization

/// The display as text: remembers what it showed (tests read it) and prints each message.
public final class SimulatedDisplay: Display {
    private let shown = Mutex(RecentLog<String>())
    private let output: @Sendable (String) -> Void

    public init(output: @escaping @Sendable (String) -> Void) {
        self.output = output
    }

    public func show(_ text: String) async {
        shown.withLock { $0.append(text) }
        output("display: \(text)")
    }

    /// The most recent messages, oldest first (see `RecentLog`).
    public var messages: [String] { shown.withLock { $0.recent } }
    public var lastMessage: String? { shown.withLock { $0.last } }
}
