/// Consistent Overhead Byte Stuffing: removes every zero byte from a packet so that zero can mark
/// frame boundaries (see firmware-protocol/PROTOCOL.md §2).
public enum COBS {
    public static func encode(_ packet: [UInt8]) -> [UInt8] {
        var output: [UInt8] = [0]
        output.reserveCapacity(packet.count + packet.count / 254 + 2)
        var codeIndex = 0
        var code: UInt8 = 1
        for byte in packet {
            if byte == 0 {
                output[codeIndex] = code
                codeIndex = output.count
                output.append(0)
                code = 1
            } else {
                output.append(byte)
                code += 1
                if code == 0xFF {
                    output[codeIndex] = code
                    codeIndex = output.count
                    output.append(0)
                    code = 1
                }
            }
        }
        output[codeIndex] = code
        return output
    }

    /// Decodes one frame's bytes (without the delimiter). Nil if the bytes are not valid COBS
    /// (a zero inside, or a block length running past the end).
    public static func decode(_ encoded: ArraySlice<UInt8>) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(encoded.count)
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let code = Int(encoded[index])
            guard code != 0, index + code <= encoded.endIndex else { return nil }
            let blockEnd = index + code
            index += 1
            while index < blockEnd {
                guard encoded[index] != 0 else { return nil }
                output.append(encoded[index])
                index += 1
            }
            if code != 0xFF && index < encoded.endIndex { output.append(0) }
        }
        return output
    }
}
