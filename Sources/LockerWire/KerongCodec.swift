/// A codec of one Kerong model: what the shared Kerong driver and simulated board need to know
/// about it beyond its frames.
public protocol KerongCodec: FrameDecoder where Frame: KerongFrame {
    /// The model's name in messages ("Kerong CU16").
    static var family: String { get }
    /// What a set lock bit means when the configuration does not say.
    static var defaultPolarity: KerongLockPolarity { get }
    /// Whether a board may answer an unlock: then the driver waits for that answer (or silence)
    /// before it confirms the unlock by reading the status.
    static var mayAnswerUnlock: Bool { get }
    init()
    /// The frame's bytes, checksum included.
    static func encode(_ frame: Frame) -> [UInt8]
}
