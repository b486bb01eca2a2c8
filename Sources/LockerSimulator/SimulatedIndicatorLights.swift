public import LockerHAL
import Synchronization

public final class SimulatedIndicatorLights: IndicatorLights {
    private let current = Mutex<[String: LightPattern]>([:])
    private let output: @Sendable (String) -> Void

    public init(output: @escaping @Sendable (String) -> Void) {
        self.output = output
    }

    public func set(board: Int, channel: Int, to pattern: LightPattern) async {
        current.withLock { $0["\(board):\(channel)"] = pattern }
        output("led: board \(board) channel \(channel) \(pattern.rawValue)")
    }

    public func pattern(board: Int, channel: Int) -> LightPattern {
        current.withLock { $0["\(board):\(channel)"] ?? .off }
    }
}
