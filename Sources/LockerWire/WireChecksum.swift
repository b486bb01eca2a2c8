/// The 8-bit checks of the third-party lock boards.
///
/// Kerong boards end a frame with the low byte of the sum of every preceding byte; the generic
/// "8A/80" board ends it with the XOR of every preceding byte (its "BCC").
public enum WireChecksum {
    /// Low byte of the sum of `bytes` (Kerong CU16 and CU48).
    public static func sum8(_ bytes: some Sequence<UInt8>) -> UInt8 {
        bytes.reduce(0, &+)
    }

    /// XOR of `bytes` (the 8A/80 board's BCC).
    public static func xor8(_ bytes: some Sequence<UInt8>) -> UInt8 {
        bytes.reduce(0, ^)
    }
}
