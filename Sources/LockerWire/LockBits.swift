/// Per-lock bit fields of status replies: bit 0 is lock (channel) 1.
enum LockBits {
    /// Whether lock `number` (1-based) is set; false outside 1...64.
    static func isSet(_ bits: UInt64, number: Int) -> Bool {
        guard (1...64).contains(number) else { return false }
        return bits >> UInt64(number - 1) & 1 == 1
    }

    /// The first `width` bits as flags; index 0 is lock 1.
    static func flags(_ bits: UInt64, width: Int) -> [Bool] {
        (0..<max(width, 0)).map { isSet(bits, number: $0 + 1) }
    }

    /// Packs flags (index 0 is lock 1); flags past the 64th are ignored.
    static func pack(_ flags: some Sequence<Bool>) -> UInt64 {
        var bits: UInt64 = 0
        for (index, flag) in zip(0..<64, flags) where flag {
            bits |= 1 << UInt64(index)
        }
        return bits
    }

    /// The set lock numbers among the first `width`, for people: "1-8, 16" or "none".
    static func describe(_ bits: UInt64, width: Int) -> String {
        var runs: [String] = []
        var number = 1
        while number <= width {
            guard isSet(bits, number: number) else {
                number += 1
                continue
            }
            var last = number
            while last < width, isSet(bits, number: last + 1) { last += 1 }
            runs.append(last == number ? "\(number)" : "\(number)-\(last)")
            number = last + 1
        }
        return runs.isEmpty ? "none" : runs.joined(separator: ", ")
    }
}
