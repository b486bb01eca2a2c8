/// Cuts the byte stream of a serial (USB CDC) barcode/QR scanner into codes.
///
/// Scanners end a code with CR, LF or CRLF depending on their setup; all three are accepted, and a
/// CRLF is one end, not an empty code after it. A code longer than `maximumLength`, or holding
/// bytes that are not printable ASCII (a half-read code, line noise, a scanner in the wrong mode),
/// is refused with its reason, and the framer resynchronises at the next line end.
public struct ScannerLineFramer: Sendable {
    public enum Output: Sendable, Equatable {
        case code(String)
        case refused(reason: String)
    }

    public let maximumLength: Int
    private var line: [UInt8] = []
    private var overLong = false
    private var lastWasCarriageReturn = false

    public init(maximumLength: Int = 512) {
        precondition(maximumLength > 0)
        self.maximumLength = maximumLength
    }

    /// Feeds bytes as they arrive (any chunking); returns the codes and refusals they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Output] {
        var outputs: [Output] = []
        for byte in bytes {
            let wasCarriageReturn = lastWasCarriageReturn
            lastWasCarriageReturn = byte == 0x0D
            if byte == 0x0A && wasCarriageReturn { continue }  // the LF of a CRLF
            if byte == 0x0D || byte == 0x0A {
                if let output = finishLine() { outputs.append(output) }
                continue
            }
            if line.count < maximumLength {
                line.append(byte)
            } else {
                overLong = true
            }
        }
        return outputs
    }

    private mutating func finishLine() -> Output? {
        defer {
            line.removeAll(keepingCapacity: true)
            overLong = false
        }
        if overLong { return .refused(reason: "longer than \(maximumLength) characters") }
        if line.isEmpty { return nil }
        if let bad = line.first(where: { $0 < 0x20 || $0 > 0x7E }) {
            return .refused(reason: "not printable ASCII (byte 0x\(String(bad, radix: 16, uppercase: true)))")
        }
        return .code(String(decoding: line, as: UTF8.self))
    }
}
