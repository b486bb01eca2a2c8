public import LockerHAL
import Synchronization

/// The display as text: remembers what it showed (tests read it) and prints each message.
public final class SimulatedDisplay: Display {
    private let shown = Mutex<[String]>([])
    private let output: @Sendable (String) -> Void

    public init(output: @escaping @Sendable (String) -> Void) {
        self.output = output
    }

    /// How many messages are remembered: enough for any test, bounded so a long simulated session
    /// does not grow.
    static let remembered = 1_000

    public func show(_ text: String) async {
        shown.withLock { messages in
            messages.append(text)
            if messages.count > Self.remembered { messages.removeFirst(messages.count - Self.remembered) }
        }
        output("display: \(text)")
    }

    public var messages: [String] { shown.withLock { $0 } }
    public var lastMessage: String? { shown.withLock { $0.last } }
}
