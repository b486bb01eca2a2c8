public import LockerHAL
import Synchronization

public final class SimulatedBuzzer: Buzzer {
    private let played = Mutex(RecentLog<BuzzerPattern>())
    private let output: @Sendable (String) -> Void

    public init(output: @escaping @Sendable (String) -> Void) {
        self.output = output
    }

    public func play(_ pattern: BuzzerPattern) async {
        played.withLock { $0.append(pattern) }
        output("buzzer: \(pattern.rawValue)")
    }

    /// The most recent patterns played, oldest first (see `RecentLog`).
    public var patterns: [BuzzerPattern] { played.withLock { $0.recent } }
}
