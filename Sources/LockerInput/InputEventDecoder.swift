/// Turns the bytes read from `/dev/input/event*` into events, whatever the read sizes.
public struct InputEventDecoder: Sendable {
    public let timevalBytes: Int
    private var pending: [UInt8] = []

    /// - Parameter timevalBytes: 16 on 64-bit Linux, 8 on 32-bit.
    public init(timevalBytes: Int = 16) {
        precondition(timevalBytes == 16 || timevalBytes == 8)
        self.timevalBytes = timevalBytes
    }

    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [InputEvent] {
        pending += bytes
        let size = InputEvent.size(timevalBytes: timevalBytes)
        var events: [InputEvent] = []
        var offset = 0
        while pending.count - offset >= size {
            events.append(decode(pending[offset..<(offset + size)]))
            offset += size
        }
        pending.removeFirst(offset)
        return events
    }

    private func decode(_ bytes: ArraySlice<UInt8>) -> InputEvent {
        let base = bytes.startIndex
        func value(at position: Int, count: Int) -> UInt64 {
            (0..<count).reduce(UInt64(0)) { $0 | UInt64(bytes[base + position + $1]) << (8 * $1) }
        }
        let half = timevalBytes / 2
        func signed(_ raw: UInt64, bytes count: Int) -> Int64 {
            let shift = UInt64(64 - 8 * count)
            return Int64(bitPattern: raw << shift) >> Int64(shift)
        }
        return InputEvent(
            seconds: signed(value(at: 0, count: half), bytes: half),
            microseconds: signed(value(at: half, count: half), bytes: half),
            type: UInt16(value(at: timevalBytes, count: 2)),
            code: UInt16(value(at: timevalBytes + 2, count: 2)),
            value: Int32(bitPattern: UInt32(value(at: timevalBytes + 4, count: 4))))
    }
}
