/// Hardware failures, each naming the device and what was expected and seen, so that the log line
/// is enough for a technician to act on.
public enum HardwareError: Error, Sendable, Equatable, CustomStringConvertible {
    case boardNotAnswering(board: Int, detail: String)
    case channelOutOfRange(board: Int, channel: Int, channelCount: Int)
    case deviceMissing(device: String, detail: String)
    case io(device: String, operation: String, detail: String)
    /// One channel's latch cannot be driven (the board reports its coil open or shorted); the
    /// board itself answers, and its other channels work.
    case latchFault(board: Int, channel: Int, detail: String)

    public var description: String {
        switch self {
        case .boardNotAnswering(let board, let detail):
            return "lock board \(board) is not answering: \(detail)"
        case .channelOutOfRange(let board, let channel, let count):
            return "lock board \(board) has channels 1...\(count); channel \(channel) does not exist"
        case .deviceMissing(let device, let detail):
            return "device \(device) is missing: \(detail)"
        case .io(let device, let operation, let detail):
            return "\(operation) on \(device) failed: \(detail)"
        case .latchFault(let board, let channel, let detail):
            return "lock board \(board) reports a latch fault on channel \(channel): \(detail)"
        }
    }
}
