/// One `struct input_event` as the Linux evdev interface delivers it (linux/input.h): on 64-bit
/// Linux (x86-64, arm64) a 16-byte `struct timeval`, then `__u16 type`, `__u16 code` and
/// `__s32 value`, little-endian: 24 bytes. (32-bit ARM boards use an 8-byte timeval: 16 bytes.)
public struct InputEvent: Sendable, Equatable {
    public static let keyType: UInt16 = 0x01      // EV_KEY
    public static let syncType: UInt16 = 0x00     // EV_SYN

    public enum KeyState: Int32, Sendable {
        case released = 0
        case pressed = 1
        case repeated = 2
    }

    public var seconds: Int64
    public var microseconds: Int64
    public var type: UInt16
    public var code: UInt16
    public var value: Int32

    public init(seconds: Int64 = 0, microseconds: Int64 = 0, type: UInt16, code: UInt16, value: Int32) {
        self.seconds = seconds
        self.microseconds = microseconds
        self.type = type
        self.code = code
        self.value = value
    }

    /// The size of one event for a timeval of `timevalBytes` (16 on 64-bit, 8 on 32-bit).
    public static func size(timevalBytes: Int) -> Int { timevalBytes + 8 }

    /// The event's bytes, as the kernel writes them (tests feed these through pipes and files).
    public func bytes(timevalBytes: Int = 16) -> [UInt8] {
        var out: [UInt8] = []
        let half = timevalBytes / 2
        out += Self.littleEndian(UInt64(bitPattern: seconds), count: half)
        out += Self.littleEndian(UInt64(bitPattern: microseconds), count: half)
        out += Self.littleEndian(UInt64(type), count: 2)
        out += Self.littleEndian(UInt64(code), count: 2)
        out += Self.littleEndian(UInt64(UInt32(bitPattern: value)), count: 4)
        return out
    }

    static func littleEndian(_ value: UInt64, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
