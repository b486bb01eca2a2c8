public import LockerWire

/// What every simulated board does with the bytes it hears on its bus: buffer them, decode
/// whole frames with its family's codec, and keep what was dropped as garbage (with the codec's
/// reason) for tests. The board then decides which frames are its to answer.
struct SimulatedBusReceiver<Decoder: FrameDecoder>: Sendable {
    private var decoder: Decoder
    private var received: [UInt8] = []
    /// Reasons the decoder gave for dropped bytes, minus those `ignoring` leaves out.
    private var garbageLog = RecentLog<String>()
    /// The most recent reasons (see `RecentLog`).
    var garbage: [String] { garbageLog.recent }
    /// Reasons that are not garbage for this family (our protocol's empty frames are line idle).
    private let ignoredReasons: Set<String>

    init(_ decoder: Decoder, ignoring ignoredReasons: Set<String> = []) {
        self.decoder = decoder
        self.ignoredReasons = ignoredReasons
    }

    /// The whole frames `bytes` completes, in order; incomplete ones wait for more bytes.
    mutating func frames(from bytes: [UInt8]) -> [Decoder.Frame] {
        received += bytes
        var frames: [Decoder.Frame] = []
        while let result = decoder.decode(&received) {
            switch result {
            case .skipped(_, let reason):
                if !ignoredReasons.contains(reason) { garbageLog.append(reason) }
            case .frame(let frame):
                frames.append(frame)
            }
        }
        return frames
    }
}
