import Crypto
public import LockerCore

/// HMAC-SHA256 of the code under the device key, hex-encoded.
public struct HMACPickupCodeHasher: PickupCodeHasher {
    /// HMAC keyed once: its inner and outer hashes have already taken in the padded key blocks.
    /// Each code hashes a copy (a value type: the copy's state is its own), so the last key of a
    /// pickup code no longer waits for the key's padding, two block compressions and their
    /// buffers, all the same for every code.
    private let keyed: HMAC<SHA256>

    public init(key: [UInt8]) {
        keyed = HMAC<SHA256>(key: SymmetricKey(data: key))
    }

    public func hash(code: String) -> String {
        var authenticator = keyed
        var code = code
        code.withUTF8 { authenticator.update(data: UnsafeRawBufferPointer($0)) }
        let mac = authenticator.finalize()
        // Written digit by digit: a String per byte, joined, was most of the hash's time, and the
        // last key of a pickup code waits for it.
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: SHA256.byteCount * 2) { buffer in
            var index = 0
            for byte in mac {
                buffer[index] = digits[Int(byte >> 4)]
                buffer[index + 1] = digits[Int(byte & 0x0F)]
                index += 2
            }
            return index
        }
    }
}
